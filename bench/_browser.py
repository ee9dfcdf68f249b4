"""What the browser tests know about Chromium and the staff pages, for the benches.

A bench runs as ``python bench/<name>.py``, so only ``bench/`` is on ``sys.path``; the
repository root is added here so that Chromium's launch path and flags
(``tests/browser/chromium.py``) and the way a browser signs in to the staff pages
(``tests/browser/staff.py``) stay in one module each, used by the tests and the benches.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.append(ROOT)

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, launch  # noqa: E402
from tests.browser.staff import sign_in  # noqa: E402

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "launch", "sign_in"]
