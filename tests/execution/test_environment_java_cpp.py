"""Java's and C++'s LeetCode environments on the real engine and sandbox.

Code written the way candidates write it on LeetCode (no imports in Java, no includes or
``std::`` in C++, C++20 comparators) compiles unchanged, in function-call tests and plain
runs alike; line numbers in compiler errors are still the candidate's; a value that does not
fit the parameter's type is a clear per-test error, never silently cut.
"""

from __future__ import annotations

from interviewkit.execution.schemas import ExecutionResult
from tests.execution.conftest import Program, Runner, needs, show
from tests.execution.helpers import call_suite as suite
from tests.execution.helpers import statuses

needs_java = needs("java")
needs_cpp = needs("cpp")


def messages(result: ExecutionResult) -> list[str]:
    return [test.message or "" for test in result.tests]


def compiled(result: ExecutionResult) -> None:
    assert result.compile is not None
    assert result.compile.status == "accepted", result.compile.output


# ---------------------------------------------------------------------------- Java

JAVA_LEETCODE = """\
class Solution {
    public int[] topKFrequent(int[] nums, int k) {
        Map<Integer, Integer> count = new HashMap<>();
        for (int n : nums) count.merge(n, 1, Integer::sum);
        PriorityQueue<int[]> heap =
            new PriorityQueue<>((a, b) -> a[1] != b[1] ? b[1] - a[1] : a[0] - b[0]);
        for (Map.Entry<Integer, Integer> e : count.entrySet())
            heap.add(new int[] {e.getKey(), e.getValue()});
        List<List<Integer>> unused = new ArrayList<>();
        Deque<Integer> stack = new ArrayDeque<>();
        Function<Integer, Integer> twice = x -> 2 * x;
        BigInteger big = BigInteger.valueOf(2).pow(100);
        int[] out = new int[k];
        for (int i = 0; i < k; i++) out[i] = heap.poll()[0];
        Arrays.sort(out);
        int total = IntStream.of(out).sum() + twice.apply(0) + big.signum() - 1
            + stack.size() + unused.size();
        return Arrays.stream(out).map(x -> x + total - total).boxed().collect(Collectors.toList())
            .stream().mapToInt(Integer::intValue).toArray();
    }
}
"""


@needs_java
def test_java_leetcode_code_without_imports_is_accepted(runner: Runner) -> None:
    program = Program("Solution.java", {"Solution.java": JAVA_LEETCODE})
    tests = [[[[1, 1, 1, 2, 2, 3], 2], [1, 2]], [[[4, 4, 5], 1], [4]]]
    result = runner.run(
        program, "java", suite=suite("topKFrequent", {"nums": "int[]", "k": "int"}, "int[]", tests)
    )
    compiled(result)
    assert statuses(result) == ["accepted", "accepted"], show(result)


@needs_java
def test_java_own_imports_and_classes_still_win(runner: Runner) -> None:
    """A single-type import shadows the on-demand ``java.util.*`` (``List`` is AWT's here),
    and a class of the candidate's named like a ``java.util`` one is theirs."""
    source = (
        "import java.awt.List;\n"
        "import java.util.ArrayList;\n"
        "class Stack { int size() { return 42; } }\n"
        "public class Main {\n"
        "    public static void main(String[] args) {\n"
        "        List awt = null;\n"
        "        java.util.List<Integer> xs = new ArrayList<>(Arrays.asList(3, 1, 2));\n"
        "        Collections.sort(xs);\n"
        '        System.out.println(xs + " " + new Stack().size() + " " + (awt == null));\n'
        "    }\n"
        "}\n"
    )
    result = runner.run(Program("Main.java", {"Main.java": source}), "java")
    compiled(result)
    assert result.run is not None
    assert result.run.stdout == "[1, 2, 3] 42 true\n", show(result)


