"""The precompiled ``bits/stdc++.h``: built once beside the compile cache, used by compiles
once ready, and never needed for a compile to work."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from interviewkit.execution.precompiled import PrecompiledHeaders, with_headers
from interviewkit.languages import PrecompiledHeader
from tests.execution.conftest import Program, Runner, needs

pytestmark = needs("cpp")

LEETCODE_STYLE = """
int main() {
    vector<int> v{3, 1, 2};
    sort(v.begin(), v.end());
    unordered_map<int, int> seen;
    for (int x : v) seen[x]++;
    cout << v[0] << v[1] << v[2] << ' ' << seen.size() << ' ' << TAG << endl;
}
"""


def _program(tag: int) -> Program:
    # a distinct source per run, so the compile cache never answers instead of g++
    return Program("main.cpp", {"main.cpp": f"#define TAG {tag}\n{LEETCODE_STYLE}"})


def test_compiles_use_the_header_once_built_and_agree_with_compiles_without(
    runner: Runner,
) -> None:
    chain = runner.planner.registry.available()["cpp"]
    before = runner.run(_program(1), "cpp")
    folder = runner.engine.headers.wait(chain)
    assert folder is not None, "the precompiled header did not build"
    gch = folder / "bits" / "stdc++.h.gch"
    assert gch.is_file()
    assert (folder / "bits" / "stdc++.h").is_file()
    assert folder.stat().st_mode & 0o005 == 0o005, "the sandbox user must read the folder"
    after = runner.run(_program(2), "cpp")
    for result, tag in ((before, 1), (after, 2)):
        assert result.status == "accepted", result.compile
        assert result.run is not None
        assert result.run.stdout == f"123 3 {tag}\n"
    assert after.compile is not None
    assert after.compile.output == ""
    # a later engine on the same cache finds it ready, without building again
    again = PrecompiledHeaders(folder.parent)
    assert again.folder(chain) == folder


def test_a_header_that_cannot_be_built_leaves_compiles_working(
    runner: Runner, tmp_path: Path
) -> None:
    chain = runner.planner.registry.available()["cpp"]
    broken_spec = replace(
        chain.spec, precompiled_header=PrecompiledHeader("no/such/header.h", ("-O2",))
    )
    broken = replace(chain, spec=broken_spec)
    headers = PrecompiledHeaders(tmp_path / "pch")
    assert headers.wait(broken) is None
    assert not any((tmp_path / "pch").glob("*/.ready"))


@pytest.mark.parametrize("folder", [None, Path("/some/where")])
def test_the_include_flag_follows_the_compiler(folder: Path | None) -> None:
    command = ["/usr/bin/g++", "-O2", "main.cpp"]
    flagged = with_headers(command, folder)
    assert flagged == (command if folder is None else ["/usr/bin/g++", "-I/pch", *command[1:]])
