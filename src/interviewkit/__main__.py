"""``python -m interviewkit`` runs the CLI."""

from interviewkit.cli import main

main()