@needs_java
def test_java_package_declaration_after_comments_still_compiles(runner: Runner) -> None:
    """The imports go after the ``package`` line (comments before it are skipped)."""
    helper = (
        "/* A helper in its own package.\n"
        "   package not.this.one; */\n"
        "// package nor.this;\n"
        "package util;\n"
        "public class Sorter {\n"
        "    public static List<Integer> sorted(List<Integer> xs) {\n"
        "        List<Integer> copy = new ArrayList<>(xs);\n"
        "        Collections.sort(copy);\n"
        "        return copy;\n"
        "    }\n"
        "}\n"
    )
    main = (
        "public class Main {\n"
        "    public static void main(String[] args) {\n"
        "        System.out.println(util.Sorter.sorted(List.of(3, 1, 2)));\n"
        "    }\n"
        "}\n"
    )
    program = Program("Main.java", {"Main.java": main, "util/Sorter.java": helper})
    result = runner.run(program, "java")
    compiled(result)
    assert result.run is not None
    assert result.run.stdout == "[1, 2, 3]\n", show(result)


@needs_java
def test_java_compile_errors_keep_the_candidates_line_numbers(runner: Runner) -> None:
    source = (
        "class Solution {\n"
        "    public int f(int n) {\n"
        "        Map<Integer, Integer> m = new HashMap<>();\n"
        "        return undefinedName + n;\n"
        "    }\n"
        "}\n"
    )
    program = Program("Solution.java", {"Solution.java": source})
    result = runner.run(program, "java", suite=suite("f", {"n": "int"}, "int", [[[1], 1]]))
    assert result.compile is not None
    assert result.compile.status == "compilation_error"
    assert "Solution.java:4: error: cannot find symbol" in result.compile.output
    assert "undefinedName" in result.compile.output
    assert "Solution.java:3" not in result.compile.output


@needs_java
def test_java_value_out_of_range_is_a_clear_error(runner: Runner) -> None:
    """A long the candidate declared as int is named, not cut."""
    source = "class Solution {\n    public long f(int h) { return h; }\n}\n"
    program = Program("Solution.java", {"Solution.java": source})
    tests = [[[10**15], 10**15], [[7], 7]]
    result = runner.run(program, "java", suite=suite("f", {"h": "long"}, "long", tests))
    compiled(result)
    assert statuses(result) == ["runtime_error", "accepted"], show(result)
    assert "1000000000000000 does not fit in Java int" in messages(result)[0]


@needs_java
def test_java_string_concatenation_reads_as_the_language_defines_it(runner: Runner) -> None:
    """Sources compile with ``-XDstringConcat=inline`` (StringBuilder calls, no run-time
    bootstrap per call site): every operand type still converts as the JLS says, in order,
    and a function-call test's printed output and timing still reach the result."""
    source = (
        "class Solution {\n"
        "    public String f(int n) {\n"
        "        Object none = null; char c = 'x'; long big = 1L << 40; double half = 0.5;\n"
        '        int[] arr = null; StringBuilder sb = new StringBuilder("sb");\n'
        '        System.out.println("printed " + n);\n'
        '        return n + 1 + "|" + none + c + big + half + 1.0f / 3 + true + arr + sb\n'
        "            + (char) (c + 1) + (n + 1) + Long.MIN_VALUE + Double.NaN + 'y' + 2;\n"
        "    }\n"
        "}\n"
    )
    program = Program("Solution.java", {"Solution.java": source})
    expected = "3|nullx10995116277760.50.33333334truenullsby3-9223372036854775808NaNy2"
    result = runner.run(
        program, "java", suite=suite("f", {"n": "int"}, "string", [[[2], expected]])
    )
    compiled(result)
    assert statuses(result) == ["accepted"], show(result)
    assert result.tests[0].stdout == "printed 2\n"
    assert result.tests[0].time_ms is not None
    assert result.tests[0].time_ms >= 0


# ---------------------------------------------------------------------------- C++

CPP_LEETCODE = """\
class Solution {
public:
    vector<int> kSmallest(vector<int>& nums, int k) {
        auto cmp = [](const pair<int, int>& a, const pair<int, int>& b) {
            return a.first > b.first;
        };
        priority_queue<pair<int, int>, vector<pair<int, int>>, decltype(cmp)> heap;
        for (int i = 0; i < (int)nums.size(); i++) heap.push({nums[i], i});
        vector<int> out;
        while (k-- > 0 && !heap.empty()) {
            out.push_back(heap.top().first);
            heap.pop();
        }
        unordered_map<int, int> seen;
        set<int> ordered(out.begin(), out.end());
        auto total = accumulate(out.begin(), out.end(), 0LL) + seen.size() + ordered.count(-1);
        (void)total;
        ranges::sort(out);
        return out;
    }
};
"""


