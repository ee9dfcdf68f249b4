"""The SDKs' errors as :class:`ProviderError`, the same rules for every adapter.

429, 5xx and connection failures may be retried (with the server's ``Retry-After``); any
other failure may not. Shared here so that both adapters classify alike.
"""

from __future__ import annotations

from typing import Any

import anthropic
import httpx
import openai

try:  # the SDKs moved to httpx2; a dropped stream surfaces as its transport error
    import httpx2

    TRANSPORT_ERRORS: tuple[type[Exception], ...] = (httpx.TransportError, httpx2.TransportError)
except ImportError:  # pragma: no cover - older SDKs on httpx
    TRANSPORT_ERRORS = (httpx.TransportError,)

from interviewkit.llm.port import ProviderError


def retry_after(response: Any) -> float | None:
    if response is None:
        return None
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def translate(provider: str, exc: Exception, partial: str = "") -> ProviderError:
    """The SDK's exception as a ProviderError: 429, 5xx and connection errors may be retried."""
    if isinstance(exc, anthropic.APIStatusError | openai.APIStatusError):
        status = exc.status_code
        return ProviderError(
            provider,
            f"HTTP {status}: {exc.message}",
            retryable=status == 429 or status >= 500,
            status=status,
            retry_after=retry_after(exc.response),
            partial=partial,
        )
    connection: tuple[type[Exception], ...] = (
        anthropic.APIConnectionError,
        openai.APIConnectionError,
        *TRANSPORT_ERRORS,
    )
    if isinstance(exc, connection):
        return ProviderError(provider, f"connection failed: {exc}", True, partial=partial)
    return ProviderError(provider, f"{type(exc).__name__}: {exc}", False, partial=partial)
