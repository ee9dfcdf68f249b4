/**
 * Definition for a binary tree node.
 * function TreeNode(val, left, right) {
 *     this.val = (val===undefined ? 0 : val)
 *     this.left = (left===undefined ? null : left)
 *     this.right = (right===undefined ? null : right)
 * }
 */
/**
 * @param {TreeNode} root
 * @return {number}
 */
var maxDepth = function(root) {
    if (!root) return 0;
    const q = new Queue([root]);
    let depth = 0;
    while (!q.isEmpty()) {
        depth++;
        for (let n = q.size(); n > 0; n--) {
            const node = q.dequeue();
            if (node.left) q.enqueue(node.left);
            if (node.right) q.enqueue(node.right);
        }
    }
    return depth;
};
