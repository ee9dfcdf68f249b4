// expect: wrong_answer
class Solution {
    public int findKthLargest(int[] nums, int k) {
        // b - a overflows for values of opposite sign near 10^9
        PriorityQueue<Integer> pq = new PriorityQueue<>((a, b) -> b - a);
        for (int num : nums) pq.offer(num);
        for (int i = 0; i < k - 1; i++) pq.poll();
        return pq.peek();
    }
}
