// expect: time_limit_exceeded
/**
 * @param {string} s
 * @return {boolean}
 */
var isValid = function(s) {
    // removes one innermost pair at a time: O(n^2) on 200k characters
    while (s.includes('()') || s.includes('[]') || s.includes('{}')) {
        s = s.replace('()', '').replace('[]', '').replace('{}', '');
    }
    return s.length === 0;
};
