# expect: wrong_answer
class Solution:
    def canFinish(self, numCourses: int, prerequisites: List[List[int]]) -> bool:
        graph = defaultdict(list)
        for a, b in prerequisites:
            graph[b].append(a)
        seen = set()
        # one "seen" set for both "done" and "on the current path": a diamond looks like a cycle
        for start in range(numCourses):
            if start in seen:
                continue
            stack = [start]
            while stack:
                node = stack.pop()
                for nxt in graph[node]:
                    if nxt in seen:
                        return False
                    seen.add(nxt)
                    stack.append(nxt)
            seen.add(start)
        return True
