// expect: wrong_answer
/**
 * @param {number[][]} intervals
 * @return {number}
 */
var minMeetingRooms = function(intervals) {
    // forgets to sort the meetings by start time
    const pq = new MinPriorityQueue();
    for (const [s, e] of intervals) {
        if (!pq.isEmpty() && pq.front() <= s) pq.dequeue();
        pq.enqueue(e);
    }
    return pq.size();
};
