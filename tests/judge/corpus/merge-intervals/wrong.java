// expect: wrong_answer
class Solution {
    public int[][] merge(int[][] intervals) {
        Arrays.sort(intervals, (a, b) -> Integer.compare(a[0], b[0]));
        List<int[]> res = new ArrayList<>();
        for (int[] in : intervals) {
            if (!res.isEmpty() && in[0] <= res.get(res.size() - 1)[1]) {
                res.get(res.size() - 1)[1] = in[1];  // a contained interval shrinks the merged one
            } else {
                res.add(in);
            }
        }
        return res.toArray(new int[0][]);
    }
}
