"""HTML pages (the landing page and the candidate room) and the static files they load.

The room's interactive parts are a TypeScript bundle built by esbuild from ``web/`` at the
repository root into ``static/dist/`` with content-hashed names; ``dist/manifest.json``
maps each entry to its file, so a page always names the current build and the files can
be cached for a year. The credential never reaches these routes: the invite link carries
the candidate token in the URL fragment, which browsers do not send.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from interviewkit.db import ID_PATTERN

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
DIST_DIR = STATIC_DIR / "dist"
STATIC_ROUTE = "/static"
# esbuild's [hash]: 8 upper-case letters and digits before the extension
_HASHED = re.compile(r"-[A-Z0-9]{8}\.(js|css|map|txt)(\.gz)?$|\.js\.LEGAL\.txt$")
IMMUTABLE = "public, max-age=31536000, immutable"
# the API's id pattern without its anchors: Python's ``$`` also matches before a final "\n"
_SESSION_ID = re.compile(ID_PATTERN.removeprefix("^").removesuffix("$"))

router = APIRouter(include_in_schema=False)
templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


class BundleMissing(LookupError):
    """The TypeScript bundle was not built (``make install`` or ``npm run build``)."""


@dataclass(frozen=True)
class Entry:
    """The built files of one page's bundle, as URLs."""

    script: str
    style: str | None
    preload: tuple[str, ...]
    """Chunks the script imports at once: preloaded by the page, not found one by one."""


@lru_cache(maxsize=4)
def _read_manifest(path: Path, mtime_ns: int) -> dict[str, Any]:
    """Parsed once per build (the mtime is part of the key: a rebuild is picked up)."""
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return found


def bundle_entry(name: str, dist: Path | None = None) -> Entry:
    """The files of entry ``name`` (``room``) from the build's ``manifest.json``."""
    dist = dist or DIST_DIR
    manifest = dist / "manifest.json"
    try:
        found = _read_manifest(manifest, manifest.stat().st_mtime_ns)
        script, style = found[f"{name}.js"], found.get(f"{name}.css")
        preload = tuple(found.get(f"{name}.preload", ()))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BundleMissing(str(manifest)) from exc
    files = [script, *preload, *([style] if style else [])]
    if not all(isinstance(file, str) and (dist / file).is_file() for file in files):
        raise BundleMissing(str(manifest))

    def url(file: str) -> str:
        return f"{STATIC_ROUTE}/dist/{file}"

    return Entry(url(script), url(style) if style else None, tuple(map(url, preload)))


def _page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = templates.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-cache"})


def problem_page(status: int, title: str, detail: str) -> HTMLResponse:
    """An error as a page a person can read (the API answers problem+json instead)."""
    return _page("problem.html", status, status=status, title=title, detail=detail)


@router.get("/")
def landing() -> HTMLResponse:
    return _page("landing.html")


@router.get("/room/{session_id:path}")
def room(session_id: str) -> HTMLResponse:
    if not _SESSION_ID.fullmatch(session_id):
        return problem_page(
            404,
            "No such interview room",
            "This link does not name an interview session. Check the link your interviewer "
            "sent you.",
        )
    try:
        bundle = bundle_entry("room")
    except BundleMissing:
        return problem_page(
            503,
            "The room is not built",
            "This server has no browser bundle. Its operator builds it with `make install` "
            "(or `cd web && npm ci && npm run build`), then restarts the server.",
        )
    return _page("room.html", session_id=session_id, bundle=bundle)


class CachedStatic(StaticFiles):
    """Static files; content-hashed build outputs are cached for a year (a new build
    has new names), everything else is revalidated on each use. A file the build also
    wrote gzipped (``x.js.gz``) is sent compressed to a client that accepts gzip: the room's
    JavaScript crosses the network at about a third of its size, compressed once at build
    time rather than on every request."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code != 200 or not _accepts_gzip(scope):
            return response
        full_path, stat_result = await anyio.to_thread.run_sync(self.lookup_path, path + ".gz")
        if stat_result is None:
            return response
        compressed = self.file_response(full_path, stat_result, scope)
        if compressed.status_code == 200:
            compressed.headers["Content-Type"] = response.headers["Content-Type"]
            compressed.headers["Content-Encoding"] = "gzip"
        compressed.headers["Vary"] = "Accept-Encoding"
        return compressed

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        hashed = _HASHED.search(str(full_path)) is not None
        response.headers["Cache-Control"] = IMMUTABLE if hashed else "no-cache"
        return response


def _accepts_gzip(scope: Scope) -> bool:
    """Whether ``Accept-Encoding`` names gzip (or ``*``) without ``q=0``."""
    for name, value in scope.get("headers", ()):
        if name != b"accept-encoding":
            continue
        for part in value.lower().decode("latin-1").split(","):
            coding, _, params = part.partition(";")
            if coding.strip() in {"gzip", "*"}:
                quality = params.strip().removeprefix("q=")
                return not params.strip() or _positive(quality)
    return False


def _positive(quality: str) -> bool:
    try:
        return float(quality) > 0
    except ValueError:
        return False


def static_files() -> CachedStatic:
    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    return CachedStatic(directory=STATIC_DIR, check_dir=False)
