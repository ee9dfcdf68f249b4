"""The warm java runtime (being built in issue 17; until then java runs cold)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from interviewkit.execution.sandbox.warm import WarmRuntime


def runtime(
    template: Sequence[str], executables: Mapping[str, str], cache_root: Path
) -> WarmRuntime | None:
    """None: java is not served warm yet."""
    return None
