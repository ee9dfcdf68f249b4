class Solution:
    def lastStoneWeight(self, stones: List[int]) -> int:
        h = [-s for s in stones]
        heapify(h)
        while len(h) > 1:
            y = -heappop(h)
            x = -heappop(h)
            if x != y:
                heappush(h, -(y - x))
        return -h[0] if h else 0
