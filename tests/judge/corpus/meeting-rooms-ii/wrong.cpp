// expect: wrong_answer
class Solution {
public:
    int minMeetingRooms(vector<vector<int>>& intervals) {
        vector<pair<int, int>> events;  // (time, 0 = start / 1 = end)
        for (auto& in : intervals) {
            events.push_back({in[0], 0});
            events.push_back({in[1], 1});
        }
        sort(events.begin(), events.end());  // a start sorts before an end at the same time
        int cur = 0, best = 0;
        for (auto& [t, kind] : events) {
            cur += kind == 0 ? 1 : -1;
            best = max(best, cur);
        }
        return best;
    }
};
