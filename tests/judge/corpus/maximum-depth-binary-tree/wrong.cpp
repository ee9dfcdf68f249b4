// expect: runtime_error
class Solution {
public:
    int maxDepth(TreeNode* root) {
        // no null check: a node with one child follows a null pointer
        if (!root->left && !root->right) return 1;
        return 1 + max(maxDepth(root->left), maxDepth(root->right));
    }
};
