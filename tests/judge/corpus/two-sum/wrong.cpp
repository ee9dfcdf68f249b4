// expect: wrong_answer
class Solution {
public:
    vector<int> twoSum(vector<int>& nums, int target) {
        // bug: sorts the values and returns positions in the sorted copy, not the input
        vector<int> v = nums;
        sort(v.begin(), v.end());
        int l = 0, r = v.size() - 1;
        while (l < r) {
            long long s = (long long)v[l] + v[r];
            if (s == target) return {l, r};
            if (s < target) l++; else r--;
        }
        return {};
    }
};
