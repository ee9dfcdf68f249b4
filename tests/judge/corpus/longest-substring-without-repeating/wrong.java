// expect: runtime_error
class Solution {
    public int lengthOfLongestSubstring(String s) {
        int[] index = new int[26];  // assumes lowercase letters: a space is index -65
        int ans = 0;
        for (int i = 0, j = 0; j < s.length(); j++) {
            i = Math.max(index[s.charAt(j) - 'a'], i);
            ans = Math.max(ans, j - i + 1);
            index[s.charAt(j) - 'a'] = j + 1;
        }
        return ans;
    }
}
