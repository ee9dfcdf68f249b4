"""create_app(): wire settings, ports and domains into one FastAPI application."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import hmac
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from interviewkit import __version__
from interviewkit.assistant import api as assistant_api
from interviewkit.assistant.service import AssistantService, build_chain
from interviewkit.auth import api as keys_api
from interviewkit.auth.service import AuthService
from interviewkit.auth.web import WebSessionService
from interviewkit.broker import create_broker
from interviewkit.config import Settings
from interviewkit.db import create_db_engine, create_session_factory
from interviewkit.doctor import probe_broker
from interviewkit.errors import ProblemError, install_error_handlers
from interviewkit.execution import api as execution_api
from interviewkit.execution.service import ExecutionService
from interviewkit.live import api as live_api
from interviewkit.live import status as live_status
from interviewkit.live.connection import LiveServices
from interviewkit.live.hub import Hub
from interviewkit.llm.port import call_async
from interviewkit.observability import (
    InputGuardMiddleware,
    Metrics,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
    configure_logging,
)
from interviewkit.problems import api as problems_api
from interviewkit.problems.bank import load_bank
from interviewkit.problems.service import ProblemService
from interviewkit.recording import api as recording_api
from interviewkit.recording.service import RecordingService
from interviewkit.review import api as review_api
from interviewkit.review.service import ReviewService
from interviewkit.sessions import api as sessions_api
from interviewkit.sessions.service import SessionService
from interviewkit.speech.engines import build_stt, load_engines
from interviewkit.storage import ObjectStore, ObjectStoreError, PortCheck, create_object_store
from interviewkit.storage import api as objects_api
from interviewkit.storage.signing import OBJECTS_ROUTE
from interviewkit.tasks import TaskQueue, create_task_queue
from interviewkit.video import api as video_api
from interviewkit.video import media as video_media
from interviewkit.video.pipeline import VideoPipeline
from interviewkit.video.progress import Notifier
from interviewkit.video.records import RecordService
from interviewkit.video.service import VideoService
from interviewkit.voice import api as voice_api
from interviewkit.voice.commands import parse_command
from interviewkit.voice.interviewer import Interviewer, InterviewerDeps
from interviewkit.voice.service import VoiceService
from interviewkit.web import api as web_api
from interviewkit.web import catalog as catalog_pages
from interviewkit.web import player as player_pages
from interviewkit.web import signin
from interviewkit.web import staff as staff_pages
from interviewkit.web import video as video_pages

logger = logging.getLogger("interviewkit.app")


@dataclass
class Container:
    """Everything a request handler may need, built once per application."""

    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    object_store: ObjectStore
    auth: AuthService
    web: WebSessionService
    sessions: SessionService
    executions: ExecutionService
    problems: ProblemService
    recording: RecordingService
    assistant: AssistantService
    hub: Hub
    review: ReviewService
    voice: VoiceService
    tasks: TaskQueue
    video: VideoService
    video_records: RecordService
    video_pipeline: VideoPipeline
    metrics: Metrics = field(default_factory=Metrics)

    @classmethod
    def build(cls, settings: Settings) -> Container:
        """Build every domain from the bottom up, each given what it uses, then
        :meth:`wire` the two calls that go back up the list."""
        engine = create_db_engine(settings)
        factory = create_session_factory(engine)
        store = create_object_store(settings)
        sessions = SessionService(factory, store, settings)
        # candidate tokens work while their session is open: the sessions domain says so
        auth = AuthService.from_settings(factory, settings, gate=sessions)
        # staff browsers sign in with a key and then hold only a session cookie
        web = WebSessionService.from_settings(factory, settings)
        recording = RecordingService(factory, store, settings, sessions)
        # runs and verdicts of a session go to its recording
        executions = ExecutionService(
            factory,
            store,
            settings,
            sessions,
            on_session_event=recording.record_now,
            record_event=recording.record_in,  # a run's events join its row's commits
        )
        # one LLM chain: the assistant's, shared without the offline tutor (which writes
        # no problems) by problem generation, so both see the same breakers
        chain = build_chain(settings)
        problems = ProblemService(
            factory,
            settings,
            load_bank(settings.problems_dir),
            sessions,
            executions,
            chain=chain.without("offline"),
        )
        metrics = Metrics()
        assistant = AssistantService(
            factory, settings, sessions, executions, problems, recording, metrics, chain=chain
        )
        # the live channel: stored events fan out to every client of their session
        describe = partial(live_status.describe, sessions, problems)
        hub = Hub(settings, create_broker(settings), recording, describe)
        # the review reads every domain above through its service (scorecards its own)
        review = ReviewService(
            factory, settings, sessions, problems, executions, recording, assistant, auth
        )
        # the voice interviewer: speech engines (loaded on the first voice start) and an
        # interviewer per conversation that acts through the services above
        deps = InterviewerDeps(settings, sessions, problems, executions, assistant, recording)
        voice = VoiceService(
            settings,
            partial(load_engines, settings),
            partial(Interviewer, deps),
            parse_command,
            recording=recording,
            sessions=sessions,
            store=store,
            metrics=metrics,
        )
        # asynchronous video interviews: uploads checked and queued by the service, the
        # durable analysis run by the task queue's workers (here or `interviewkit worker`)
        tasks = create_task_queue(settings, factory)
        notifier = Notifier(sessions, recording)
        video = VideoService(
            factory, store, settings, sessions, auth, notifier, tasks, video_media.probe
        )
        video_records = RecordService(factory, store, settings, sessions, video)
        video_pipeline = VideoPipeline(
            factory,
            store,
            settings,
            notifier,
            video,
            partial(build_stt, settings),
            # a chain of its own: grading runs on its own event loop in a worker thread,
            # and SDK clients keep pooled connections of the loop that opened them
            build_chain(settings),
        )
        video_pipeline.register(tasks)
        container = cls(
            settings=settings,
            engine=engine,
            factory=factory,
            object_store=store,
            auth=auth,
            web=web,
            sessions=sessions,
            executions=executions,
            problems=problems,
            recording=recording,
            assistant=assistant,
            hub=hub,
            review=review,
            voice=voice,
            tasks=tasks,
            video=video,
            video_records=video_records,
            video_pipeline=video_pipeline,
            metrics=metrics,
        )
        container.wire()
        return container

    def wire(self) -> None:
        """The calls that go up the layers, so no constructor can take them: bound here,
        in one place, right after :meth:`build`.

        - sessions -> recording: every workspace change and a session's end are recorded
          in the transaction that makes them (the recording reads sessions through
          :class:`SessionService`, so it is built after it);
        - execution -> problems: ``mode: submit`` runs the tests of the session's problem
          (problems run code through :class:`ExecutionService`);
        - recording -> live: every committed event goes to the hub, which publishes it to
          the session's connected clients (the hub reads the log through the recording).
        """
        self.sessions.recorder = self.recording
        self.executions.problem_tests = self.problems.submission
        self.recording.listener = self.hub.stored

    def live_services(self) -> LiveServices:
        """What the live channel's connections work with."""
        return LiveServices(
            self.settings,
            self.auth,
            self.sessions,
            self.recording,
            self.executions,
            self.problems,
            self.hub,
            self.web,
            self.voice,
        )

    def check_ports(self) -> list[PortCheck]:
        """Probe every configured port (database, object store; more as domains arrive)."""
        results = []
        probes: list[Callable[[], PortCheck]] = [
            partial(check_database, self.engine),
            self.object_store.check,
            self.tasks.check,  # jobs can be queued (the table; Celery's broker)
        ]
        if self.settings.broker != "memory":  # live clients on other processes need it
            probes.append(partial(probe_broker, self.settings))
        for probe in probes:
            started = time.perf_counter()
            outcome = probe()
            elapsed = round((time.perf_counter() - started) * 1000, 2)
            results.append(replace(outcome, latency_ms=elapsed))
        started = time.perf_counter()
        llm = self._llm_checks()
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        return results + [replace(check, latency_ms=elapsed) for check in llm]

    def _llm_checks(self) -> list[PortCheck]:
        """One check per provider of the chain (run on the server's loop when there is one)."""
        found = call_async(self.assistant.check)
        return [
            PortCheck(f"llm:{name}", ok, detail, "check the provider's key, URL and model")
            for name, ok, detail in found
        ]


