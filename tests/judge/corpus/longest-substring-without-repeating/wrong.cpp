// expect: wrong_answer
class Solution {
public:
    int lengthOfLongestSubstring(string s) {
        vector<int> last(128, -1);
        int start = 0, best = 0;
        for (int i = 0; i < (int)s.size(); i++) {
            start = max(start, last[s[i]] + 1);
            last[s[i]] = i;
            best = max(best, i - start);  // off by one: forgets the +1
        }
        return best;
    }
};
