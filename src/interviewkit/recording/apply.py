"""Client events that change files, checked and applied to the workspace itself.

An ``edit`` (or ``file_created``/``file_deleted``/``file_moved``) a client records is
not only a line of the log: it is the candidate's code. So each one is checked exactly
as the files API checks a write (canonical paths, an optional version precondition like
``If-Match``, path conflicts, the file and workspace quotas, text content) and applied
to an in-memory view of the workspace; once the batch is through, every touched file is
written once (:meth:`SessionService.apply_recorded`) in the transaction that stores the
events. The workspace therefore equals the replay of its log at every commit.

Versions follow the files API: every applied event bumps the version of each file it
touches by one (a move, each moved file), so a client that saw version ``v`` and sends
``n`` edits knows the file is at ``v + n``; each stored outcome says the new version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from interviewkit.config import Settings
from interviewkit.recording.events import EditRejected, Workspace, apply
from interviewkit.sessions.paths import is_under
from interviewkit.sessions.workspace import (
    FileChange,
    FileMeta,
    LockedWorkspace,
    ancestors_and_self,
)


class Refused(ValueError):
    """The event cannot apply to the workspace; its message is the per-event reason."""


def _payload_size(text: str) -> int:
    """UTF-8 size of text a client sent; the files API's refusals of non-text content."""
    if "\x00" in text:
        raise Refused("file content must be text (found NUL)")
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise Refused("file content must be valid Unicode (a lone surrogate)") from None


