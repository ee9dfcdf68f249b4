# expect: wrong_answer
class Solution:
    def findKthLargest(self, nums: List[int], k: int) -> int:
        return sorted(set(nums))[-k]  # k-th distinct value, not k-th element
