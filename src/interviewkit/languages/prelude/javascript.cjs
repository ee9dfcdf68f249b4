// What JavaScript code in the sandbox may use without a require (LeetCode's environment):
// bundled with its npm packages by web/build.mjs into dist/javascript.js, which
// node loads with --require before the candidate's file (plain runs and harness runs).
//
// The npm globals are defined lazily: a getter loads the library on first use, so a program
// that never touches lodash does not pay for initialising it. Assigning the name (or
// declaring it: top-level code runs in a module wrapper) replaces it: the candidate's own
// definitions win.
'use strict';

function define(name, value) {
  Object.defineProperty(globalThis, name, {
    value, writable: true, configurable: true, enumerable: false,
  });
}

function lazy(name, load) {
  Object.defineProperty(globalThis, name, {
    configurable: true,
    enumerable: false,
    get() {
      const value = load();
      define(name, value);
      return value;
    },
    set(value) {
      define(name, value);
    },
  });
}

lazy('PriorityQueue', () => require('@datastructures-js/priority-queue').PriorityQueue);
lazy('MinPriorityQueue', () => require('@datastructures-js/priority-queue').MinPriorityQueue);
lazy('MaxPriorityQueue', () => require('@datastructures-js/priority-queue').MaxPriorityQueue);
lazy('Queue', () => require('@datastructures-js/queue').Queue);
lazy('Deque', () => require('@datastructures-js/deque').Deque);
lazy('_', () => require('lodash'));

// LeetCode's definitions, word for word: kept as text so that minifying the bundle leaves
// them alone (String(ListNode) and a console.log of a node read as on LeetCode).
const LEETCODE_NODES = `(function () {
function ListNode(val, next) {
    this.val = (val===undefined ? 0 : val)
    this.next = (next===undefined ? null : next)
}
function TreeNode(val, left, right) {
    this.val = (val===undefined ? 0 : val)
    this.left = (left===undefined ? null : left)
    this.right = (right===undefined ? null : right)
}
return [ListNode, TreeNode];
})()`;
const [ListNode, TreeNode] = (0, eval)(LEETCODE_NODES);
define('ListNode', ListNode);
define('TreeNode', TreeNode);