@needs_cpp
def test_cpp20_leetcode_code_without_includes_is_accepted(runner: Runner) -> None:
    program = Program("solution.cpp", {"solution.cpp": CPP_LEETCODE})
    tests = [[[[5, 1, 4, 2], 2], [1, 2]], [[[3], 5], [3]]]
    result = runner.run(
        program, "cpp", suite=suite("kSmallest", {"nums": "int[]", "k": "int"}, "int[]", tests)
    )
    compiled(result)
    assert statuses(result) == ["accepted", "accepted"], show(result)


@needs_cpp
def test_cpp_plain_run_without_includes_over_several_files(runner: Runner) -> None:
    main = (
        '#include "helper.h"\n'
        "int main() {\n"
        "    vector<int> v{3, 1, 2};\n"
        "    sort(v.begin(), v.end());\n"
        "    cout << join(v) << endl;\n"
        "}\n"
    )
    header = "string join(const vector<int>& v);\n"
    helper = (
        '#include "helper.h"\n'
        "string join(const vector<int>& v) {\n"
        "    string out;\n"
        "    for (int x : v) out += to_string(x);\n"
        "    return out;\n"
        "}\n"
    )
    program = Program("main.cpp", {"main.cpp": main, "helper.h": header, "helper.cpp": helper})
    result = runner.run(program, "cpp")
    compiled(result)
    assert result.run is not None
    assert result.run.stdout == "123\n", show(result)


@needs_cpp
def test_cpp_compile_errors_keep_the_candidates_line_numbers(runner: Runner) -> None:
    source = (
        "class Solution {\n"
        "public:\n"
        "    int f(int n) {\n"
        "        vector<int> v;\n"
        "        return undefinedName + n;\n"
        "    }\n"
        "};\n"
    )
    program = Program("solution.cpp", {"solution.cpp": source})
    result = runner.run(program, "cpp", suite=suite("f", {"n": "int"}, "int", [[[1], 1]]))
    assert result.compile is not None
    assert result.compile.status == "compilation_error"
    assert "solution.cpp:5:" in result.compile.output
    assert "undefinedName" in result.compile.output
    assert "was not declared in this scope" in result.compile.output


CPP_WIDTHS = """\
class Solution {
public:
    long long asInt(int h) { return h; }
    long long asLong(long long h) { return h; }
    long long widened(long long h) { return h; }
    long long fromDouble(int x) { return x; }
};
"""


@needs_cpp
def test_cpp_values_that_do_not_fit_are_clear_errors(runner: Runner) -> None:
    """10^15 for an int parameter is refused; an int method for a long signature is refused
    before any call (no test ever sees a cut value); a wider parameter is fine."""
    program = Program("solution.cpp", {"solution.cpp": CPP_WIDTHS})

    into_int = runner.run(
        program,
        "cpp",
        suite=suite("asInt", {"h": "int"}, "long", [[[10**15], 10**15], [[1.5], 1], [[7], 7]]),
    )
    compiled(into_int)
    assert statuses(into_int) == ["runtime_error", "runtime_error", "accepted"], show(into_int)
    assert "parameter 'h' (int): 1000000000000000 does not fit in int" in messages(into_int)[0]
    assert "parameter 'h' (int): expected int, got number 1.5" in messages(into_int)[1]

    narrowed = runner.run(
        program, "cpp", suite=suite("asInt", {"h": "long"}, "long", [[[10**15], 10**15], [[7], 7]])
    )
    compiled(narrowed)
    assert statuses(narrowed) == ["runtime_error", "runtime_error"], show(narrowed)
    assert messages(narrowed)[0].startswith(
        "method asInt in solution.cpp declares a parameter narrower than the signature's "
        "(long long&): its values would be silently cut"
    )

    from_double = runner.run(
        program, "cpp", suite=suite("fromDouble", {"x": "double"}, "long", [[[2.5], 2]])
    )
    assert statuses(from_double) == ["runtime_error"], show(from_double)
    assert (
        "declares a parameter narrower than the signature's (double&)" in messages(from_double)[0]
    )

    wider = runner.run(
        program, "cpp", suite=suite("widened", {"h": "int"}, "long", [[[-(2**31)], -(2**31)]])
    )
    assert statuses(wider) == ["accepted"], show(wider)
