"""The browser tests' Chromium settings (``tests/browser/chromium.py``) for the benches.

A bench runs as ``python bench/<name>.py``, so only ``bench/`` is on ``sys.path``; the
repository root is added here so that the launch path and flags stay in one module that
the tests and the benches both use.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.append(ROOT)

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, launch  # noqa: E402

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "launch"]
