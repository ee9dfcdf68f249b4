// expect: wrong_answer
class Solution {
    public int[] twoSum(int[] nums, int target) {
        // bug: answers in the order found, larger index first
        Map<Integer, Integer> seen = new HashMap<>();
        for (int i = 0; i < nums.length; i++) {
            int need = target - nums[i];
            if (seen.containsKey(need)) {
                return new int[]{i, seen.get(need)};
            }
            seen.put(nums[i], i);
        }
        return new int[0];
    }
}
