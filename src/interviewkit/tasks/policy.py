"""What both backends share: the retry schedule, job ids, errors as text, the commit hook.

One schedule for every backend, so a job is retried alike whichever runs it.
"""

from __future__ import annotations

import json
import math
import random
import traceback
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from interviewkit.config import Settings
from interviewkit.db import new_id
from interviewkit.tasks.port import Payload

MAX_ERROR_CHARS = 4000
"""A stored error is cut to this: a traceback of a deep failure can be huge."""


def new_job_id() -> str:
    return new_id("job")


def retry_delay(attempt: int, base_s: float, cap_s: float) -> float:
    """The delay before retry number ``attempt`` (1 after the first failure), unjittered:
    ``base_s`` doubling per attempt, never more than ``cap_s``."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if base_s == 0:
        return 0.0
    try:
        doubled = base_s * 2.0 ** (attempt - 1)
    except OverflowError:  # past any cap
        doubled = math.inf
    return min(cap_s, doubled)


def jittered_delay(
    attempt: int, base_s: float, cap_s: float, rng: Callable[[], float] = random.random
) -> float:
    """``retry_delay`` with "equal jitter": uniform in [delay/2, delay].

    Jitter spreads the retries of jobs that failed together (a database restart fails
    every running job at once). Half of the delay is kept so that, below the cap, a later
    retry never waits less than an earlier one could have (delay n+1 / 2 = delay n).
    """
    delay = retry_delay(attempt, base_s, cap_s)
    return delay / 2 + rng() * (delay / 2)


def settings_delay(settings: Settings, attempt: int) -> float:
    return jittered_delay(attempt, settings.task_retry_base_s, settings.task_retry_max_s)


def checked_payload(payload: Payload) -> dict[str, Any]:
    """A plain dict of ``payload`` after a JSON round trip, which is what the handler gets
    on every backend: a payload that is not JSON fails at enqueue, not in a worker."""
    try:
        return dict(json.loads(json.dumps(dict(payload), allow_nan=False)))
    except (TypeError, ValueError) as error:
        raise ValueError(f"a job's payload must be JSON-serialisable: {error}") from error


def error_text(error: BaseException) -> str:
    """The error and where it came from, for last_error and on_give_up."""
    text = "".join(traceback.format_exception_only(error)).strip()
    frames = traceback.extract_tb(error.__traceback__)
    if frames:
        last = frames[-1]
        text += f" (at {last.filename}:{last.lineno} in {last.name})"
    return text[:MAX_ERROR_CHARS]


def transaction_hooks(
    db: Session,
    on_commit: Callable[[], None] | None = None,
    on_rollback: Callable[[], None] | None = None,
) -> None:
    """Run ``on_commit`` once ``db``'s transaction commits, ``on_rollback`` if it does not.

    Inside :func:`interviewkit.db.run_write` the unit's own hook lists are used (on SQLite
    a unit's savepoint may be rolled back while the shared transaction commits, so only
    the unit's outcome counts). On any other session: SQLAlchemy's events for the root
    transaction open now (a savepoint committing inside it is not the commit that counts).
    """
    committed_hooks, rolled_back_hooks = db.info.get("on_commit"), db.info.get("on_rollback")
    if isinstance(committed_hooks, list) and isinstance(rolled_back_hooks, list):
        if on_commit is not None:
            committed_hooks.append(on_commit)
        if on_rollback is not None:
            rolled_back_hooks.append(on_rollback)
        return
    root = db.get_transaction()
    if root is None:
        db.connection()  # begins the transaction the hooks belong to
        root = db.get_transaction()
    outcome = {"committed": False, "done": False}

    def committed(session: Session) -> None:
        if session.get_nested_transaction() is None:
            outcome["committed"] = True

    def ended(session: Session, transaction: Any) -> None:
        # listeners cannot be removed while SQLAlchemy dispatches to them: these stay
        # on the session (short-lived) and do nothing once their transaction is over
        if transaction is not root or outcome["done"]:
            return
        outcome["done"] = True
        action = on_commit if outcome["committed"] else on_rollback
        if action is not None:
            action()

    event.listen(db, "after_commit", committed)
    event.listen(db, "after_transaction_end", ended)
