// expect: wrong_answer
/**
 * @param {number[][]} intervals
 * @return {number[][]}
 */
var merge = function(intervals) {
    intervals.sort();  // default sort compares as strings: [10,11] before [4,6]
    const res = [];
    for (const [s, e] of intervals) {
        const last = res[res.length - 1];
        if (last && s <= last[1]) last[1] = Math.max(last[1], e);
        else res.push([s, e]);
    }
    return res;
};
