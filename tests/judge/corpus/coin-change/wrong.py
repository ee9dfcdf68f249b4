# expect: wrong_answer
class Solution:
    def coinChange(self, coins: List[int], amount: int) -> int:
        # greedy: biggest coin first (coins = [1, 3, 4], amount = 6 gives 4+1+1, not 3+3)
        count = 0
        for coin in sorted(coins, reverse=True):
            count += amount // coin
            amount %= coin
        return count if amount == 0 else -1
