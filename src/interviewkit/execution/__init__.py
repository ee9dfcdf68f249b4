"""Sandboxed code execution: languages, harnesses, verdicts, and the API over them."""
