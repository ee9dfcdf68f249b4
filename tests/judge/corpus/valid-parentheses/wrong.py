# expect: wrong_answer
class Solution:
    def isValid(self, s: str) -> bool:
        # counts each bracket type but ignores the order: "([)]" passes
        c = Counter(s)
        return c['('] == c[')'] and c['['] == c[']'] and c['{'] == c['}']
