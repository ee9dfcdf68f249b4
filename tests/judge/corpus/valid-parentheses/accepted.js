/**
 * @param {string} s
 * @return {boolean}
 */
var isValid = function(s) {
    const stack = [];
    const match = { ')': '(', ']': '[', '}': '{' };
    for (const c of s) {
        if (c in match) {
            if (stack.pop() !== match[c]) return false;
        } else {
            stack.push(c);
        }
    }
    return stack.length === 0;
};
