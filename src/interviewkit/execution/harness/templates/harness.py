"""interviewkit function-call harness for Python (generated next to the candidate's files).

Calls the candidate's entry point once per test in $IK_TESTS, from index $IK_START, and writes
one JSON object per line to the inherited descriptor $IK_RESULT_FD. Expected values never
reach this process: it only reports what the function returned; the host compares.
"""

# os.path rather than pathlib keeps the harness's start-up imports minimal.
# ruff: noqa: PTH100, PTH109, PTH113, PTH118, PTH119, PTH120, PTH122, PTH123

from __future__ import annotations

import collections
import contextlib
import importlib.util
import inspect
import io
import json
import math
import numbers
import os
import sys
import threading
import time
import traceback
import typing
from collections.abc import Callable
from types import ModuleType, TracebackType
from typing import Any

# Replaced by the generator with this problem's configuration.
_CONFIG_JSON = '{"entry_file":"solution.py","entry_point":"solve","signature":null}'  # @ik-config

HARNESS_FILE = os.path.abspath(__file__)
# LeetCode's environment (languages/prelude/python.py), which the interpreter imports as
# sitecustomize when PYTHONPATH names its folder; loaded by path when it did not.
PRELUDE_FILE = os.path.join("__ik_site", "sitecustomize.py")
MAX_NODES = 10**6
INT_RANGES = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
THREAD_STACK_SIZES = (512 << 20, 256 << 20, 64 << 20)
TRACEBACK_FRAMES = 20
# Annotation names LeetCode-style code uses without importing them (without the prelude).
TYPING_NAMES = ("List", "Dict", "Set", "FrozenSet", "Tuple", "Optional", "Union", "Any")


class ListNode:
    """LeetCode's definition, used when neither the prelude nor the candidate defines one."""

    def __init__(self, val: int = 0, next: ListNode | None = None) -> None:
        self.val = val
        self.next = next


class TreeNode:
    """LeetCode's definition, used when neither the prelude nor the candidate defines one."""

    def __init__(
        self, val: int = 0, left: TreeNode | None = None, right: TreeNode | None = None
    ) -> None:
        self.val = val
        self.left = left
        self.right = right


# The classes inputs are built with: the candidate's own if its module defines them.
NODE_CLASSES: dict[str, type] = {"ListNode": ListNode, "TreeNode": TreeNode}


class HarnessError(Exception):
    """A failure the harness itself detected; reported as runtime_error without a traceback."""


class ConversionError(HarnessError):
    """An argument does not match its declared type; ``where`` is e.g. ``nums[3]``."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(f"{where}: {detail}")
        self.where = where
        self.detail = detail


class CappedSink(io.BufferedIOBase):
    """Keeps the first ``limit`` bytes the candidate prints and silently drops the rest."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.data = bytearray()
        self.truncated = False

    @property
    def name(self) -> str:
        return "<stdout>"

    def writable(self) -> bool:
        return True

    def write(self, b: Any, /) -> int:
        chunk = bytes(b)
        room = self.limit - len(self.data)
        if len(chunk) > room:
            self.truncated = True
        if room > 0:
            self.data += chunk[:room]
        return len(chunk)

    def take(self) -> str:
        data = bytes(self.data)
        if self.truncated:
            data = trim_partial_utf8(data)
        self.data.clear()
        self.truncated = False
        return data.decode("utf-8", errors="replace")


def trim_partial_utf8(data: bytes) -> bytes:
    """Drop a multi-byte character cut in half by the stdout limit."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:
            continue
        if byte >> 5 == 0b110:
            need = 2
        elif byte >> 4 == 0b1110:
            need = 3
        elif byte >> 3 == 0b11110:
            need = 4
        else:
            need = 1
        return data[:-back] if need > back else data
    return data


def json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if json_kind(value) != "object" else "{...}"
    return text if len(text) <= 40 else text[:37] + "..."


def new_node(type_name: str, value: int, where: str) -> Any:
    """One node of the class in use, built the way LeetCode's constructor is called."""
    cls = NODE_CLASSES[type_name]
    try:
        node = cls(value)
    except Exception as exc:  # the candidate's own class may take other arguments
        raise ConversionError(
            where, f"cannot create {type_name}({value}): {type(exc).__name__}: {exc}"
        ) from None
    links = ("next",) if type_name == "ListNode" else ("left", "right")
    for link in links:
        if not hasattr(node, link):
            setattr(node, link, None)
    if getattr(node, "val", None) != value:
        node.val = value
    return node


