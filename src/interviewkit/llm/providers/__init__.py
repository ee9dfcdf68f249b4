"""The adapters of the LLM port, and the chain the settings configure.

Adding a provider is one module here and one branch in :func:`configured_providers`.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import SecretStr

from interviewkit.config import Settings
from interviewkit.llm.port import LLMProvider
from interviewkit.llm.providers.anthropic import AnthropicProvider
from interviewkit.llm.providers.openai import OpenAIProvider

__all__ = ["AnthropicProvider", "OpenAIProvider", "configured_providers"]


def configured_providers(
    settings: Settings, offline: Callable[[], LLMProvider]
) -> list[LLMProvider]:
    """The configured chain, in order; a provider without its key is left out.

    ``offline`` builds the provider named "offline" (the caller's rule-based fallback: this
    layer knows no tutor), which is also the whole chain when nothing else is configured.
    """
    chain: list[LLMProvider] = []
    for name in settings.llm_provider.split(","):
        if name == "anthropic" and settings.anthropic_api_key:
            chain.append(
                AnthropicProvider(
                    model=settings.anthropic_model,
                    api_key=settings.anthropic_api_key,
                    base_url=settings.anthropic_base_url,
                    timeout=settings.llm_timeout_s,
                )
            )
        elif name == "openai" and (settings.openai_api_key or settings.openai_base_url):
            chain.append(
                OpenAIProvider(
                    model=settings.openai_model,
                    api_key=settings.openai_api_key or SecretStr("none"),
                    base_url=settings.openai_base_url,
                    timeout=settings.llm_timeout_s,
                )
            )
        elif name == "offline":
            chain.append(offline())
    return chain or [offline()]
