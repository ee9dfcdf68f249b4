"""Draw docs/execution-performance.png from the JSON document of ``exec_bench.py``.

Two panels, each figure beside the floor measured in the same run: latencies (HTTP
hello-world and 10-test submissions against a bare spawn of the same runtime, with the
issue-17 targets as marks), and HumanEval runs/s at each concurrency over HTTP against
bare spawns/s. Run from bench/: ``../.venv/bin/python exec_chart.py RESULT.json [PNG]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

DEFAULT_PNG = Path(__file__).resolve().parent.parent / "docs" / "execution-performance.png"
LATENCY_TARGETS_MS = {"java": 80.0, "javascript": 50.0}


def _latency_rows(report: dict[str, Any]) -> list[tuple[str, float, float | None, float | None]]:
    """(label, measured p50, floor p50, target) per bar pair."""
    hello = report["hello_http"]
    bare = {name: figures["bare"]["p50"] for name, figures in report["engine"]["hello"].items()}
    rows = [
        (
            "python hello\nHTTP",
            hello["http"]["p50"],
            hello["bare"]["p50"],
            1.3 * hello["bare"]["p50"] if hello["bare"]["p50"] else None,
        )
    ]
    for language, figures in report["submission_http"].items():
        if figures.get("p50") is not None:
            target = LATENCY_TARGETS_MS.get(language)
            rows.append((f"{language}\n10 tests", figures["p50"], bare.get(language), target))
    return rows


def _latencies(axes: Axes, report: dict[str, Any]) -> None:
    rows = _latency_rows(report)
    positions = range(len(rows))
    width = 0.38
    axes.bar([p - width / 2 for p in positions], [r[1] for r in rows], width, label="over HTTP")
    floors = [r[2] or 0 for r in rows]
    axes.bar([p + width / 2 for p in positions], floors, width, label="bare spawn (floor)")
    for position, row in zip(positions, rows, strict=True):
        if row[3] is not None:
            axes.hlines(row[3], position - 0.45, position + 0.45, colors="black", linestyles="--")
    axes.set_xticks(list(positions), [r[0] for r in rows], fontsize=8)
    axes.set_ylabel("p50, ms (dashed: issue-17 target)")
    axes.set_title("Latency against the floor")
    axes.legend(fontsize=8)


def _throughput(axes: Axes, report: dict[str, Any]) -> None:
    levels = report["humaneval"]["by_clients"]
    clients = [int(level) for level in levels]
    http = [figures["http"]["runs_per_second"] for figures in levels.values()]
    bare = [figures["bare_spawns_per_second"] for figures in levels.values()]
    axes.plot(clients, http, marker="o", label="HTTP, sandboxed")
    axes.plot(clients, bare, marker="s", label="bare python3 spawns (floor)")
    axes.axhline(80, color="black", linestyle="--", label="target 80 runs/s")
    axes.set_xscale("log", base=2)
    axes.set_xticks(clients, [str(c) for c in clients])
    axes.set_xlabel("concurrent clients")
    axes.set_ylabel("HumanEval runs/s")
    axes.set_title("Throughput, 164 HumanEval programs")
    axes.legend(fontsize=8)


def draw(report: dict[str, Any], output: Path) -> None:
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    _latencies(left, report)
    _throughput(right, report)
    load = report["machine"].get("load_average_at_start")
    figure.suptitle(
        f"exec_bench on {report['machine']['cpu_count']} cores"
        + (f" (load average {load[0]} at start: a shared machine)" if load else ""),
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(output, dpi=110)
    plt.close(figure)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    report = json.loads(Path(argv[0]).read_text())
    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_PNG
    draw(report, output)
    print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
