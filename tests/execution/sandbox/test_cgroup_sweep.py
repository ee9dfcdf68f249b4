"""Groups a dead server left behind are swept at start-up; a live sandbox's never are."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from interviewkit.db import new_id
from interviewkit.execution.sandbox.cgroups import CgroupsV1, detect_cgroups, sweep_abandoned

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="cgroups need root")


def _v1() -> CgroupsV1:
    found = detect_cgroups()
    if not isinstance(found, CgroupsV1):
        pytest.skip("this machine's sandbox cgroups are not v1")
    return found


def test_an_abandoned_empty_group_goes_and_an_occupied_one_stays() -> None:
    cgroups = _v1()
    parents = list(cgroups.parents.values())
    abandoned = cgroups.create(f"warm-{new_id('')}", 64 * 1024 * 1024, 8)
    occupied = cgroups.create(f"run-{new_id('')}", 64 * 1024 * 1024, 8)
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        occupied.attach(sleeper.pid)
        sweep_abandoned(parents, older_than_s=0)
        assert not any((parent / abandoned.name).exists() for parent in parents)
        assert all((parent / occupied.name).is_dir() for parent in parents)
        assert sleeper.poll() is None  # the sweep never kills: it only removes empty groups
    finally:
        sleeper.kill()
        sleeper.wait()
        occupied.remove()
        abandoned.remove()


def test_a_young_empty_group_is_left_for_the_sandbox_about_to_move_in() -> None:
    cgroups = _v1()
    parents: list[Path] = list(cgroups.parents.values())
    young = cgroups.create(f"run-{new_id('')}", 64 * 1024 * 1024, 8)
    try:
        sweep_abandoned(parents)  # the default age: created an instant ago, kept
        assert all((parent / young.name).is_dir() for parent in parents)
    finally:
        young.remove()
