// expect: wrong_answer
class Solution {
public:
    bool isValidBST(TreeNode* root) {
        // compares each node with its children only
        if (!root) return true;
        if (root->left && root->left->val >= root->val) return false;
        if (root->right && root->right->val <= root->val) return false;
        return isValidBST(root->left) && isValidBST(root->right);
    }
};
