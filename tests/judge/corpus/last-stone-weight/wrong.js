// expect: wrong_answer
/**
 * @param {number[]} stones
 * @return {number}
 */
var lastStoneWeight = function(stones) {
    stones.sort((a, b) => b - a);
    while (stones.length > 1) {
        const y = stones.shift();
        const x = stones.shift();
        if (y !== x) stones.push(y - x);  // the remainder goes to the end, unsorted
    }
    return stones.length ? stones[0] : 0;
};
