"""HTTP routes of the assistant: a streamed (SSE) or JSON reply, and the conversation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

import anyio
from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from interviewkit.assistant.schemas import Conversation, MessageIn, MessageOut
from interviewkit.assistant.service import UNAVAILABLE, AssistantService, Event
from interviewkit.auth.deps import SessionAccess
from interviewkit.errors import ProblemError

router = APIRouter(prefix="/api/v1/sessions", tags=["assistant"])


def _service(request: Request) -> AssistantService:
    service: AssistantService = request.app.state.container.assistant
    return service


def _sse(event: Event) -> bytes:
    return f"event: {event.name}\ndata: {json.dumps(event.data)}\n\n".encode()


@router.post(
    "/{session_id}/assistant/messages",
    summary="Ask the assistant; the reply streams as server-sent events (or JSON)",
    responses={200: {"content": {"text/event-stream": {}, "application/json": {}}}},
)
async def ask(caller: SessionAccess, body: MessageIn, request: Request) -> Response:
    service = _service(request)
    admitted = await run_in_threadpool(service.admit, caller.session_id, body.content)
    events = service.converse(admitted.interview, body.content, admitted.reservation)
    if body.stream:

        async def stream() -> AsyncIterator[bytes]:
            async with aclosing(events):  # a client gone mid-reply releases the turn now
                async for event in events:
                    yield _sse(event)

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        # runs after the body, also when the client left before the reply even started
        # (then the generator never ran and could not release the turn itself)
        done = BackgroundTask(service.release, admitted.reservation)
        return StreamingResponse(
            stream(), media_type="text/event-stream", headers=headers, background=done
        )
    final: dict[str, Any] = {}
    try:
        async with aclosing(events):
            async for event in events:
                if event.name in ("done", "error"):
                    final = {"event": event.name, **event.data}
    finally:  # a no-op once the turn stored its messages
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(service.release, admitted.reservation)
    if final.get("event") == "error":
        raise ProblemError(  # never the provider's own text: see UNAVAILABLE
            502,
            "ai_unavailable",
            UNAVAILABLE,
            partial=final["partial"],
            message_id=final["message_id"],
        )
    final.pop("event", None)
    return Response(json.dumps(final), 200, media_type="application/json")


@router.get("/{session_id}/assistant/messages", summary="The conversation, with usage and cost")
async def conversation(caller: SessionAccess, request: Request) -> Conversation:
    service = _service(request)
    rows = await run_in_threadpool(service.messages, caller.session_id)
    return Conversation(messages=[MessageOut.of(row) for row in rows], totals=service.totals(rows))
