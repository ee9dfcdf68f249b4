// expect: runtime_error
class Solution {
    public boolean isValid(String s) {
        Deque<Character> stack = new ArrayDeque<>();
        for (char c : s.toCharArray()) {
            if (c == '(') stack.push(')');
            else if (c == '[') stack.push(']');
            else if (c == '{') stack.push('}');
            else if (stack.pop() != c) return false;  // pop() on an empty deque throws: "]"
        }
        return stack.isEmpty();
    }
}