def build_list(value: Any, where: str) -> Any:
    """LeetCode's ``[1,2,3]`` as linked ListNodes; ``[]`` is None."""
    if not isinstance(value, list):
        raise ConversionError(where, f"expected ListNode (an array of int), got {json_kind(value)}")
    values = [convert_arg(item, "int", f"{where}[{i}]") for i, item in enumerate(value)]
    head = None
    for i in range(len(values) - 1, -1, -1):
        node = new_node("ListNode", values[i], f"{where}[{i}]")
        node.next = head
        head = node
    return head


def build_tree(value: Any, where: str) -> Any:
    """LeetCode's level order (``[3,9,20,null,null,15,7]``) as TreeNodes; ``[]`` is None."""
    if not isinstance(value, list):
        raise ConversionError(
            where,
            f"expected TreeNode (a level-order array of ints and nulls), got {json_kind(value)}",
        )
    values = [
        None if item is None else convert_arg(item, "int", f"{where}[{i}]")
        for i, item in enumerate(value)
    ]
    if not values or values[0] is None:
        extra = next((i for i, item in enumerate(values) if item is not None), None)
        if extra is not None:
            raise ConversionError(f"{where}[{extra}]", "a value below a null root")
        return None
    root = new_node("TreeNode", values[0], f"{where}[0]")
    parents = collections.deque([root])
    index = 1
    while index < len(values):
        if not parents:
            raise ConversionError(
                f"{where}[{index}]", "a value whose parent is null (too many values for the tree)"
            )
        parent = parents.popleft()
        for side in ("left", "right"):
            if index >= len(values):
                break
            item = values[index]
            if item is not None:
                child = new_node("TreeNode", item, f"{where}[{index}]")
                setattr(parent, side, child)
                parents.append(child)
            index += 1
    return root


def convert_arg(value: Any, type_name: str, where: str) -> Any:
    """Check a JSON argument against its declared type; doubles become floats."""
    if type_name.endswith("[]"):
        if not isinstance(value, list):
            raise ConversionError(where, f"expected {type_name}, got {json_kind(value)}")
        inner = type_name[:-2]
        return [convert_arg(item, inner, f"{where}[{i}]") for i, item in enumerate(value)]
    if type_name == "ListNode":
        return build_list(value, where)
    if type_name == "TreeNode":
        return build_tree(value, where)
    if type_name == "char":
        if not isinstance(value, str) or len(value) != 1 or ord(value) > 127:
            got = describe(value) if isinstance(value, str) else json_kind(value)
            raise ConversionError(where, f"expected char (a one-character ASCII string), got {got}")
        return value
    if type_name in INT_RANGES:
        if isinstance(value, bool) or not isinstance(value, int):
            got = f"number {describe(value)}" if isinstance(value, float) else json_kind(value)
            raise ConversionError(where, f"expected {type_name}, got {got}")
        low, high = INT_RANGES[type_name]
        if not low <= value <= high:
            raise ConversionError(where, f"{value} does not fit in {type_name}")
        return value
    if type_name == "double":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConversionError(where, f"expected double, got {json_kind(value)}")
        try:
            result = float(value)
        except OverflowError:
            result = math.inf
        if not math.isfinite(result):
            raise ConversionError(where, f"{describe(value)} is out of range for double")
        return result
    if type_name == "bool":
        if not isinstance(value, bool):
            raise ConversionError(where, f"expected bool, got {json_kind(value)}")
        return value
    if not isinstance(value, str):
        raise ConversionError(where, f"expected string, got {json_kind(value)}")
    return value


def list_to_json(head: Any) -> list[Any]:
    """A returned linked list as LeetCode's array; a cycle or a huge list is an error."""
    seen: set[int] = set()
    values: list[Any] = []
    node = head
    while node is not None:
        if id(node) in seen:
            raise HarnessError(
                f"returned ListNode has a cycle: node {len(values)} links back to an earlier node"
            )
        if len(values) >= MAX_NODES:
            raise HarnessError(f"returned ListNode has more than {MAX_NODES} nodes")
        seen.add(id(node))
        try:
            values.append(to_json(node.val, "int", set()))
            node = node.next
        except AttributeError as exc:
            raise HarnessError(f"returned ListNode: {exc}") from None
    return values


