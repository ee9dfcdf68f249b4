"""One Settings object for the whole platform.

Every knob is an environment variable with the ``INTERVIEWKIT_`` prefix (or a line in
``.env``) and has a default that works on a single machine with nothing else installed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

KIB = 1024
MIB = 1024 * KIB


class Settings(BaseSettings):
    """Effective configuration; ``interviewkit doctor`` prints it."""

    model_config = SettingsConfigDict(
        env_prefix="INTERVIEWKIT_", env_file=".env", extra="ignore", frozen=True
    )

    # --- where things live -------------------------------------------------------------
    data_dir: Path = Field(Path(".interviewkit"), description="Holds SQLite, objects, secret")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; empty means SQLite inside data_dir"
    )
    object_store: Literal["local", "s3"] = "local"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = Field(None, repr=False)
    s3_create_bucket: bool = Field(False, description="Create the bucket if it is missing")

    # --- HTTP ----------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    public_url: str | None = Field(
        None, description="Base URL clients use to reach this server (for signed URLs)"
    )
    secret_key: str | None = Field(
        None,
        min_length=32,
        repr=False,
        description="Signs candidate tokens and URLs; generated into data_dir when empty. "
        "Set it explicitly when several servers share one database.",
    )

    # --- limits (defaults from the origin documents) -------------------------------------
    max_file_bytes: int = Field(1 * MIB, ge=1)
    max_files_per_session: int = Field(200, ge=1)
    max_workspace_bytes: int = Field(20 * MIB, ge=1)
    max_request_bytes: int = Field(
        4 * MIB, ge=1024, description="Whole request body; JSON escaping can double a file"
    )
    max_upload_bytes: int = Field(
        2 * 1024 * MIB, ge=1, description="One upload through a signed object-store URL"
    )
    inline_content_max_bytes: int = Field(
        64 * KIB, ge=0, description="Larger files go to the object store"
    )
    max_path_bytes: int = Field(1024, ge=16)
    max_path_depth: int = Field(16, ge=1)
    max_segment_bytes: int = Field(255, ge=1)
    max_session_config_bytes: int = Field(64 * KIB, ge=2)
    # the longest config.time_limit_minutes a session may have (one week)
    max_time_limit_minutes: float = Field(7 * 24 * 60, gt=0, le=366 * 24 * 60)
    # how often the app ends sessions whose time limit elapsed (writes are refused anyway)
    deadline_sweep_interval_s: float = Field(5.0, gt=0, le=3600)
    max_page_size: int = Field(100, ge=1)
    candidate_token_ttl_seconds: int = Field(4 * 3600, ge=60)
    # an invite asking for a longer token than this is refused (422 token_ttl_too_long)
    candidate_token_max_ttl_seconds: int = Field(72 * 3600, ge=60)
    # how long a session's open/ended state is trusted for its candidate tokens without a
    # lookup: a session ended by another process refuses its tokens within this time
    candidate_token_cache_seconds: float = Field(5.0, ge=0, le=60)
    signed_url_ttl_seconds: int = Field(900, ge=1)
    worker_threads: int = Field(
        16,
        ge=1,
        le=256,
        description="Threads running blocking work (database, object store) per process; "
        "more threads mostly fight over the GIL",
    )
    candidate_requests_per_second: float = Field(
        20.0, ge=0, description="Sustained requests of one candidate session; 0 = no limit"
    )
    candidate_request_burst: int = Field(60, ge=1, description="Requests a candidate may burst")
    staff_requests_per_second: float = Field(
        0.0, ge=0, description="Sustained requests of one API key; 0 = no limit"
    )
    staff_request_burst: int = Field(600, ge=1, description="Requests an API key may burst")
    api_key_cache_seconds: float = Field(
        5.0, ge=0, description="How long a verified API key is trusted without a lookup"
    )
    web_session_minutes: int = Field(
        720, ge=1, le=60 * 24 * 30, description="A staff browser sign-in lasts this long"
    )
    login_link_minutes: int = Field(
        15, ge=1, le=60 * 24, description="A login link made by `keys login-link` works this long"
    )
    login_attempts_per_minute: float = Field(
        10.0, gt=0, description="Sign-in attempts one client address may make per minute"
    )
    login_attempt_burst: int = Field(10, ge=1, description="...in bursts this big (429 beyond)")
    staff_page_size: int = Field(
        25, ge=1, le=500, description="Rows per page in the interviewer's lists"
    )
    # /readyz reuses its probes this long: a burst of probes costs one round of checks
    readyz_cache_seconds: float = Field(2.0, ge=0, description="0: probe on every call")
    # a token /metrics asks for (Authorization: Bearer, or Basic with it as password)
    metrics_token: SecretStr | None = Field(None, description="Empty: /metrics is open")

    # --- code execution ----------------------------------------------------------------
    sandbox: Literal["bwrap", "process"] = Field(
        "bwrap", description="bwrap isolates; process is rlimits only (development machines)"
    )
    sandbox_uid: int = Field(
        64999, ge=1, description="Unprivileged host uid sandboxed code runs as (server as root)"
    )
    sandbox_gid: int = Field(64999, ge=1)
    exec_cpu_time_s: float = Field(5.0, gt=0, description="Default CPU time per run")
    exec_wall_time_s: float = Field(10.0, gt=0, description="Default wall time per run")
    exec_memory_mb: int = Field(128, ge=16, description="Default memory per run (+runtime room)")
    exec_processes: int = Field(64, ge=1, description="Processes and threads per run")
    exec_file_size_mb: int = Field(10, ge=1, description="Largest file a run may write")
    exec_tmpfs_mb: int = Field(50, ge=1, description="Size of a run's /tmp and of its /work")
    exec_output_kb: int = Field(64, ge=1, description="stdout and stderr kept, each")
    exec_max_cpu_time_s: float = Field(30.0, gt=0, description="Most a request may ask for")
    exec_max_wall_time_s: float = Field(30.0, gt=0)
    exec_max_memory_mb: int = Field(1024, ge=16)
    exec_max_processes: int = Field(256, ge=1)
    exec_max_file_size_mb: int = Field(64, ge=1)
    exec_max_output_kb: int = Field(1024, ge=1)
    exec_submission_wall_s: float = Field(
        30.0, gt=0, description="Wall budget of one submission across all its tests"
    )
    exec_max_tests: int = Field(500, ge=1, description="Tests in one request")
    exec_workers: int = Field(
        0, ge=0, description="Runs at once; 0 = one per core (runs are CPU-bound)"
    )
    exec_queue_size: int = Field(
        0, ge=0, description="Runs waiting beyond the workers before 429; 0 = 4 per worker"
    )
    exec_warm_pool: int = Field(
        2,
        ge=0,
        le=64,
        description="Pre-started sandboxes per warm runtime (Python, Node, JVM); 0 = off",
    )
    exec_cache_entries: int = Field(500, ge=1, description="Compiled programs kept")
    exec_inline_result_kb: int = Field(
        64,
        ge=0,
        description="Results up to this size live in their execution row (one commit); "
        "bigger ones in the object store; 0 = always the store",
    )
    exec_callback_attempts: int = Field(3, ge=1, le=10)
    # runs running or waiting at once per session / per API key (429 beyond); key 0 = no cap
    exec_max_in_flight_per_session: int = Field(2, ge=1)
    exec_max_in_flight_per_key: int = Field(8, ge=0)
    # callback_url hosts may resolve to these non-public IPs/CIDRs (comma-separated)
    exec_callback_allow: str = Field("", description="e.g. 127.0.0.1,10.0.0.0/8; empty: none")
    # the most of a callback receiver's answer read before the connection is dropped
    exec_callback_response_kb: int = Field(16, ge=1)
    # the process sandbox (rlimits only, no isolation) refused unless this says yes
    sandbox_allow_process: bool = Field(False, description="Only on a machine only you use")
    # bwrap without seccomp or without cgroup limits refused unless this says yes
    sandbox_allow_weak: bool = Field(False, description="Run bwrap lacking seccomp/cgroups")

    # --- AI assistant ---------------------------------------------------------------------------
    llm_provider: str = Field(
        "offline",
        description="Ordered fallback chain of providers: offline, anthropic, openai",
        pattern=r"^(offline|anthropic|openai)(,(offline|anthropic|openai))*$",
    )
    # SecretStr: never in repr, doctor or logs; providers unwrap it when building the client
    anthropic_api_key: SecretStr | None = None
    anthropic_model: str = "claude-sonnet-4-5"
    anthropic_base_url: str | None = None
    openai_api_key: SecretStr | None = None  # SecretStr, like anthropic_api_key
    openai_model: str = "gpt-4o-mini"
    openai_base_url: str | None = Field(None, description="Ollama, vLLM, llama.cpp server...")
    llm_timeout_s: float = Field(60.0, gt=0, description="One provider request")
    llm_retry_attempts: int = Field(3, ge=1, le=10)
    llm_retry_base_s: float = Field(0.5, ge=0)
    llm_retry_max_s: float = Field(8.0, ge=0)
    llm_breaker_failures: int = Field(5, ge=1, description="Consecutive failures to open")
    llm_breaker_cooldown_s: float = Field(30.0, gt=0)
    llm_max_tokens: int = Field(1024, ge=16, le=32_000, description="Longest reply")
    llm_prices: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {
            "claude-sonnet-4-5": (3.0, 15.0),
            "claude-haiku-4-5": (1.0, 5.0),
            "gpt-4o-mini": (0.15, 0.6),
            "gpt-4o": (2.5, 10.0),
            "offline": (0.0, 0.0),
        },
        description="USD per million input and output tokens, by model",
    )
    ai_context_tokens: int = Field(6000, ge=500, description="Workspace files in the prompt")
    ai_session_token_budget: int = Field(200_000, ge=0, description="0: no limit")
    ai_daily_token_budget: int = Field(5_000_000, ge=0, description="All sessions; 0: no limit")
    ai_messages_per_minute: int = Field(10, ge=1, description="Per session")
    ai_max_message_chars: int = Field(8000, ge=1)
    # an admitted turn counts toward the rate limit and budgets until it ends, at most this long
    ai_reservation_ttl_s: float = Field(
        600.0, gt=0, description="A turn's reservation outlives a crashed server this long"
    )

    # --- recording ---------------------------------------------------------------------------
    recording_max_batch_events: int = Field(1000, ge=1, le=100_000, description="413 beyond")
    recording_max_event_bytes: int = Field(256 * 1024, ge=1024, description="413 beyond")
    recording_keyframe_events: int = Field(
        200, ge=2, description="A keyframe after this many events since the last"
    )
    recording_keyframe_seconds: float = Field(
        60.0, gt=0, description="...or after this much session time since the last"
    )
    recording_large_paste_chars: int = Field(200, ge=1, description="Pastes this big are flagged")
    recording_idle_seconds: float = Field(30.0, gt=0, description="A gap this long is idle")
    recording_archive_format: Literal["zstd", "gzip"] = "zstd"
    recording_url_seconds: int = Field(3600, ge=60, le=7 * 24 * 3600)
    recording_hot_retention_s: float = Field(
        7 * 24 * 3600, ge=0, description="Archived events stay in the database this long"
    )
    recording_clock_skew_s: float = Field(
        300.0, ge=0, description="How far ahead of the server a client's clock may run"
    )
    recording_state_cache: int = Field(256, ge=1, description="Sessions' workspaces kept warm")
    # a whole-file write whose changed part is at least this share of the new content (and
    # at least recording_large_paste_chars long) is flagged as a rewrite (a paste in disguise)
    recording_rewrite_fraction: float = Field(0.5, gt=0, le=1)
    # file contents (and edit inserts) above this many bytes are stored in the object store
    # by content hash and referenced from the event, so writes up to max_file_bytes record
    recording_inline_content_bytes: int = Field(32 * KIB, ge=1024)
    # per-session quotas of a recording: client batches beyond them get 413
    # recording_quota_exceeded (server-produced events are always recorded)
    recording_max_events: int = Field(1_000_000, ge=1)
    recording_max_bytes: int = Field(512 * MIB, ge=1024)

    # --- the live session channel (docs/live-protocol.md) -----------------------------------
    broker: Literal["memory", "redis"] = Field(
        "memory", description="Fan-out between server processes: memory (one process) or redis"
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="For broker=redis")
    live_max_message_bytes: int = Field(
        512 * KIB, ge=1024, description="A bigger client frame closes the channel (4413)"
    )
    live_rate_per_s: float = Field(50.0, gt=0, description="Client messages per second...")
    live_rate_burst: int = Field(200, ge=1, description="...with bursts this big (4429 beyond)")
    live_send_queue: int = Field(
        1024, ge=8, description="Messages queued for a slow client before it is dropped (4408)"
    )
    live_heartbeat_s: float = Field(15.0, gt=0, description="The server pings this often")
    live_idle_timeout_s: float = Field(
        45.0, gt=0, description="A client silent this long is closed (4409)"
    )
    live_auth_timeout_s: float = Field(10.0, gt=0, description="hello must arrive this soon")
    live_resume_max_events: int = Field(
        5000, ge=1, description="A resume further behind than this gets the whole workspace"
    )
    live_max_connections_per_session: int = Field(32, ge=1)
    live_gap_fill_ms: int = Field(
        200, ge=1, description="A gap in the pushed log is read from the database after this"
    )

    # --- speech engines (speech/) and the voice interviewer (voice/) --------------------------
    stt_engine: Literal["whisper", "pocketsphinx", "openai"] = Field(
        "whisper", description="Speech to text: whisper (offline), pocketsphinx, openai"
    )
    stt_model_dir: Path | None = Field(
        None, description="A CTranslate2 Whisper model directory (default: the bundled tiny.en)"
    )
    stt_threads: int = Field(1, ge=1, le=64, description="CPU threads per transcription")
    stt_workers: int = Field(
        2, ge=1, le=16, description="Transcriptions one Whisper model runs in parallel"
    )
    stt_openai_model: str = Field("whisper-1", description="For stt_engine=openai")
    tts_engine: Literal["piper", "espeak", "openai"] = Field(
        "piper", description="Text to speech: piper (offline), espeak (instant), openai"
    )
    tts_voice_model: Path | None = Field(
        None, description="A Piper voice (.onnx beside its .onnx.json; default: bundled joe)"
    )
    tts_openai_model: str = Field("tts-1", description="For tts_engine=openai")
    tts_openai_voice: str = Field("alloy", description="For tts_engine=openai")
    vad_engine: Literal["silero", "pocketsphinx"] = Field(
        "silero", description="Voice activity: silero (ONNX), pocketsphinx's endpointer"
    )
    vad_threshold: float = Field(0.5, gt=0, lt=1, description="Speech probability of a frame")
    voice_enabled: bool = Field(True, description="The voice interviewer in the room")
    voice_max_sessions: int = Field(
        8, ge=0, description="Voice conversations one server process holds at once"
    )
    voice_hangover_ms: int = Field(
        500, ge=100, le=5000, description="Silence that ends a turn (an unclear ending)"
    )
    voice_complete_hangover_ms: int = Field(
        250, ge=50, le=5000, description="Silence that ends a turn after a complete sentence"
    )
    voice_trailing_hangover_ms: int = Field(
        1200, ge=100, le=10_000, description="Silence after 'so…', 'and', 'um' before it ends"
    )
    voice_partial_interval_ms: int = Field(
        800, ge=100, le=10_000, description="Re-transcribe a running utterance this often"
    )
    voice_max_utterance_s: float = Field(
        30.0, gt=0, le=300, description="A longer utterance is cut into turns"
    )
    voice_max_chunk_ms: int = Field(
        200, ge=20, le=1000, description="The longest audio-chunk frame a client may send"
    )
    voice_checkin_idle_minutes: float = Field(
        3.0, gt=0, description="The interviewer checks in after this long without an edit"
    )
    voice_checkin_failed_runs: int = Field(
        3, ge=1, description="...or after this many failing runs in a row"
    )
    voice_record_audio: bool = Field(
        False, description="Keep each turn's audio (Opus/OGG) in the object store"
    )

    # --- background tasks (tasks/) ------------------------------------------------------------
    task_backend: Literal["database", "celery"] = Field(
        "database",
        description="database: jobs in the database, run by worker threads of this process; "
        "celery: sent to Celery workers (`interviewkit worker`) over celery_broker_url",
    )
    task_workers: int = Field(
        1, ge=0, le=64, description="Worker threads per process (database backend; 0: none)"
    )
    task_lease_s: float = Field(
        60.0, gt=0, le=24 * 3600, description="A claimed job is taken back after this long"
    )
    task_heartbeat_s: float = Field(
        10.0, gt=0, le=3600, description="A running job renews its lease this often"
    )
    task_max_attempts: int = Field(5, ge=1, le=100, description="Then the job has failed")
    task_retry_base_s: float = Field(2.0, ge=0, description="First retry delay (doubles)")
    task_retry_max_s: float = Field(300.0, ge=0, description="Longest retry delay")
    task_poll_s: float = Field(1.0, gt=0, le=60, description="An idle worker looks this often")
    celery_broker_url: str = Field(
        "redis://127.0.0.1:6379/1", description="For task_backend=celery"
    )
    celery_visibility_timeout_s: int = Field(
        3600, ge=1, description="Redis redelivers an unacknowledged job after this long"
    )

    # --- asynchronous video interviews (video/) -----------------------------------------------
    video_enabled: bool = Field(True, description="Video interviews and their analysis")
    video_max_questions: int = Field(20, ge=1, le=200, description="Questions per interview")
    video_max_attempts: int = Field(
        3, ge=1, le=20, description="Default recordings a candidate may make per question"
    )
    video_max_answer_s: int = Field(
        600, ge=10, le=3 * 3600, description="The longest answer a question may allow"
    )
    video_max_answer_bytes: int = Field(
        500 * MIB, ge=1 * MIB, description="The largest answer upload (413 beyond)"
    )
    video_content_types: tuple[str, ...] = Field(
        ("video/webm", "video/mp4", "video/quicktime", "video/x-matroska"),
        description="What an answer upload may declare",
    )
    video_part_bytes: int = Field(
        8 * MIB, ge=5 * MIB, le=5 * 1024 * MIB, description="Multipart part size (S3: >= 5 MiB)"
    )
    video_single_upload_bytes: int = Field(
        16 * MIB, ge=1, description="Answers this big or smaller upload in one PUT"
    )
    video_upload_url_s: int = Field(
        3600, ge=60, le=7 * 24 * 3600, description="How long an upload URL works"
    )
    video_sample_fps: float = Field(
        4.0, ge=2, le=30, description="Frames per second the video analysis looks at"
    )
    video_face_engine: Literal["blazeface", "haar"] = Field(
        "blazeface", description="blazeface (+ face mesh, OpenCV DNN) or haar (OpenCV cascades)"
    )
    video_yaw_limit_deg: float = Field(
        25.0, gt=0, le=90, description="Head turned further than this is looking away"
    )
    video_pitch_limit_deg: float = Field(
        20.0, gt=0, le=90, description="Head tilted further than this is looking away"
    )
    video_convert_preset: str = Field(
        "veryfast", pattern=r"^[a-z]+$", description="x264 preset for the playable MP4"
    )
    video_threads: int = Field(
        2, ge=1, le=64, description="Threads one conversion or frame decode may use"
    )
    video_grade_with_llm: bool = Field(
        True, description="Grade each answer against its rubric when an LLM is configured"
    )

    # --- problem bank and adaptive questions (IRT) ------------------------------------------
    problems_dir: Path | None = Field(
        None, description="Your own problems: bank/*.yaml and templates/*.yaml, over ours"
    )
    irt_max_questions: int = Field(10, ge=1, le=100, description="Stop after this many")
    irt_max_se: float = Field(
        0.3, gt=0, le=2, description="Stop once the ability's standard error is this small"
    )
    irt_top_k: int = Field(
        3, ge=1, le=50, description="Randomesque exposure control: pick among the k best"
    )

    # --- durability and logs -------------------------------------------------------------
    sqlite_synchronous: Literal["OFF", "NORMAL", "FULL", "EXTRA"] = Field(
        "FULL", description="FULL survives power loss; NORMAL only a process crash"
    )
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"

    @model_validator(mode="after")
    def _s3_needs_bucket(self) -> Settings:
        if self.object_store == "s3" and not self.s3_bucket:
            raise ValueError("INTERVIEWKIT_S3_BUCKET is required when INTERVIEWKIT_OBJECT_STORE=s3")
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'interviewkit.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def effective_exec_workers(self) -> int:
        return self.exec_workers or os.cpu_count() or 1

    @property
    def effective_exec_queue_size(self) -> int:
        return self.exec_queue_size or 4 * self.effective_exec_workers

    @property
    def objects_dir(self) -> Path:
        return self.data_dir / "objects"

    @property
    def effective_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @cached_property
    def effective_secret_key(self) -> str:
        """The configured key, else one generated once and kept (mode 0600) in data_dir."""
        if self.secret_key:
            return self.secret_key
        ensure_private_dir(self.data_dir)
        return _shared_secret(self.data_dir / "secret_key")

    def redacted(self) -> dict[str, object]:
        """Configuration safe to print: secrets are replaced by whether they are set."""
        shown: dict[str, object] = {}
        for name, value in self.model_dump().items():
            if name in {"secret_key", "s3_secret_access_key"}:
                shown[name] = "(set)" if value else "(generated)" if name == "secret_key" else None
            elif isinstance(value, SecretStr):  # any SecretStr: only whether it is set
                shown[name] = "(set)"
            else:
                shown[name] = str(value) if isinstance(value, Path) else value
        shown["database_url"] = _redact_url(self.effective_database_url)
        return shown


def _redact_url(url: str) -> str:
    """Hide a password inside a database URL."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and any missing parents) with mode 0700; return it.

    The data dir holds the database, the secret key and caches of hidden tests: nobody
    but the server's user may list or enter it. Folders that already exist keep their
    mode (an operator may have chosen it); only the ones created here are private.
    """
    missing: list[Path] = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=0o700)
        except FileExistsError:
            if not created.is_dir():  # a file in the way: say so, as mkdir does
                raise
            continue  # a concurrent caller made it first
        created.chmod(0o700)  # an odd umask may have taken the owner's own bits
    if not path.is_dir():
        raise FileExistsError(errno.EEXIST, "exists and is not a directory", str(path))
    return path


def create_private_file(path: Path) -> None:
    """Make sure ``path`` exists with mode 0600 from its first moment (never readable by
    others in between); an existing file readable by others is tightened to 0600.

    An existing file is never opened: closing any descriptor of a file drops every POSIX
    lock this process holds on it, and SQLite's locks are POSIX locks. Opening and closing
    a live database here let another process believe it was the last user and delete the
    WAL this process was still writing to, losing acknowledged writes.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return
    os.close(fd)


def _shared_secret(path: Path) -> str:
    """Read the secret at ``path``, generating it first if it is missing.

    The new secret is written to a private temporary file (``O_CREAT | O_EXCL``, mode
    0600) and published with ``link``, which fails if the name exists: two processes
    starting together both end up reading the one secret that won, and no reader ever
    sees a half-written file.
    """
    if not path.exists():
        secret = secrets.token_urlsafe(48)
        fd, temporary = tempfile.mkstemp(prefix=".secret_key-", dir=path.parent)  # O_EXCL, 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secret)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another process won the race: its secret is the one
            except OSError:  # a filesystem without hard links: create the name itself
                with contextlib.suppress(FileExistsError):
                    created = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                    with os.fdopen(created, "w") as handle:
                        handle.write(secret)
        finally:
            Path(temporary).unlink()
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # a key from an older version or copied in by hand
    return path.read_text().strip()
