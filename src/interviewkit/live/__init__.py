"""The live session channel: one WebSocket per session (docs/live-protocol.md)."""