def tree_to_json(root: Any) -> list[Any]:
    """A returned tree in LeetCode's level order; a node reached twice is an error."""
    seen: set[int] = set()
    values: list[Any] = []
    level = collections.deque([root])
    while level:
        node = level.popleft()
        if node is None:
            values.append(None)
            continue
        if id(node) in seen:
            raise HarnessError(
                "returned TreeNode reaches a node twice (a cycle, or a node shared by two "
                "parents): it is not a tree"
            )
        if len(seen) >= MAX_NODES:
            raise HarnessError(f"returned TreeNode has more than {MAX_NODES} nodes")
        seen.add(id(node))
        try:
            values.append(to_json(node.val, "int", set()))
            level.append(node.left)
            level.append(node.right)
        except AttributeError as exc:
            raise HarnessError(f"returned TreeNode: {exc}") from None
    while values and values[-1] is None:
        values.pop()
    return values


def node_kind(value: Any) -> str | None:
    """Which LeetCode node an undeclared return value looks like (by its fields)."""
    if hasattr(value, "val") and hasattr(value, "next"):
        return "ListNode"
    if hasattr(value, "val") and hasattr(value, "left") and hasattr(value, "right"):
        return "TreeNode"
    return None


def to_json(value: Any, type_name: str | None, active: set[int]) -> Any:
    """The return value as plain JSON data; tuples become lists and sets sorted lists."""
    if type_name == "ListNode":
        return list_to_json(value)
    if type_name == "TreeNode":
        return tree_to_json(value)
    if value is None or isinstance(value, bool | str):
        return value
    base = type_name.replace("[]", "") if type_name else None
    if isinstance(value, numbers.Real):
        if isinstance(value, numbers.Integral) and base != "double":
            return int(value)
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise HarnessError(f"return value contains {number}, which JSON cannot represent")
        return number
    if isinstance(value, list | tuple | set | frozenset | dict):
        if id(value) in active:
            raise HarnessError("return value contains a reference cycle")
        active.add(id(value))
        try:
            inner = type_name[:-2] if type_name and type_name.endswith("[]") else type_name
            if isinstance(value, dict):
                return {
                    str(key) if not isinstance(key, str) else key: to_json(item, None, active)
                    for key, item in value.items()
                }
            items = [to_json(item, inner, active) for item in value]
            if isinstance(value, set | frozenset):
                try:
                    items.sort()
                except TypeError as exc:
                    raise HarnessError(
                        f"return value of type {type(value).__name__} cannot be converted to "
                        "JSON: its elements cannot be sorted"
                    ) from exc
            return items
        finally:
            active.discard(id(value))
    kind = node_kind(value) if type_name is None else None
    if kind is not None:
        return to_json(value, kind, active)
    raise HarnessError(f"return value of type {type(value).__name__} cannot be converted to JSON")


