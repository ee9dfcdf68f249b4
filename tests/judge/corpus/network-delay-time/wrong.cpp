// expect: wrong_answer
class Solution {
public:
    int networkDelayTime(vector<vector<int>>& times, int n, int k) {
        vector<vector<pair<int, int>>> g(n + 1);
        for (auto& t : times) g[t[0]].push_back({t[1], t[2]});
        vector<bool> seen(n + 1, false);
        // comparator the wrong way round: a max-heap pops the farthest node first
        auto cmp = [](const pair<int, int>& a, const pair<int, int>& b) { return a.first < b.first; };
        priority_queue<pair<int, int>, vector<pair<int, int>>, decltype(cmp)> pq;
        pq.push({0, k});
        int ans = 0, reached = 0;
        while (!pq.empty()) {
            auto [d, u] = pq.top();
            pq.pop();
            if (seen[u]) continue;
            seen[u] = true;
            reached++;
            ans = max(ans, d);
            for (auto [v, w] : g[u])
                if (!seen[v]) pq.push({d + w, v});
        }
        return reached == n ? ans : -1;
    }
};
