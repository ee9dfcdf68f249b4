"""Large contents of recorded events, kept in the object store and referenced.

An event's text over ``recording_inline_content_bytes`` (a file written whole, a paste,
a keyframe's files) goes to the store once per distinct content (keyed by its hash) and
the event keeps a reference; replay puts the text back, from the hot log or an archive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from interviewkit.caching import LRUCache
from interviewkit.errors import ProblemError
from interviewkit.storage import ObjectStore, session_key

REFS = "$refs"
"""Key of an event's contents stored by reference: ``{field: ref}``, or for a keyframe's
``files`` ``{"files": {path: ref}}``; a ref is ``{"key", "sha256", "bytes"}``."""


class ContentRefs:
    """Stores and resolves the contents events reference, with the last few in memory."""

    def __init__(self, store: ObjectStore, cached: int = 16) -> None:
        self.store = store
        self._blobs: LRUCache[str, str] = LRUCache(cached)
        """Contents stored by reference, recently written or read (by object key)."""

    def by_reference(
        self, session_id: str, created: datetime, data: dict[str, Any], threshold: int
    ) -> tuple[dict[str, Any], int]:
        """``data`` with contents over ``threshold`` bytes moved to the object store (by
        hash, so the same content is stored once) and referenced; and the bytes newly
        stored (a keyframe that references unchanged contents adds nothing to the quota).

        A file up to ``max_file_bytes`` (and a keyframe of a whole workspace) then fits an
        event; replay puts the contents back (:meth:`resolved`), also from an archive.
        """
        refs: dict[str, Any] = {}
        size = 0
        for field_name in ("content", "insert"):
            text = data.get(field_name)
            if isinstance(text, str) and len(text) * 4 > threshold:
                ref, added = self._stored(session_id, created, text, threshold)
                if ref is not None:
                    refs[field_name] = ref
                    size += added
        files = data.get("files")
        if isinstance(files, dict):
            file_refs = {}
            for path, text in files.items():
                if len(text) * 4 > threshold:
                    ref, added = self._stored(session_id, created, text, threshold)
                    if ref is not None:
                        file_refs[path] = ref
                        size += added
            if file_refs:
                data = {**data, "files": {p: t for p, t in files.items() if p not in file_refs}}
                refs["files"] = file_refs
        if not refs:
            return data, 0
        kept = {k: v for k, v in data.items() if k not in refs or k == "files"}
        return {**kept, REFS: refs}, size

    def _stored(
        self, session_id: str, created: datetime, text: str, threshold: int
    ) -> tuple[dict[str, Any] | None, int]:
        """A reference to ``text`` in the store (None if small enough to keep inline) and
        how many bytes were stored for it now (0 when the store held it already)."""
        payload = text.encode("utf-8")
        if len(payload) <= threshold:
            return None, 0
        digest = hashlib.sha256(payload).hexdigest()
        key = session_key(session_id, created, "recordings", f"content-{digest}")
        known = key in self._blobs
        added = 0
        if not known:
            if not self.store.exists(key):
                self.store.put(key, payload, "text/plain; charset=utf-8")
                added = len(payload)
            self._blobs.put(key, text)
        return {"key": key, "sha256": digest, "bytes": len(payload)}, added

    def _content(self, ref: Mapping[str, Any]) -> str:
        key = ref["key"]
        text = self._blobs.get(key)
        if text is None:
            payload = self.store.get(key)
            if hashlib.sha256(payload).hexdigest() != ref["sha256"]:
                raise ProblemError(
                    500, "recording_content_corrupt", f"stored content {key} fails its hash"
                )
            text = payload.decode("utf-8")
            self._blobs.put(key, text)
        return text

    def resolved(self, event: dict[str, Any]) -> dict[str, Any]:
        """The event with the contents it references put back (see :meth:`by_reference`)."""
        refs = event.pop(REFS, None)
        if refs is None:
            return event
        for field_name, ref in refs.items():
            if field_name == "files":
                event["files"] = {
                    **event.get("files", {}),
                    **{path: self._content(r) for path, r in ref.items()},
                }
            else:
                event[field_name] = self._content(ref)
        return event
