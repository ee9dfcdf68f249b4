"""LLM plumbing shared by every domain that talks to a model: the port, the adapters, the
chain (retries, breaker, fallback), token counts and prices. It depends on config only."""
