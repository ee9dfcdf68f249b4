"""Files that give sandboxed code LeetCode's environment (what it may use without imports).

``python.py`` is copied into the sandbox as ``__ik_site/sitecustomize.py``; the JavaScript
prelude is built from ``javascript.cjs`` (with the npm packages it names, bundled by
``web/build.mjs``, which ``make install`` runs) into ``dist/javascript.js``, not committed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON_PRELUDE = HERE / "python.py"
JAVASCRIPT_PRELUDE = HERE / "dist" / "javascript.js"


class PreludeMissingError(RuntimeError):
    """The JavaScript prelude was never built: ``make install`` (npm and esbuild) did not run."""


@cache
def python_prelude() -> bytes:
    return PYTHON_PRELUDE.read_bytes()


def javascript_prelude() -> bytes:
    """The bundled JavaScript prelude; :class:`PreludeMissingError` if it was not built."""
    return _read_javascript(JAVASCRIPT_PRELUDE)


@cache
def _read_javascript(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PreludeMissingError(
            f"the JavaScript environment ({path}) is not built: run `make install` "
            "(it bundles the npm packages JavaScript code may use with esbuild)"
        ) from None
