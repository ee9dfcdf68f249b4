// expect: time_limit_exceeded
class Solution {
    public int minMeetingRooms(int[][] intervals) {
        // for each meeting, count the meetings running at its start: O(n^2)
        int best = 0;
        for (int[] a : intervals) {
            int count = 0;
            for (int[] b : intervals) {
                if (b[0] <= a[0] && a[0] < b[1]) count++;
            }
            best = Math.max(best, count);
        }
        return best;
    }
}
