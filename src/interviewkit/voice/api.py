"""HTTP route of the voice interviewer: a turn's recorded audio, for the replay player."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from interviewkit.auth.deps import SessionId, Staff
from interviewkit.errors import not_found
from interviewkit.voice.recorder import read_audio

router = APIRouter(prefix="/api/v1/sessions", tags=["voice"])

Utterance = Annotated[int, Path(ge=1, le=2**31 - 1, description="The utterance number")]
Speaker = Annotated[Literal["candidate", "interviewer"], Path(description="Who spoke")]


@router.get(
    "/{session_id}/voice/{utterance}/{speaker}",
    response_class=Response,
    responses={200: {"content": {"audio/ogg": {}}, "description": "Opus in OGG"}},
    summary="One turn's recorded audio (kept when voice_record_audio is on)",
)
async def turn_audio(
    session_id: SessionId, utterance: Utterance, speaker: Speaker, request: Request, _: Staff
) -> Response:
    container = request.app.state.container
    data = await run_in_threadpool(
        read_audio, container.sessions, container.object_store, session_id, utterance, speaker
    )
    if data is None:
        raise not_found(
            "voice_audio_not_found",
            f"no recorded audio of utterance {utterance} by the {speaker} "
            "(voice_record_audio was off, or nothing was said)",
        )
    return Response(
        data,
        200,
        media_type="audio/ogg",
        headers={"Cache-Control": "private, max-age=3600"},
    )
