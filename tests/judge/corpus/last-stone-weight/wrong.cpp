// expect: wrong_answer
class Solution {
public:
    int lastStoneWeight(vector<int>& stones) {
        // a min-heap by mistake: smashes the two lightest stones
        priority_queue<int, vector<int>, greater<int>> pq(stones.begin(), stones.end());
        while (pq.size() > 1) {
            int x = pq.top(); pq.pop();
            int y = pq.top(); pq.pop();
            if (y != x) pq.push(y - x);
        }
        return pq.empty() ? 0 : pq.top();
    }
};
