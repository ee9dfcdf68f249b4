// LeetCode's C++ environment, given to every source with g++ -include (so line numbers stay).
// The compile command includes <bits/stdc++.h> just before this file (-include bits/stdc++.h,
// a form a precompiled header can serve); LeetCode's ListNode and TreeNode follow, each unless
// the candidate defines it.
#ifndef IK_PRELUDE_H
#define IK_PRELUDE_H
#include <bits/stdc++.h>
using namespace std;
#endif
