"""What a call cost, from the per-model prices in the settings (USD per million tokens)."""

from __future__ import annotations

from collections.abc import Mapping

from interviewkit.llm.port import Usage


def cost_usd(prices: Mapping[str, tuple[float, float]], model: str, usage: Usage) -> float:
    """The cost of ``usage`` on ``model``; an unpriced model (a local one) costs nothing."""
    price_in, price_out = prices.get(model, (0.0, 0.0))
    return round((usage.input_tokens * price_in + usage.output_tokens * price_out) / 1e6, 8)
