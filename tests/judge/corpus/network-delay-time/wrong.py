# expect: wrong_answer
class Solution:
    def networkDelayTime(self, times: List[List[int]], n: int, k: int) -> int:
        graph = defaultdict(list)
        for u, v, w in times:
            graph[u].append((v, w))
        dist = {k: 0}
        heap = [(0, k)]
        while heap:
            d, node = heappop(heap)
            for nei, w in graph[node]:
                if nei not in dist:  # settles a node when first reached, not when popped
                    dist[nei] = d + w
                    heappush(heap, (d + w, nei))
        return max(dist.values()) if len(dist) == n else -1