def dump_line(obj: dict[str, Any]) -> bytes:
    """One compact JSON line, UTF-8; lone surrogates are escaped instead of failing."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        text = json.dumps(obj, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
        return text.encode("ascii") + b"\n"


def relative(text: str) -> str:
    """Show workspace paths the way the candidate sees them."""
    return text.replace(os.getcwd() + os.sep, "")


def preloaded() -> dict[str, Any]:
    """LeetCode's preloaded names for the candidate's module (the prelude's, or a minimum)."""
    site = sys.modules.get("sitecustomize")
    names = getattr(site, "ik_preloaded", None)
    path = os.path.join(os.path.dirname(HARNESS_FILE), PRELUDE_FILE)
    if not callable(names) and os.path.isfile(path):
        spec = importlib.util.spec_from_file_location("__ik_prelude", path)
        if spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            names = getattr(module, "ik_preloaded", None)
    if callable(names):
        return dict(names())
    fallback: dict[str, Any] = {alias: getattr(typing, alias) for alias in TYPING_NAMES}
    return {**fallback, "ListNode": ListNode, "TreeNode": TreeNode}


def format_exception(exc: BaseException) -> str:
    """``Type: message`` followed by the candidate's last frames (harness frames dropped)."""
    tb: TracebackType | None = exc.__traceback__
    while tb is not None and (
        tb.tb_frame.f_code.co_filename == HARNESS_FILE
        or tb.tb_frame.f_code.co_filename.startswith("<frozen importlib")
    ):
        tb = tb.tb_next
    # Find the last frames by hand: formatting a million-frame RecursionError is slow.
    tail: collections.deque[TracebackType] = collections.deque(maxlen=TRACEBACK_FRAMES)
    total = 0
    while tb is not None:
        tail.append(tb)
        total += 1
        tb = tb.tb_next
    head = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if tail:
        head += "\nTraceback (most recent call last):\n"
        if total > len(tail):
            head += f"  ... {total - len(tail)} earlier frames omitted\n"
        head += "".join(traceback.format_tb(tail[0])).rstrip("\n")
    return relative(head)


class Harness:
    """Loads the candidate's module once, then runs the tests one after another."""

    def __init__(self, config: dict[str, Any], limit: int, out: Callable[[bytes], None]) -> None:
        self.entry_file: str = config["entry_file"]
        self.entry_point: str = config["entry_point"]
        signature = config.get("signature")
        self.params: list[dict[str, str]] | None = signature["params"] if signature else None
        self.returns: str | None = signature["returns"] if signature else None
        self.out = out
        self.sink = CappedSink(limit)
        self.capture = io.TextIOWrapper(
            self.sink, encoding="utf-8", errors="backslashreplace", write_through=True
        )
        self.real_stdout = sys.stdout
        self.preloaded: dict[str, Any] = {}

    def emit(self, obj: dict[str, Any]) -> None:
        self.out(dump_line(obj))

    def drain(self) -> None:
        """Output printed outside a test (e.g. at import) goes to the real stdout."""
        with contextlib.suppress(Exception):  # the candidate may have broken sys.stdout
            sys.stdout.flush()
        leftover = self.sink.take()
        if leftover:
            self.real_stdout.write(leftover)
            self.real_stdout.flush()

    def load(self) -> Callable[[], Callable[..., Any]]:
        """A factory for the function to call: module function, or a fresh Solution's method."""
        path = self.entry_file
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in sys.path:
            sys.path.insert(0, directory)
        stem = os.path.splitext(os.path.basename(path))[0]
        name = stem if stem.isidentifier() else "solution"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise HarnessError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        self.preloaded = preloaded()
        for preloaded_name, value in self.preloaded.items():
            setattr(module, preloaded_name, value)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except FileNotFoundError as exc:
            raise HarnessError(f"cannot load {path}: file not found") from exc
        except BaseException as exc:  # any failure while loading is reported
            raise HarnessError(f"error while loading {path}: {format_exception(exc)}") from exc
        for node_type in NODE_CLASSES:  # the candidate's own class wins
            own = module.__dict__.get(node_type)
            if isinstance(own, type):
                NODE_CLASSES[node_type] = own
        return self.resolve(module)

    def resolve(self, module: ModuleType) -> Callable[[], Callable[..., Any]]:
        name = self.entry_point
        function = module.__dict__.get(name)
        # a preloaded name is not the candidate's function: `merge` is heapq.merge until
        # the candidate defines one, and Solution.merge is the entry point
        own = function is not self.preloaded.get(name)
        if callable(function) and not isinstance(function, type) and own:
            return lambda: function
        solution = module.__dict__.get("Solution")
        if isinstance(solution, type) and callable(getattr(solution, name, None)):
            return lambda: getattr(solution(), name)
        raise HarnessError(
            f"entry point {name!r} not found in {self.entry_file} (expected a function "
            f"{name}() or a method {name}() of class Solution)"
        )

    def check_arity(self, function: Callable[..., Any], args: list[Any]) -> None:
        try:
            signature = inspect.signature(function)
        except (TypeError, ValueError):
            return
        try:
            signature.bind(*args)
        except TypeError as exc:
            raise HarnessError(
                f"entry point {self.entry_point!r} cannot be called with {len(args)} "
                f"argument(s): {exc}"
            ) from None

    def convert_args(self, args: Any) -> list[Any]:
        if not isinstance(args, list):
            raise HarnessError("test arguments must be a JSON array")
        if self.params is None:
            return args
        if len(args) != len(self.params):
            names = ", ".join(p["name"] for p in self.params)
            raise HarnessError(
                f"the test provides {len(args)} argument(s) but the signature declares "
                f"{len(self.params)} parameter(s) ({names})"
            )
        converted = []
        for param, value in zip(self.params, args, strict=True):
            try:
                converted.append(convert_arg(value, param["type"], param["name"]))
            except ConversionError as exc:
                at = "" if exc.where == param["name"] else f" at {exc.where}"
                raise HarnessError(
                    f"parameter {param['name']!r} ({param['type']}){at}: {exc.detail}"
                ) from None
        return converted

    @staticmethod
    def failure(
        message: str, kind: str = "runtime_error", stdout: str = "", time_ms: float = 0.0
    ) -> dict[str, Any]:
        return {"ok": False, "kind": kind, "error": message, "stdout": stdout, "time_ms": time_ms}

    def run_one(self, factory: Callable[[], Callable[..., Any]], raw_args: Any) -> dict[str, Any]:
        try:
            args = self.convert_args(raw_args)
        except HarnessError as exc:
            return self.failure(str(exc))
        self.drain()
        sys.stdout = self.capture
        error: tuple[str, str] | None = None
        value: Any = None
        started = time.perf_counter()
        try:
            function = factory()
            self.check_arity(function, args)
            value = function(*args)
        except HarnessError as exc:
            error = ("runtime_error", str(exc))
        except MemoryError as exc:
            error = ("memory_limit_exceeded", format_exception(exc))
        except BaseException as exc:  # SystemExit etc. are the candidate's too
            error = ("runtime_error", format_exception(exc))
        elapsed = round((time.perf_counter() - started) * 1000, 3)
        with contextlib.suppress(Exception):  # the candidate may have broken sys.stdout
            sys.stdout.flush()
        sys.stdout = self.capture
        self.capture.flush()
        stdout = self.sink.take()
        if error is not None:
            return self.failure(error[1], error[0], stdout=stdout, time_ms=elapsed)
        try:
            actual = to_json(value, self.returns, set())
        except HarnessError as exc:
            return self.failure(str(exc), stdout=stdout, time_ms=elapsed)
        except RecursionError:
            return self.failure(
                f"return value of type {type(value).__name__} is nested too deeply for JSON",
                stdout=stdout,
                time_ms=elapsed,
            )
        return {"ok": True, "actual": actual, "stdout": stdout, "time_ms": elapsed}

    def run(self, tests: list[Any], start: int) -> None:
        sys.stdout = self.capture
        factory: Callable[[], Callable[..., Any]] | None = None
        load_error = ""
        try:
            factory = self.load()
        except HarnessError as exc:
            load_error = str(exc)
        for index in range(max(start, 0), len(tests)):
            self.emit({"event": "start", "index": index})
            if factory is None:
                result = self.failure(load_error)
            else:
                result = self.run_one(factory, tests[index])
            self.emit({"event": "result", "index": index, **result})
        self.drain()
        sys.stdout = self.real_stdout


def open_results() -> Callable[[bytes], None]:
    """Writer for the result channel: the inherited descriptor, else a copy of stdout."""
    fd_text = os.environ.pop("IK_RESULT_FD", None)
    fd = int(fd_text) if fd_text else os.dup(1)
    stream = os.fdopen(fd, "wb", buffering=1 << 16, closefd=False)

    def write(line: bytes) -> None:
        stream.write(line)
        stream.flush()

    return write


def run_in_big_thread(target: Callable[[], None]) -> None:
    """Deep recursion needs a big C stack; fall back to smaller ones where refused."""
    for size in THREAD_STACK_SIZES:
        try:
            threading.stack_size(size)
            thread = threading.Thread(target=target, name="ik-harness")
            thread.start()
        except (ValueError, RuntimeError, MemoryError):
            continue
        finally:
            threading.stack_size(0)  # threads the candidate starts get the default again
        thread.join()
        return
    target()


def main() -> None:
    config = json.loads(_CONFIG_JSON)
    tests_path = os.environ.pop("IK_TESTS", "")
    start = int(os.environ.pop("IK_START", "0") or 0)
    limit = int(os.environ.pop("IK_STDOUT_LIMIT", "65536") or 65536)
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)
    try:
        with open(tests_path, encoding="utf-8") as handle:
            tests = json.load(handle)["tests"]
        if not isinstance(tests, list):
            raise TypeError("'tests' must be a JSON array")
    except Exception as exc:  # the harness cannot run without its tests
        sys.stderr.write(f"interviewkit harness: cannot read tests from {tests_path!r}: {exc}\n")
        sys.stderr.flush()
        os._exit(2)
    out = open_results()
    sys.setrecursionlimit(10**6)
    harness = Harness(config, limit, out)
    failure: list[BaseException] = []

    def body() -> None:
        try:
            harness.run(tests, start)
        except BaseException as exc:  # reported below, exit code says so
            failure.append(exc)

    run_in_big_thread(body)
    with contextlib.suppress(Exception):  # nothing left to report to
        if sys.__stdout__ is not None:
            sys.__stdout__.flush()
    if failure:
        sys.stderr.write("interviewkit harness failed:\n" + format_exception(failure[0]) + "\n")
        sys.stderr.flush()
        os._exit(3)
    os._exit(0)


if __name__ == "__main__":
    main()
