class Solution {
public:
    vector<int> twoSum(vector<int>& nums, int target) {
        unordered_map<int, int> seen;
        for (int i = 0; i < (int)nums.size(); i++) {
            long long need = (long long)target - nums[i];
            auto it = seen.find((int)need);
            if (need >= INT_MIN && need <= INT_MAX && it != seen.end()) return {it->second, i};
            seen[nums[i]] = i;
        }
        return {};
    }
};
