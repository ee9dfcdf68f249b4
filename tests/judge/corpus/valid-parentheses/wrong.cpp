// expect: wrong_answer
class Solution {
public:
    bool isValid(string s) {
        stack<char> st;
        for (char c : s) {
            if (c == '(' || c == '[' || c == '{') {
                st.push(c);
            } else {
                if (st.empty()) return false;
                st.pop();  // forgets to check that the types match
            }
        }
        return st.empty();
    }
};
