# expect: time_limit_exceeded
class Solution:
    def lastStoneWeight(self, stones: List[int]) -> int:
        # sorts the whole list every turn: O(n^2 log n) on 100k stones
        while len(stones) > 1:
            stones.sort()
            y = stones.pop()
            x = stones.pop()
            if x != y:
                stones.append(y - x)
        return stones[0] if stones else 0
