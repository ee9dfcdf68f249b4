// expect: wrong_answer
class Solution {
    public long[] productExceptSelf(int[] nums) {
        int n = nums.length;
        long[] ans = new long[n];
        int prefix = 1;  // int accumulators overflow past 2^31
        for (int i = 0; i < n; i++) {
            ans[i] = prefix;
            prefix *= nums[i];
        }
        int suffix = 1;
        for (int i = n - 1; i >= 0; i--) {
            ans[i] *= suffix;
            suffix *= nums[i];
        }
        return ans;
    }
}
