# expect: wrong_answer
class Solution:
    def minEatingSpeed(self, piles: List[int], h: int) -> int:
        lo, hi = 1, max(piles)
        while lo < hi:
            mid = (lo + hi) // 2
            if sum(p // mid for p in piles) <= h:  # floor, not ceil: a partial hour is free
                hi = mid
            else:
                lo = mid + 1
        return lo
