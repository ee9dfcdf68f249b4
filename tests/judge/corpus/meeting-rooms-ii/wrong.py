# expect: wrong_answer
class Solution:
    def minMeetingRooms(self, intervals: List[List[int]]) -> int:
        intervals.sort()
        rooms = []
        for start, end in intervals:
            if rooms and rooms[0] < start:  # a room freed at `start` is not reused
                heapreplace(rooms, end)
            else:
                heappush(rooms, end)
        return len(rooms)
