// LeetCode's C++ environment, given to every source with g++ -include (so line numbers stay).
#ifndef IK_PRELUDE_H
#define IK_PRELUDE_H
#include <bits/stdc++.h>
using namespace std;
#endif
