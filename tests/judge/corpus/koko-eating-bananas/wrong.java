// expect: wrong_answer
class Solution {
    public int minEatingSpeed(int[] piles, long h) {
        int left = 1, right = 1000000000;
        while (left < right) {
            int mid = left + (right - left) / 2;
            int hours = 0;  // int: 5 piles of 10^9 at speed 1 overflow
            for (int p : piles) hours += (p + mid - 1) / mid;
            if (hours <= h) right = mid;
            else left = mid + 1;
        }
        return left;
    }
}
