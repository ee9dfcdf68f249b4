// expect: wrong_answer
class Solution {
    public int findKthLargest(int[] nums, int k) {
        PriorityQueue<Integer> pq = new PriorityQueue<>(Collections.reverseOrder());
        for (int num : nums) pq.offer(num);
        for (int i = 0; i < k; i++) pq.poll();  // one poll too many: the (k+1)-th largest
        return pq.peek();
    }
}