@dataclass
class WorkspaceEdits:
    """The workspace rows as a batch of client events leaves them, before they are written."""

    settings: Settings
    rows: dict[str, FileMeta]
    """The files as stored when the batch started (metadata only), by path: all of them,
    or for a batch of edits only, the files it edits."""
    files: dict[str, FileChange]
    sizes: dict[str, int]
    file_count: int
    workspace_bytes: int
    dirty: bool = False
    chained: bool = False
    refused: set[str] = field(default_factory=set)
    """Paths an event of a chained batch was refused on: later events on them are too."""

    @classmethod
    def start(
        cls,
        workspace: LockedWorkspace,
        settings: Settings,
        edited: Iterable[str] | None = None,
        *,
        chained: bool = False,
    ) -> WorkspaceEdits:
        """``edited``: the batch only edits these files (no create, delete or move), so
        only their rows are read; the quotas still count the whole workspace.
        ``chained``: the batch's events on one path were made each on top of the last."""
        rows = workspace.metadata(edited)
        return cls(
            settings,
            rows,
            {path: FileChange(row, row.version, False) for path, row in rows.items()},
            {path: row.size for path, row in rows.items()},
            workspace.file_count,
            workspace.workspace_bytes,
            chained=chained,
        )

    def apply(self, state: Workspace, event: dict[str, Any]) -> int | None:
        """Check ``event`` (paths canonical already) and apply it to ``state`` and to the
        rows to be; returns the file's new version (None for a delete). Refused if not.

        In a ``chained`` batch (the ops of one live message), once an event is refused
        every later one on the same path is refused too: it was made on top of the
        refused one, and storing it without it (say, when a concurrent edit happens to
        bring the file to its base version) would put text where nobody typed it. Events
        of an HTTP batch stand alone, each with its own precondition.
        """
        paths = [event["file"], *([event["to"]] if "to" in event else [])]
        blocked = next((path for path in paths if path in self.refused), None)
        if blocked is not None:
            raise Refused(f"not_applied: an earlier op of this message on {blocked!r} was refused")
        try:
            return self._apply(state, event)
        except Refused:
            if self.chained:
                self.refused.update(paths)
            raise

    def _apply(self, state: Workspace, event: dict[str, Any]) -> int | None:
        kind, path = event["type"], event["file"]
        base = event.get("base_version")
        if base is not None:
            current = self.files.get(path)
            if current is None or current.version != base:
                shown = current.version if current else None
                raise Refused(
                    f"version_mismatch: {path!r} is at version {shown}, not {base}"
                    if shown
                    else f"version_mismatch: {path!r} does not exist"
                )
        if kind == "edit":
            return self._edit(state, event, path)
        if kind == "file_created":
            return self._create(state, event, path)
        if kind == "file_deleted":
            self._delete(state, event, path)
            return None
        return self._move(state, event, path, event["to"])

    def _applied(self, state: Workspace, event: dict[str, Any]) -> None:
        try:
            apply(state, event)
        except EditRejected as exc:
            raise Refused(str(exc)) from None
        self.dirty = True

    def _check_sizes(self, path: str, size: int, added_bytes: int, added_files: int) -> None:
        settings = self.settings
        if size > settings.max_file_bytes:
            raise Refused(f"file_too_large: {path!r} would be {size} bytes")
        if self.workspace_bytes + added_bytes > settings.max_workspace_bytes:
            raise Refused(f"workspace_too_large: more than {settings.max_workspace_bytes} bytes")
        if self.file_count + added_files > settings.max_files_per_session:
            raise Refused(f"too_many_files: at most {settings.max_files_per_session} files")

    def _edit(self, state: Workspace, event: dict[str, Any], path: str) -> int:
        text = state.get(path)
        if text is None or path not in self.files:
            raise Refused(f"no file {path!r} to edit")
        offset, delete = event["offset"], event.get("delete", 0)
        added = _payload_size(event.get("insert", ""))
        removed = len(text[offset : offset + delete].encode("utf-8")) if offset <= len(text) else 0
        size = self.sizes[path] + added - removed
        self._check_sizes(path, size, added - removed, 0)
        self._applied(state, event)
        current = self.files[path]
        self.files[path] = FileChange(current.row, current.version + 1, True)
        self.sizes[path] = size
        self.workspace_bytes += added - removed
        return current.version + 1

    def _create(self, state: Workspace, event: dict[str, Any], path: str) -> int:
        if path in self.files:
            raise Refused(f"file_exists: {path!r} exists already")
        self._check_free(path, self.files)
        size = _payload_size(event.get("content", ""))
        self._check_sizes(path, size, size, 1)
        self._applied(state, event)
        self.files[path] = FileChange(None, 1, True)
        self.sizes[path] = size
        self.file_count += 1
        self.workspace_bytes += size
        return 1

    def _delete(self, state: Workspace, event: dict[str, Any], path: str) -> None:
        doomed = [name for name in self.files if name == path or is_under(name, path)]
        if not doomed:
            raise Refused(f"no file or folder {path!r} to delete")
        self._applied(state, event)
        for name in doomed:
            del self.files[name]
            self.file_count -= 1
            self.workspace_bytes -= self.sizes.pop(name)

    def _move(self, state: Workspace, event: dict[str, Any], source: str, target: str) -> int:
        if source == target:
            raise Refused("invalid_move: source and target are the same path")
        if is_under(target, source):
            raise Refused("invalid_move: a folder cannot move into itself")
        moving = [name for name in self.files if name == source or is_under(name, source)]
        if not moving:
            raise Refused(f"no file or folder {source!r} to move")
        staying = {name: change for name, change in self.files.items() if name not in moving}
        renames = {name: target + name[len(source) :] for name in moving}
        for new_path in renames.values():
            self._check_free(new_path, staying)
        self._applied(state, event)
        for old_path, new_path in renames.items():
            change = self.files.pop(old_path)
            staying[new_path] = FileChange(change.row, change.version + 1, change.changed)
            self.sizes[new_path] = self.sizes.pop(old_path)
        self.files = staying
        return staying[renames[moving[0]]].version

    @staticmethod
    def _check_free(path: str, files: Mapping[str, FileChange]) -> None:
        """As the files API: no file at the path, at an ancestor, or inside it as a folder."""
        if path in files:
            raise Refused(f"path_conflict: {path!r} is taken")
        for ancestor in ancestors_and_self(path)[:-1]:
            if ancestor in files:
                raise Refused(f"path_conflict: {path!r} conflicts with {ancestor!r}")
        if any(is_under(name, path) for name in files):
            raise Refused(f"path_conflict: {path!r} is a folder")
