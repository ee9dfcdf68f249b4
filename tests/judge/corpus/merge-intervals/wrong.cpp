// expect: wrong_answer
class Solution {
public:
    vector<vector<int>> merge(vector<vector<int>>& intervals) {
        // forgets to sort: only neighbours in input order get merged
        vector<vector<int>> ans;
        for (auto& in : intervals) {
            if (!ans.empty() && in[0] <= ans.back()[1]) {
                ans.back()[1] = max(ans.back()[1], in[1]);
            } else {
                ans.push_back(in);
            }
        }
        return ans;
    }
};
