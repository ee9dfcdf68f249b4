# expect: wrong_answer
class Solution:
    def twoSum(self, nums: List[int], target: int) -> List[int]:
        # bug: stores before checking, so an element pairs with itself (target = 2 * nums[i])
        seen = {}
        for i, n in enumerate(nums):
            seen[n] = i
            if target - n in seen:
                return [seen[target - n], i]
        return []