class Readiness:
    """What /readyz answers: the ports' probes, run by one caller at a time and reused
    for ``ttl`` seconds.

    /readyz is public and load balancers call it often and in bursts: each burst costs
    one round of probes, not one per call. The public answer says which port fails, never
    why: the details (database URLs, data-dir paths, a provider's error text, which can
    hold key fragments or internal hosts) go to the server log and ``interviewkit doctor``.
    """

    def __init__(self, probe: Callable[[], list[PortCheck]], ttl: float) -> None:
        self.probe = probe
        self.ttl = ttl
        self._lock = threading.Lock()
        self._cached: tuple[float, bool, dict[str, Any]] | None = None

    def report(self) -> tuple[bool, dict[str, Any]]:
        with self._lock:
            cached = self._cached
            if cached is not None and time.monotonic() - cached[0] < self.ttl:
                return cached[1], cached[2]
            ready, body = self._public(self.probe())
            self._cached = (time.monotonic(), ready, body)
            return ready, body

    @staticmethod
    def _public(found: list[PortCheck]) -> tuple[bool, dict[str, Any]]:
        checks: dict[str, dict[str, Any]] = {}
        for check in found:
            item: dict[str, Any] = {"status": "ok" if check.ok else "failing"}
            if not check.ok:
                logger.warning("readiness check %s failing: %s", check.name, check.detail)
                item["detail"] = "failing; the server log and `interviewkit doctor` say why"
            item["latency_ms"] = check.latency_ms
            checks[check.name] = item
        # ready when every port answers and at least one LLM provider of the chain does
        ports = [item["status"] == "ok" for name, item in checks.items() if ":" not in name]
        llms = [item["status"] == "ok" for name, item in checks.items() if name.startswith("llm:")]
        ready = all(ports) and (not llms or any(llms))
        return ready, {"status": "ready" if ready else "not_ready", "checks": checks}


