# expect: runtime_error
class Solution:
    def mergeKLists(self, lists: List[Optional[ListNode]]) -> Optional[ListNode]:
        # no tie-breaker: two equal values make heapq compare ListNode objects (TypeError)
        heap = [(node.val, node) for node in lists if node]
        heapify(heap)
        dummy = tail = ListNode()
        while heap:
            _, node = heappop(heap)
            tail.next = node
            tail = node
            if node.next:
                heappush(heap, (node.next.val, node.next))
        return dummy.next
