// LeetCode's definition, given to C++ code that does not define ListNode itself.
#ifndef IK_LISTNODE_H
#define IK_LISTNODE_H
struct ListNode {
    int val;
    ListNode *next;
    ListNode() : val(0), next(nullptr) {}
    ListNode(int x) : val(x), next(nullptr) {}
    ListNode(int x, ListNode *next) : val(x), next(next) {}
};
#endif
