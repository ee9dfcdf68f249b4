"""The voice interviewer: what it says and does, one :class:`Interviewer` per conversation.

A state machine over phases (``greet`` -> ``present`` -> ``clarify``/``coding`` -> ``hint``
-> ``follow-up`` -> ``wrap-up`` -> ``done``) that acts only through the domains' services:
a spoken "run my code" is :func:`~interviewkit.execution.runs.run_in_session` (the same
execution as the Run button), a question or a hint is an assistant turn (the same policy,
leak check, budgets and hint count as the chat), and each command is recorded as a
``voice_command`` event.

Offline by default: the greeting, summary, results and check-ins are built from the
problem's data (:mod:`.persona`) and questions are answered by the offline tutor. With an
LLM first in ``llm_provider``, questions go to the model with the template's persona prompt
instead, streamed sentence by sentence (:func:`.speakable.sentences`) into speech.

Every method yields plain speakable sentences as soon as each is ready; the caller (the
voice pipeline) synthesizes and plays them, and may cancel a reply mid-way (barge-in).
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import anyio
from anyio import to_thread

from interviewkit.assistant.context import AssistantContext
from interviewkit.assistant.prompts import system_prompt
from interviewkit.assistant.service import AssistantService, Event
from interviewkit.assistant.tutor import wants_hint
from interviewkit.assistant.tutor.intents import intent_of
from interviewkit.auth.service import Principal
from interviewkit.config import Settings
from interviewkit.db import utcnow
from interviewkit.errors import ProblemError
from interviewkit.execution.runs import run_in_session
from interviewkit.execution.schemas import ExecutionResult, SessionExecuteRequest, candidate_view
from interviewkit.execution.service import ExecutionService
from interviewkit.languages import DEFAULT_LANGUAGE
from interviewkit.problems.bank import SOLUTION_FILES, Problem, TemplateVoice
from interviewkit.problems.service import ProblemService
from interviewkit.recording.service import RecordingService
from interviewkit.sessions.errors import SessionNotFound
from interviewkit.sessions.models import InterviewSession
from interviewkit.sessions.service import SessionService
from interviewkit.voice import clarify, persona
from interviewkit.voice.clarify import SPECIFIC
from interviewkit.voice.commands import parse_command
from interviewkit.voice.speakable import sentences, speak

__all__ = ["PHASES", "Interviewer", "InterviewerDeps", "is_question"]

PHASES = ("greet", "present", "clarify", "coding", "hint", "follow-up", "wrap-up", "done")
DEADLINE_WARNING_S = 120
"""The interviewer says how long is left once, this close to the deadline."""
T = TypeVar("T")

OPENERS: dict[str, str | None] = {
    "run": "Sure, running your code now.",
    "submit": "Okay, submitting your solution.",
    "hint": "Let me think of a hint.",
    "repeat": "Sure.",
    "time": "Let's see.",  # the answer is instant, its synthesis is not: this is ready
    "stop-talking": None,
}
"""What the interviewer says at once for a command, while the command runs."""
OFFLINE_SHORT: dict[str, str] = {
    "solution": "I can't give you the solution: the interview is about your approach. "
    "If you're stuck, ask me for a hint.",
    "other": "I can't answer that one offline. Ask me about the problem, its constraints or "
    "examples, your last run, or for a hint.",
}
"""The offline interviewer's answer where the chat tutor's would be a long menu."""
_STAFF_NOTE = re.compile(r"\s+\([^()]*(?:\([^()]*\)[^()]*)*\)")
_QUESTION_OPENERS = ("Good question.", "Let me check.", "Sure, let me look.")
_QUESTION = re.compile(
    r"^\s*(?:so |and |but |um |uh |okay |ok )*(?:what|how|why|when|where|which|who|whose|can|"
    r"could|is|are|do|does|did|should|would|will|may|am|must|shall)\b",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """A question by its mark or by its first word (a transcript may lose the mark)."""
    return text.rstrip().endswith("?") or bool(_QUESTION.match(text))


@dataclass(frozen=True)
class InterviewerDeps:
    """The services an interviewer acts through; built once by the composition root."""

    settings: Settings
    sessions: SessionService
    problems: ProblemService
    executions: ExecutionService
    assistant: AssistantService
    recording: RecordingService


@dataclass
class _Seen:
    """What the interviewer already reacted to, so that ``poll`` says each thing once."""

    run_id: str | None = None
    failing_run_id: str | None = None
    checked_in_at: datetime | None = None
    spoke_at: datetime | None = None
    warned_deadline: bool = False
    problem_id: str | None = None
    follow_ups_asked: int = 0
    follow_ups: list[str] = field(default_factory=list)


async def _thread(func: Callable[..., T], *args: Any) -> T:
    return await to_thread.run_sync(partial(func, *args))


class Interviewer:
    """One per conversation. Every method may take seconds (runs code, calls the LLM);
    sentences are yielded as soon as each is ready, as plain speakable text."""

    def __init__(
        self,
        deps: InterviewerDeps,
        session_id: str,
        principal: Principal,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.deps = deps
        self.session_id = session_id
        self.principal = principal
        self.clock = clock
        """Now; tests move it instead of sleeping through idle minutes."""
        self.phase = "greet"
        self.voice: TemplateVoice = persona.DEFAULT_VOICE
        self.last_said = ""
        """The last question or summary, for "repeat the question"."""
        self.started_at = clock()
        self.seen = _Seen()

    @property
    def uses_llm(self) -> bool:
        """A model answers (the chain's first provider is not the offline tutor)."""
        return self.deps.settings.llm_provider.split(",")[0] != "offline"

    # ---- what the interviewer says first --------------------------------------------

    def opener(self, text: str) -> str | None:
        """A short acknowledgement of ``text`` to speak at once (pure: no I/O), or None."""
        command = parse_command(text)
        if command is not None:
            return OPENERS[command]
        if self.phase in ("greet", "present", "done"):
            return None
        if self.phase == "follow-up":
            return "Thanks." if not is_question(text) else None
        if is_question(text):
            return _QUESTION_OPENERS[sum(map(ord, text)) % len(_QUESTION_OPENERS)]
        return None

    async def start(self) -> AsyncGenerator[str, None]:
        """The greeting, then a spoken summary of the problem. Interrupted (the candidate
        speaks over it), the interview still moves on to ``clarify``: "repeat the
        question" says the summary again."""
        interview = await _thread(self.deps.sessions.get_session, self.session_id)
        self.voice = await _thread(self._voice_of, interview)
        problem = await _thread(self._current_problem, interview)
        summary = self._present(problem) if problem is not None else []
        try:
            for line in persona.greeting(
                self.voice, interview.candidate_name, self._seconds_left(interview)
            ):
                yield line
            self.phase = "present"
            if problem is None:
                yield "There's no problem attached to this session yet."
            else:
                for line in summary:
                    yield line
                yield "Take a moment to read it, and ask me anything about it before you start."
        finally:
            self.phase = "clarify"
            self.seen.spoke_at = self.clock()

    def _present(self, problem: Problem) -> list[str]:
        summary = persona.problem_summary(problem)
        self.last_said = " ".join(summary)
        self.seen.problem_id = problem.id
        self.seen.follow_ups = list(problem.follow_ups)
        self.seen.follow_ups_asked = 0
        return summary

    # ---- answering the candidate ------------------------------------------------------

    async def reply(
        self, text: str, *, utterance: int, opener_spoken: bool = False
    ) -> AsyncGenerator[str, None]:
        """The answer to a final utterance: a command carried out, a question answered,
        a follow-up answer acknowledged; nothing for thinking aloud while coding."""
        self.seen.spoke_at = self.clock()
        command = parse_command(text)
        opening = None if opener_spoken else self.opener(text)
        if opening:
            yield opening
        if command is not None:
            async with aclosing(self._command(command, said=text)) as lines:
                async for line in lines:
                    yield line
            return
        if self.phase == "done":
            yield "The interview is over. Thank you for your time."
            return
        if self.phase == "follow-up":
            async with aclosing(self._follow_up_answer(text)) as lines:
                async for line in lines:
                    yield line
            return
        if not is_question(text):
            if self.phase == "clarify":
                self.phase = "coding"
                yield "Sounds good. Go ahead whenever you're ready."
            return  # thinking aloud while coding: the interviewer listens
        async with aclosing(self._ask(text)) as lines:
            async for line in lines:
                yield line

    async def command(self, name: str) -> AsyncGenerator[str, None]:
        """A voice command from a button or the keyboard (no words were said)."""
        if name not in OPENERS:
            return
        opening = OPENERS[name]
        if opening:
            yield opening
        async with aclosing(self._command(name, said=None)) as lines:
            async for line in lines:
                yield line

    async def _command(self, name: str, said: str | None) -> AsyncGenerator[str, None]:
        """Carry out a command and say how it went; recorded even when the candidate
        interrupts the answer (the run happened: its execution id is kept)."""
        spoken: list[str] = []
        execution_id: str | None = None
        complete = False
        try:
            if name in ("run", "submit"):
                result, told = await self._execute(name)
                execution_id = result.id if result else None
                spoken += told
                if result is not None and self._all_pass(result):
                    spoken += self._start_follow_ups(result)
            elif name == "time":
                interview = await _thread(self.deps.sessions.get_session, self.session_id)
                spoken.append(persona.time_left(self._seconds_left(interview)))
            elif name == "repeat":
                spoken.append(self.last_said or "I haven't asked you anything yet.")
            if name == "hint":
                async with aclosing(self._hint(said)) as lines:
                    async for line in lines:
                        spoken.append(line)
                        yield line
            else:
                for line in spoken:
                    yield line
            complete = True
        finally:
            outcome = " ".join(spoken) if complete else "interrupted: " + " ".join(spoken)
            with anyio.CancelScope(shield=True):
                await self._record_command(name, said, outcome, execution_id)

    async def _hint(self, said: str | None) -> AsyncGenerator[str, None]:
        """A hint through the assistant, so it is counted like the chat's hints."""
        asked = said if said and wants_hint(said) else "Can I have a hint?"
        before, self.phase = self.phase, "hint"
        try:
            async with aclosing(self._ask(asked)) as lines:
                async for line in lines:
                    yield line
        finally:
            self.phase = "coding" if before in ("clarify", "hint") else before

    # ---- code runs --------------------------------------------------------------------

    async def _execute(self, mode: str) -> tuple[ExecutionResult | None, list[str]]:
        """Run (or submit) the current part's file, as the Run button does."""
        interview = await _thread(self.deps.sessions.get_session, self.session_id)
        part = await _thread(self.deps.problems.current_part, interview)
        language = str((interview.config or {}).get("language") or DEFAULT_LANGUAGE)
        path = part.path if part else f"/{SOLUTION_FILES.get(language, 'solution.py')}"
        request = SessionExecuteRequest(file=path, mode="submit" if mode == "submit" else "run")
        try:
            result = await run_in_session(
                self.deps.executions, self.principal, self.session_id, request
            )
        except ProblemError as exc:
            return None, [f"I couldn't run it: {exc.detail}."]
        view = candidate_view(result)
        if self.phase in ("clarify", "hint"):
            self.phase = "coding"
        self.seen.run_id = view.id
        problem = await _thread(self._current_problem, interview)
        lines = persona.run_result(view, problem)
        if mode == "submit" and view.state == "finished":
            lines.insert(0, "Submitted.")
        return view, lines

    @staticmethod
    def _all_pass(result: ExecutionResult) -> bool:
        return result.status == "accepted" and result.total > 0 and result.passed == result.total

    def _start_follow_ups(self, result: ExecutionResult) -> list[str]:
        """Once the tests pass: the first follow-up question (never before)."""
        self.seen.run_id = result.id
        if self.phase in ("follow-up", "wrap-up", "done") or not self.seen.follow_ups:
            return []
        self.phase = "follow-up"
        return ["Nice work.", *self._next_follow_up()]

    def _next_follow_up(self) -> list[str]:
        asked = self.seen.follow_ups_asked
        if asked >= len(self.seen.follow_ups):
            self.phase = "wrap-up"
            return [
                "That's all my questions.",
                "You can keep improving your code, or submit it when you're ready.",
            ]
        self.seen.follow_ups_asked += 1
        # a staff note in parentheses ("(two pointers, O(1) space)") is the answer: not said
        question = speak(_STAFF_NOTE.sub("", self.seen.follow_ups[asked]))
        self.last_said = " ".join(question)
        lead = "A follow-up question." if asked == 0 else "Next question."
        return [lead, *question]

    async def _follow_up_answer(self, text: str) -> AsyncGenerator[str, None]:
        """An answer moves on to the next follow-up; a question about it is answered
        (by the model) or left to the candidate's judgement (offline) without moving on."""
        if self.uses_llm:
            async with aclosing(self._ask(text)) as lines:
                async for line in lines:
                    yield line
        elif is_question(text):
            yield "Make whatever assumption you think is reasonable, and tell me what you'd do."
        if not is_question(text):
            for line in self._next_follow_up():
                yield line

    # ---- questions through the assistant ----------------------------------------------

    async def _ask(self, text: str) -> AsyncGenerator[str, None]:
        """An assistant turn (admitted, stored and counted as in the chat), spoken.

        Offline, what the tutor answers with a long Markdown menu (a request for the
        solution, a question it has no rule for) gets one short spoken line instead."""
        if not self.uses_llm and (read := await self._from_statement(text)):
            for line in read:
                yield line
            return
        if not self.uses_llm and (short := OFFLINE_SHORT.get(intent_of(text))):
            yield short
            return
        try:
            admitted = await _thread(self.deps.assistant.admit, self.session_id, text)
        except ProblemError as exc:
            yield _refusal(exc)
            return
        prompt = self._persona_prompt if self.uses_llm else system_prompt
        events = self.deps.assistant.converse(
            admitted.interview, text, admitted.reservation, prompt=prompt
        )
        async with aclosing(events):
            async for line in sentences(_texts(events)):
                yield line

    def _persona_prompt(self, context: AssistantContext) -> str:
        """The interviewer's persona (the template's voice) in place of the chat's prompt."""
        return persona.persona_prompt(self.voice, context, self.phase)

    # ---- proactive lines ----------------------------------------------------------------

    async def poll(self) -> list[str]:
        """Called every few seconds while nobody speaks: what the interviewer says unasked
        (the deadline, a new part, tests passing, repeated failures, a long idle), or []."""
        if self.phase in ("greet", "present", "done"):
            return []
        try:
            return await self._poll()
        except SessionNotFound:  # deleted under the conversation: nothing more to say
            self.phase = "done"
            return []

    async def _poll(self) -> list[str]:
        interview = await _thread(self.deps.sessions.get_session, self.session_id)
        left = self._seconds_left(interview)
        if not interview.is_active or (left is not None and left <= 0):
            self.phase = "done"
            return persona.wrap_up(self.voice, interview.candidate_name)
        if left is not None and left <= DEADLINE_WARNING_S and not self.seen.warned_deadline:
            self.seen.warned_deadline = True
            return self._said([persona.deadline_warning(left)])
        problem = await _thread(self._current_problem, interview)
        if problem is not None and problem.id != self.seen.problem_id:
            self.phase = "clarify"
            return self._said(["Let's move on to the next part.", *self._present(problem)])
        lines = await self._after_runs()
        if not lines:
            lines = await self._idle_checkin()
        return self._said(lines)

    def _said(self, lines: list[str]) -> list[str]:
        if lines:
            self.seen.spoke_at = self.clock()
        return lines

    async def _after_runs(self) -> list[str]:
        """Follow-ups once a new run passes; a check-in after failing runs in a row (the
        Run button's runs too: the voice command's own were spoken already)."""
        wanted = self.deps.settings.voice_checkin_failed_runs
        rows = await _thread(self.deps.executions.list_for_session, self.session_id, wanted)
        finished = [row for row in rows if row.state == "finished"]
        if not finished or finished[0].id == self.seen.run_id:
            return []
        newest = finished[0]
        self.seen.run_id = newest.id
        if self.phase in ("clarify", "hint"):
            self.phase = "coding"
        if newest.status == "accepted" and newest.total > 0 and newest.passed == newest.total:
            _, result = await _thread(self.deps.executions.get, newest.id)
            view = candidate_view(result)
            follow = self._start_follow_ups(view)
            return [*persona.run_result(view, None), *follow] if follow else []
        window = rows[:wanted]
        failing = [r for r in window if r.state == "finished" and r.status != "accepted"]
        fresh = self.seen.failing_run_id not in {r.id for r in window}
        if len(failing) == wanted and fresh and self.phase == "coding":
            self.seen.failing_run_id = newest.id
            return [persona.failing_checkin(self.voice, wanted)]
        return []

    async def _idle_checkin(self) -> list[str]:
        """A check-in after ``voice_checkin_idle_minutes`` without an edit or a word."""
        if self.phase not in ("clarify", "coding"):
            return []
        _, files = await _thread(self.deps.sessions.list_files, self.session_id)
        edited = max((f.updated_at for f in files), default=self.started_at)
        if edited > self.started_at and self.phase == "clarify":
            self.phase = "coding"
        moments = [edited, self.started_at, self.seen.spoke_at, self.seen.checked_in_at]
        last = max(moment for moment in moments if moment is not None)
        idle = (self.clock() - last).total_seconds()
        if idle < self.deps.settings.voice_checkin_idle_minutes * 60:
            return []
        self.seen.checked_in_at = self.clock()
        return [persona.idle_checkin(self.voice)]

    async def _from_statement(self, text: str) -> list[str] | None:
        """Offline, a clarifying question the tutor has no rule for, or one it would answer
        by restating the whole problem: the statement's line that answers it
        (:mod:`.clarify`), or None."""
        intent = intent_of(text)
        if not is_question(text) or intent not in ("other", "problem"):
            return None
        interview = await _thread(self.deps.sessions.get_session, self.session_id)
        problem = await _thread(self._current_problem, interview)
        if problem is None:
            return None
        # a question about the problem the tutor would answer by restating all of it gets
        # the one line that answers it, when one clearly does
        return clarify.answer(problem, text, at_least=1.0 if intent == "other" else SPECIFIC)

    # ---- session facts --------------------------------------------------------------------

    def _seconds_left(self, interview: InterviewSession) -> int | None:
        if interview.deadline_at is None:
            return None
        return max(0, int((interview.deadline_at - self.clock()).total_seconds()))

    def _current_problem(self, interview: InterviewSession) -> Problem | None:
        """The problem of the part the candidate is on (blocking)."""
        try:
            part = self.deps.problems.current_part(interview)
            problem_id = part.problem_id if part else interview.problem_id
            return self.deps.problems.problem(problem_id) if problem_id else None
        except ProblemError:
            return None

    def _voice_of(self, interview: InterviewSession) -> TemplateVoice:
        """The template's persona, else the default (blocking)."""
        if interview.template_id is None:
            return persona.DEFAULT_VOICE
        try:
            return self.deps.problems.template(interview.template_id).voice
        except ProblemError:
            return persona.DEFAULT_VOICE

    async def _record_command(
        self, name: str, said: str | None, outcome: str, execution_id: str | None
    ) -> None:
        event: dict[str, Any] = {"type": "voice_command", "command": name}
        event["outcome"] = outcome.strip()[:2000]
        if said is not None:
            event["said"] = said[:2000]
        if execution_id is not None:
            event["execution_id"] = execution_id
        await _thread(self.deps.recording.record_now, self.session_id, event)


async def _texts(events: AsyncIterator[Event]) -> AsyncIterator[str]:
    """The text of an assistant turn's events; a refusal or a failure as one sentence."""
    async for event in events:
        if event.name == "delta":
            yield str(event.data.get("text", ""))
        elif event.name == "refused":
            yield "\n\n" + str(event.data.get("text", ""))
        elif event.name == "error":
            yield "\n\nSorry, I can't answer that right now. Let's try again in a moment."


def _refusal(exc: ProblemError) -> str:
    """A refused question (rate, budget, ended session) in words."""
    if exc.code == "rate_limited":
        return "Let's pause the questions for a minute, then ask me again."
    if exc.code == "ai_budget_exceeded":
        return "I've answered all the questions I can in this session."
    if exc.code in ("session_ended", "session_expired"):
        return "The session has ended."
    return "I couldn't take that question. Could you say it another way?"
