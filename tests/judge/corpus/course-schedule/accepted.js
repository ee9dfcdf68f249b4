/**
 * @param {number} numCourses
 * @param {number[][]} prerequisites
 * @return {boolean}
 */
var canFinish = function(numCourses, prerequisites) {
    const adj = Array.from({ length: numCourses }, () => []);
    const indegree = new Array(numCourses).fill(0);
    for (const [a, b] of prerequisites) {
        adj[b].push(a);
        indegree[a]++;
    }
    const q = new Queue();
    for (let i = 0; i < numCourses; i++) if (indegree[i] === 0) q.enqueue(i);
    let done = 0;
    while (!q.isEmpty()) {
        const cur = q.dequeue();
        done++;
        for (const next of adj[cur]) {
            if (--indegree[next] === 0) q.enqueue(next);
        }
    }
    return done === numCourses;
};
