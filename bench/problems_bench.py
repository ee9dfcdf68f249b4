"""Speed of the problem bank, each figure next to its baseline from the same run.

* ``validate``: wall time of ``interviewkit problems validate`` over the whole bank in every
  language, with an empty compile cache (every reference and starter compiled) and then
  with the cache that run filled (the second run recompiles nothing).
* ``selection``: the adaptive pick on a synthetic 1,000-problem bank after ten answers
  (EAP estimate + maximum information + randomesque choice), p50/p95, against a plain
  Python ``max`` over the same items' information (the floor of any selection).
* ``next_question``: ``POST /api/v1/candidates/{id}/next-question`` of a real server over a
  1,000-problem bank (the pick, the session with starter code, the attempt row), against
  ``POST /api/v1/sessions`` on the same server (the session creation it includes).

One JSON document goes to stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml
from rich.console import Console

from api_bench import create_api_key, interviewkit_command, machine, running_server
from interviewkit.problems.adaptive import Item, Response, estimate, select
from interviewkit.problems.bank import BANK_DIR

console = Console(stderr=True)
SYNTHETIC = 1000


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    cut = statistics.quantiles(ordered, n=100)
    return {"p50_ms": round(cut[49], 3), "p95_ms": round(cut[94], 3)}


# ---- validate --------------------------------------------------------------------------


def timed_validate(data_dir: Path, *extra: str) -> float:
    command = [*interviewkit_command(data_dir, None), "problems", "validate", *extra]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"validate failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return time.perf_counter() - started


def bench_validate() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        data_dir.chmod(0o711)
        console.print("validate: empty compile cache ...")
        cold = timed_validate(data_dir)
        console.print("validate: warm compile cache ...")
        warm = timed_validate(data_dir)
    problems = len(list(BANK_DIR.glob("*.yaml")))
    return {
        "problems": problems,
        "languages": 4,
        "cache_miss_s": round(cold, 1),
        "cache_hit_s": round(warm, 1),
        "hit_over_miss": round(warm / cold, 3),
    }


# ---- selection ---------------------------------------------------------------------------


def synthetic_items(rng: random.Random) -> list[Item]:
    return [Item(f"p{i}", rng.uniform(0.8, 2.0), rng.uniform(-3, 3)) for i in range(SYNTHETIC)]


def bench_selection(rounds: int) -> dict[str, Any]:
    rng = random.Random(5)
    items = synthetic_items(rng)
    answers = [Response(item.a, item.b, rng.random()) for item in items[:10]]
    pool = items[10:]
    ours, floor = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        current = estimate(answers)
        select(pool, current.theta, top_k=3, rng=rng)
        ours.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        theta = 0.3
        max(
            pool,
            key=lambda i: (
                i.a * i.a / (2 + math.exp(i.a * (theta - i.b)) + math.exp(-i.a * (theta - i.b)))
            ),
        )
        floor.append((time.perf_counter() - started) * 1000)
    mine, base = percentiles(ours), percentiles(floor)
    return {
        "bank": SYNTHETIC,
        "answers": len(answers),
        "select": mine,
        "python_max_floor": base,
        "p95_ratio": round(mine["p95_ms"] / base["p95_ms"], 3),
        "target_p95_ms": 20,
        "met": mine["p95_ms"] <= 20,
    }


# ---- next-question over HTTP ----------------------------------------------------------------


def synthetic_bank(folder: Path) -> None:
    """1,000 problems: two-sum's content under new ids and IRT values."""
    base = yaml.safe_load((BANK_DIR / "two-sum.yaml").read_text())
    rng = random.Random(9)
    (folder / "bank").mkdir(parents=True)
    for index in range(SYNTHETIC):
        document = base | {
            "id": f"synthetic-{index:04d}",
            "irt": {"a": round(rng.uniform(0.8, 2.0), 3), "b": round(rng.uniform(-3, 3), 3)},
            "difficulty": rng.choice(["easy", "medium", "hard"]),
        }
        (folder / "bank" / f"synthetic-{index:04d}.yaml").write_text(yaml.safe_dump(document))


def bench_next_question(rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        root.chmod(0o711)
        synthetic_bank(root / "ours")
        settings = {
            "problems_dir": str(root / "ours"),
            "irt_max_questions": "100",
            "irt_max_se": "0.0001",
            "exec_warm_pool": "0",
        }
        command = interviewkit_command(root / "data", None)
        key = create_api_key(command, root, settings)
        with (
            (root / "server.log").open("w") as log,
            running_server(command, root, log, settings) as url,
        ):
            headers = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=url, headers=headers, timeout=30) as api:
                candidate = api.post("/api/v1/candidates", json={"name": "Bench"}).json()["id"]
                picks, sessions = [], []
                for _ in range(rounds):
                    started = time.perf_counter()
                    response = api.post(
                        f"/api/v1/candidates/{candidate}/next-question", json={"language": "python"}
                    )
                    picks.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 201, response.text
                    attempt = response.json()["attempt"]["id"]
                    api.post(
                        f"/api/v1/attempts/{attempt}/complete", json={"score": random.random()}
                    )
                    started = time.perf_counter()
                    made = api.post("/api/v1/sessions", json={"candidate_name": "Bench"})
                    sessions.append((time.perf_counter() - started) * 1000)
                    assert made.status_code == 201, made.text
    mine, base = percentiles(picks), percentiles(sessions)
    return {
        "bank": SYNTHETIC,
        "next_question": mine,
        "session_create": base,
        "p95_ratio": round(mine["p95_ms"] / base["p95_ms"], 3),
        "target_p95_ms": 20,
        "met": mine["p95_ms"] <= 20,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Speed of the problem bank.")
    parser.add_argument("--rounds", type=int, default=100, help="Picks to time (at most 100)")
    parser.add_argument("--skip-validate", action="store_true", help="Skip the slow part")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"machine": machine()}
    console.print("selection ...")
    results["selection"] = bench_selection(args.rounds * 5)
    console.print("next-question over HTTP ...")
    results["next_question"] = bench_next_question(args.rounds)
    if not args.skip_validate:
        results["validate"] = bench_validate()
    json.dump(results, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
