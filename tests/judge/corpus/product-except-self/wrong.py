# expect: runtime_error
class Solution:
    def productExceptSelf(self, nums: List[int]) -> List[int]:
        total = reduce(operator.mul, nums, 1)
        return [total // x for x in nums]  # uses division: a zero raises ZeroDivisionError
