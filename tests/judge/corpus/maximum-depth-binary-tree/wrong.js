// expect: wrong_answer
/**
 * @param {TreeNode} root
 * @return {number}
 */
var maxDepth = function(root) {
    // follows left children only, as if the deepest path were always on the left
    let depth = 0;
    let node = root;
    while (node) {
        depth++;
        node = node.left ? node.left : null;
    }
    return depth;
};
