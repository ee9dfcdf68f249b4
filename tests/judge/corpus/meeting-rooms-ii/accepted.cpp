class Solution {
public:
    int minMeetingRooms(vector<vector<int>>& intervals) {
        map<int, int> delta;
        for (auto& in : intervals) {
            delta[in[0]]++;
            delta[in[1]]--;
        }
        int cur = 0, best = 0;
        for (auto& [t, d] : delta) {
            cur += d;
            best = max(best, cur);
        }
        return best;
    }
};
