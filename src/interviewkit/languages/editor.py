"""Editor labels for files the platform does not run (syntax highlighting only).

Runnable languages label their own extensions (``LanguageSpec.shown_extensions``); this
table names the rest, so that a workspace shows a ``.go`` or ``.md`` file sensibly.
"""

from __future__ import annotations

from collections.abc import Mapping

PLAINTEXT = "plaintext"

OTHER_EDITOR_LANGUAGES: Mapping[str, str] = {
    ".ts": "typescript",
    ".tsx": "typescript",
    ".h": "c",
    ".c": "c",
    ".go": "go",
    ".rs": "rust",
    ".rb": "ruby",
    ".kt": "kotlin",
    ".cs": "csharp",
    ".sh": "shell",
    ".sql": "sql",
    ".md": "markdown",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".html": "html",
    ".css": "css",
    ".txt": PLAINTEXT,
}
