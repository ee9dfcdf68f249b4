// expect: wrong_answer
class Solution {
    public boolean isValidBST(TreeNode root) {
        return check(root, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    private boolean check(TreeNode node, int low, int high) {
        if (node == null) return true;
        // int bounds: a node holding 2^31 - 1 is rejected
        if (node.val <= low || node.val >= high) return false;
        return check(node.left, low, node.val) && check(node.right, node.val, high);
    }
}
