"""Speed of the assistant, each figure next to its baseline from the same run.

* ``offline``: time to the first SSE byte and to the end of the reply for the offline
  assistant through ``POST /api/v1/sessions/{id}/assistant/messages`` of a real server,
  against ``GET /healthz`` on the same server (the floor of any request).
* ``overhead``: the same route with an OpenAI-compatible provider — a local server that
  answers at once (``bench/llm_stub.py``) — against calling that server directly
  with the official ``openai`` SDK: the difference is what the platform adds (context
  assembly, storage, recording, accounting).

One JSON document goes to stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import openai
from rich.console import Console

from api_bench import create_api_key, interviewkit_command, machine, running_server
from llm_stub import LLMStub

console = Console(stderr=True)


def cuts(samples: list[float]) -> dict[str, float]:
    ordered = statistics.quantiles(sorted(samples), n=100)
    return {"p50_ms": round(ordered[49], 2), "p95_ms": round(ordered[94], 2)}


def timed_stream(api: httpx.Client, session_id: str, content: str) -> tuple[float, float]:
    """(ms to the first byte of the body, ms to the end) of one streamed reply."""
    started = time.perf_counter()
    first = None
    with api.stream(
        "POST",
        f"/api/v1/sessions/{session_id}/assistant/messages",
        json={"content": content, "stream": True},
    ) as response:
        for _ in response.iter_raw():
            if first is None:
                first = time.perf_counter()
    end = time.perf_counter()
    assert response.status_code == 200, (response.status_code, response.read()[:500])
    return ((first or end) - started) * 1000, (end - started) * 1000


def measure(url: str, key: str, rounds: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as api:
        ttfb, total, bare = [], [], []
        questions = ["what does the problem ask?", "complexity?", "why does it fail?"]
        for index in range(rounds):
            if index % 10 == 0:  # a conversation of ten turns, as in an interview
                session = api.post(
                    "/api/v1/sessions", json={"problem_id": "two-sum", "language": "python"}
                ).json()["id"]
            first, end = timed_stream(api, session, questions[index % len(questions)])
            ttfb.append(first)
            total.append(end)
            started = time.perf_counter()
            api.get("/healthz")
            bare.append((time.perf_counter() - started) * 1000)
    return {"ttfb": cuts(ttfb), "total": cuts(total), "healthz": cuts(bare)}


def direct(llm: LLMStub, rounds: int) -> dict[str, float]:
    client = openai.OpenAI(base_url=llm.base_url + "/v1", api_key="bench", max_retries=0)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        stream = client.chat.completions.create(
            model="fake-gpt",
            messages=[{"role": "user", "content": "hello"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        for _chunk in stream:
            pass
        samples.append((time.perf_counter() - started) * 1000)
    return cuts(samples)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Speed of the assistant.")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"machine": machine()}
    with tempfile.TemporaryDirectory() as folder, LLMStub() as llm:
        root = Path(folder)
        for name, settings in {
            "offline": {"llm_provider": "offline"},
            "openai_compatible": {
                "llm_provider": "openai",
                "openai_base_url": llm.base_url + "/v1",
                "openai_api_key": "bench",
                "openai_model": "fake-gpt",
                "ai_messages_per_minute": "100000",
            },
        }.items():
            settings = {
                "exec_warm_pool": "0",
                "ai_messages_per_minute": "100000",
                "ai_session_token_budget": "0",
                **settings,
            }
            command = interviewkit_command(root / name, None)
            key = create_api_key(command, root, settings)
            console.print(f"{name} ...")
            with (
                (root / f"{name}.log").open("w") as log,
                running_server(command, root, log, settings) as url,
            ):
                results[name] = measure(url, key, args.rounds)
        console.print("the provider alone ...")
        results["provider_alone"] = direct(llm, args.rounds)
    offline = results["offline"]
    results["targets"] = {
        "offline_ttfb_p50_ms": {
            "measured": offline["ttfb"]["p50_ms"],
            "target": 30,
            "met": offline["ttfb"]["p50_ms"] <= 30,
        },
        "platform_overhead_p50_ms": {
            "measured": round(
                results["openai_compatible"]["total"]["p50_ms"]
                - results["provider_alone"]["p50_ms"],
                2,
            ),
            "target": 10,
        },
    }
    overhead = results["targets"]["platform_overhead_p50_ms"]
    overhead["met"] = overhead["measured"] <= 10
    json.dump(results, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
