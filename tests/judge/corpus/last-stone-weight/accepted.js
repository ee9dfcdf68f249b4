/**
 * @param {number[]} stones
 * @return {number}
 */
var lastStoneWeight = function(stones) {
    const pq = new MaxPriorityQueue();
    stones.forEach((s) => pq.enqueue(s));
    while (pq.size() > 1) {
        const y = pq.dequeue();
        const x = pq.dequeue();
        if (y !== x) pq.enqueue(y - x);
    }
    return pq.isEmpty() ? 0 : pq.front();
};
