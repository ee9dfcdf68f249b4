"""The live channel's route: ``/api/v1/sessions/{session_id}/live`` (thin: see connection)."""

from __future__ import annotations

import re

from fastapi import APIRouter, WebSocket

from interviewkit.db import ID_PATTERN
from interviewkit.live.connection import Connection, LiveServices

router = APIRouter(prefix="/api/v1/sessions", tags=["live"])
_SESSION_ID = re.compile(ID_PATTERN)


@router.websocket("/{session_id}/live")
async def live(websocket: WebSocket, session_id: str) -> None:
    """The session's event log, tailed; edits, events and runs go in (docs/live-protocol.md)."""
    services: LiveServices = websocket.app.state.live
    if not _SESSION_ID.match(session_id):
        session_id = ""  # answered 4404 once the client is authenticated
    await Connection(websocket, session_id, services).serve()
