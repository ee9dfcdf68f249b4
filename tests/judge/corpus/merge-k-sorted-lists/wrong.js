// expect: time_limit_exceeded
/**
 * @param {ListNode[]} lists
 * @return {ListNode}
 */
var mergeKLists = function(lists) {
    // merges the lists one after another: O(k * N)
    const mergeTwo = (a, b) => {
        const dummy = new ListNode();
        let t = dummy;
        while (a && b) {
            if (a.val <= b.val) { t.next = a; a = a.next; }
            else { t.next = b; b = b.next; }
            t = t.next;
        }
        t.next = a || b;
        return dummy.next;
    };
    let merged = null;
    for (const list of lists) merged = mergeTwo(merged, list);
    return merged;
};
