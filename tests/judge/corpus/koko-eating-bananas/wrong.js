// expect: wrong_answer
/**
 * @param {number[]} piles
 * @param {number} h
 * @return {number}
 */
var minEatingSpeed = function(piles, h) {
    let lo = 1, hi = piles.reduce((a, b) => Math.max(a, b));
    while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        let hours = 0;
        for (const p of piles) hours += Math.ceil(p / mid);
        if (hours <= h) hi = mid - 1;  // drops a speed that works
        else lo = mid + 1;
    }
    return lo;
};
