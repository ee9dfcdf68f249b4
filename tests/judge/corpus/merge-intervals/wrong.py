# expect: wrong_answer
class Solution:
    def merge(self, intervals: List[List[int]]) -> List[List[int]]:
        intervals.sort(key=lambda x: x[0])
        res = []
        for start, end in intervals:
            if res and start < res[-1][1]:  # touching intervals [1,4],[4,5] are not merged
                res[-1][1] = max(res[-1][1], end)
            else:
                res.append([start, end])
        return res
