# expect: wrong_answer
class Solution:
    def dailyTemperatures(self, temperatures: List[int]) -> List[int]:
        res = [0] * len(temperatures)
        stack = []
        for i, t in enumerate(temperatures):
            while stack and temperatures[stack[-1]] <= t:  # an equal day is not warmer
                j = stack.pop()
                res[j] = i - j
            stack.append(i)
        return res
