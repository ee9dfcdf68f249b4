/**
 * @param {number[][]} intervals
 * @return {number[][]}
 */
var merge = function(intervals) {
    intervals.sort((a, b) => a[0] - b[0]);
    const res = [];
    for (const [s, e] of intervals) {
        const last = _.last(res);
        if (last && s <= last[1]) last[1] = Math.max(last[1], e);
        else res.push([s, e]);
    }
    return res;
};
