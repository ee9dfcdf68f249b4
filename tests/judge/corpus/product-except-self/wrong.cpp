// expect: wrong_answer
class Solution {
public:
    vector<long long> productExceptSelf(vector<int>& nums) {
        long long product = 1;
        int zeros = 0;
        for (int x : nums) {
            if (x == 0) zeros++;
            else product *= x;
        }
        vector<long long> ans(nums.size(), 0);
        for (int i = 0; i < (int)nums.size(); i++) {
            if (zeros == 0) ans[i] = product / nums[i];
            else if (nums[i] == 0) ans[i] = product;  // forgets the case of two zeros
        }
        return ans;
    }
};
