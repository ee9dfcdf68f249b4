// expect: wrong_answer
class Solution {
public:
    ListNode* mergeKLists(vector<ListNode*>& lists) {
        // comparator the wrong way round: a max-heap
        auto cmp = [](ListNode* a, ListNode* b) { return a->val < b->val; };
        priority_queue<ListNode*, vector<ListNode*>, decltype(cmp)> pq;
        for (ListNode* head : lists)
            if (head) pq.push(head);
        ListNode dummy;
        ListNode* tail = &dummy;
        while (!pq.empty()) {
            ListNode* node = pq.top();
            pq.pop();
            tail->next = node;
            tail = node;
            if (node->next) pq.push(node->next);
        }
        tail->next = nullptr;
        return dummy.next;
    }
};
