// expect: wrong_answer
/**
 * @param {string} s
 * @return {number}
 */
var lengthOfLongestSubstring = function(s) {
    let seen = new Set();
    let res = 0;
    for (const c of s) {
        if (seen.has(c)) seen = new Set();  // starts over, dropping the good suffix ("dvdf")
        seen.add(c);
        res = Math.max(res, seen.size);
    }
    return res;
};