def check_database(engine: Engine) -> PortCheck:
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready"
        return PortCheck("database", False, f"{where}: {exc}", "check INTERVIEWKIT_DATABASE_URL")
    return PortCheck("database", True, where)


def tune_garbage_collector() -> None:
    """Keep the cyclic garbage collector off the request path.

    Everything loaded at start-up (modules, models, compiled statements) is moved out of
    the collector's sight, and young objects are collected ten times less often: each
    request allocates thousands of short-lived objects, and the default threshold ran a
    collection every few requests, which showed up as write p99 spikes (measured: p99
    80-100 ms before, about 50 ms after, in bench/api_bench.py).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    container = container or Container.build(settings or Settings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = container.settings.worker_threads
        tune_garbage_collector()
        # ends sessions whose time limit elapsed (writes past it are refused without it)
        sweeper = asyncio.create_task(container.problems.sweep_forever())
        await container.hub.start()
        container.tasks.start()  # the database backend's worker threads (no-op on Celery)
        yield
        await anyio.to_thread.run_sync(container.tasks.stop)
        await container.hub.stop()  # live clients are told to reconnect (1012)
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
        await container.executions.drain()
        container.executions.close()
        container.recording.close()
        container.voice.close()
        container.engine.dispose()

    # Swagger UI and ReDoc served from the package, not a CDN: self-hosted and offline.
    app = FastAPIOffline(
        title="InterviewKit",
        version=__version__,
        description="Self-hostable platform for AI-assisted technical interviews.",
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.live = container.live_services()
    install_error_handlers(app)
    app.add_exception_handler(ObjectStoreError, objects_api.object_store_error)
    # outermost last: security headers go on every answer, the request context's own 413
    # and 500 included; the input guard reads bodies through the context's size cap
    app.add_middleware(InputGuardMiddleware)
    app.add_middleware(
        RequestContextMiddleware,
        metrics=container.metrics,
        max_body_bytes=container.settings.max_request_bytes,
        unlimited_prefixes=(OBJECTS_ROUTE,),
    )
    app.add_middleware(SecurityHeadersMiddleware, object_origins=object_origins(container))
    app.include_router(sessions_api.router)
    app.include_router(keys_api.router)
    app.include_router(execution_api.router)
    app.include_router(problems_api.router)
    app.include_router(recording_api.router)
    app.include_router(assistant_api.router)
    app.include_router(objects_api.router)
    app.include_router(live_api.router)
    app.include_router(review_api.router)
    app.include_router(voice_api.router)
    app.include_router(video_api.router)
    # the candidate room and the landing page, and the bundle they load
    app.include_router(web_api.router)
    # staff sign-in; staff pages send a signed-out browser to /login
    app.include_router(signin.router)
    signin.install(app)
    # the interviewer's pages: sessions, scorecards and reports; candidates, bank, compare
    app.include_router(staff_pages.router)
    app.include_router(catalog_pages.router)
    # the live view and the replay player (TypeScript apps on staff pages)
    app.include_router(player_pages.router)
    # video interviews: the staff list, detail and report; the candidate's recording page
    app.include_router(video_pages.router)
    app.mount(web_api.STATIC_ROUTE, web_api.static_files(), name="static")
    _add_operational_routes(app, container)
    return app


def object_origins(container: Container) -> tuple[str, ...]:
    """The origin the object store's signed URLs point to, when it is not this app's own
    (S3): the video pages upload answers to it and play the converted videos from it."""
    if container.settings.object_store != "s3":
        return ()
    url = urlsplit(container.object_store.presign_get("origin-probe", 60))
    return (f"{url.scheme}://{url.netloc}",)


def _add_operational_routes(app: FastAPI, container: Container) -> None:
    @app.get("/healthz", tags=["operations"], summary="Liveness")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    readiness = Readiness(container.check_ports, container.settings.readyz_cache_seconds)

    @app.get("/readyz", tags=["operations"], summary="Readiness of every configured port")
    def readyz() -> JSONResponse:
        ready, body = readiness.report()
        return JSONResponse(body, status_code=200 if ready else 503)

    token = container.settings.metrics_token

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    def metrics(request: Request) -> Response:
        if token is not None and not _metrics_authorised(request, token.get_secret_value()):
            raise ProblemError(
                401,
                "unauthenticated",
                "/metrics needs the metrics token: Authorization: Bearer <token> "
                "(or Basic auth with the token as password)",
                headers={"WWW-Authenticate": 'Bearer, Basic realm="metrics"'},
            )
        return Response(generate_latest(container.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def _metrics_authorised(request: Request, token: str) -> bool:
    """Bearer <token>, or Basic with any user and <token> as the password (what Prometheus'
    ``basic_auth`` and ``authorization`` scrape options send); compared in constant time."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    offered = credentials.strip()
    if scheme.lower() == "basic":
        try:
            offered = base64.b64decode(offered, validate=True).decode().partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return False
    elif scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(offered.encode(), token.encode())


def serve_app() -> FastAPI:
    """The factory ``interviewkit serve`` hands to uvicorn: every worker process
    configures its own logging from the settings, then builds the app."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
