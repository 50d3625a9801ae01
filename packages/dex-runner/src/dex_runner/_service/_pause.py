"""PauseDurableExecution and ResumeDurableExecution, as the service has them.

A pause of an execution with no invocation running takes effect at once:
PAUSED, with an ExecutionPaused event. With an invocation running the
execution is PAUSING until that invocation's next checkpoint, which is
rejected (the invocation then ends, without counting as a failed invocation,
and its work since its last accepted checkpoint replays after the resume),
and then PAUSED. While paused the
function is not invoked, but waits, retry delays and callbacks keep
completing, and a callback can be answered. When the pause also pauses the
execution timeout (the default), the timeout moves out by the time spent
paused, and while paused the execution times out only 366 days after it
started. A resume of a PAUSED execution records ExecutionResumed and invokes
the function if the pause interrupted an invocation or an operation
completed meanwhile; a resume of a PAUSING execution cancels the pause.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import msgspec
from dex_schema import (
    Event,
    EventPauseReason,
    EventResumeReason,
    EventType,
    ExecutionPausedDetails,
    ExecutionResumedDetails,
    ExecutionStatus,
    PauseDetails,
)

from ._errors import InvalidParameterValueError, ResourceConflictError
from ._execution import LiveExecution

__all__ = (
    "MAX_PAUSED_DAYS",
    "PauseState",
    "begin_pause",
    "forget",
    "interrupted",
    "pause_after_invocation",
    "pause_at_checkpoint",
    "resume",
)

logger = logging.getLogger(__name__)

_replace = msgspec.structs.replace

MAX_PAUSED_DAYS = 366
"""An execution whose timeout is paused still times out this many days after
it started."""

_MAX_REASON = 1024


class PauseState(msgspec.Struct):
    """What a pause keeps until the resume."""

    requested: dt.datetime
    reason: str | None
    timeout_paused: bool
    paused_at: dt.datetime | None = None
    expected_timeout: dt.datetime | None = None
    interrupted: bool = False


# XXX: pause bookkeeping lives in memory only (the record says PAUSED, but a
# service restarted meanwhile cannot resume it), and ClientToken idempotency of
# PauseDurableExecution / ResumeDurableExecution is not implemented.
_PAUSES: dict[str, PauseState] = {}
_INTERRUPTED: set[str] = set()
"""Request ids of invocations a pause interrupted, until they are settled."""


def _check_reason(reason: str | None, what: str) -> None:
    if reason is not None and len(reason) > _MAX_REASON:
        raise InvalidParameterValueError(
            f"Invalid {what}: {len(reason)} characters, the most is {_MAX_REASON}"
        )


def begin_pause(
    live: LiveExecution,
    reason: str | None,
    execution_timeout_paused: bool,
    persist: Callable[[LiveExecution], None],
) -> None:
    """Pause ``live`` (PAUSED now, or PAUSING while an invocation runs).

    Called holding ``live.condition``.

    Raises
    ------
    ResourceConflictError
        The execution has ended or is paused or pausing already.
    InvalidParameterValueError
        ``reason`` is longer than 1024 characters.
    """
    _check_reason(reason, "Reason")
    status = live.summary.status
    if live.terminal or status is not ExecutionStatus.RUNNING:
        raise ResourceConflictError(
            f"Execution {live.arn} is {status.value} and cannot be paused; only a "
            "RUNNING execution can be"
        )
    state = PauseState(
        requested=live.clock.now(),
        reason=reason,
        timeout_paused=execution_timeout_paused,
    )
    _PAUSES[live.arn] = state
    live.summary = _replace(
        live.summary,
        pause_details=PauseDetails(
            pause_request_timestamp=state.requested,
            reason=reason,
            execution_timeout_paused=execution_timeout_paused,
        ),
    )
    if live.running is not None:
        live.summary = _replace(live.summary, status=ExecutionStatus.PAUSING)
        logger.debug("%s is pausing until its invocation's next checkpoint", live.arn)
    else:
        _paused(live, state, interrupted=False, at=state.requested)
    persist(live)
    live.condition.notify_all()


def pause_at_checkpoint(live: LiveExecution) -> None:
    """Complete a pending pause when the running invocation checkpoints.

    Called holding ``live.condition``, before the checkpoint token is
    checked: the invocation is fenced off (no token is accepted from it any
    more), so the checkpoint is rejected and the invocation ends.
    """
    if live.summary.status is not ExecutionStatus.PAUSING:
        return
    state = _PAUSES.get(live.arn)
    if state is None:
        return
    run = live.running
    if run is not None:
        # No token is accepted from the invocation any more: the SDK fails
        # it (CheckpointError) and the driver settles it as interrupted.
        live.token = None
        _INTERRUPTED.add(run.request_id)
        logger.debug(
            "invocation %s of %s interrupted by a pause", run.request_id, live.arn
        )
    _paused(live, state, interrupted=True, at=live.clock.now())


def interrupted(request_id: str) -> bool:
    """Whether a pause interrupted the invocation (forgets it once asked).

    Such an invocation's end is recorded (InvocationCompleted) but does not
    count as a failed invocation: the function is invoked again once the
    execution runs.
    """
    if request_id in _INTERRUPTED:
        _INTERRUPTED.discard(request_id)
        return True
    return False


def pause_after_invocation(live: LiveExecution) -> None:
    """Complete a pending pause whose invocation ended without a checkpoint.

    Called holding ``live.condition`` with no invocation running.
    """
    if live.summary.status is not ExecutionStatus.PAUSING or live.running:
        return
    state = _PAUSES.get(live.arn)
    if state is None:
        live.summary = _replace(
            live.summary, status=ExecutionStatus.RUNNING, pause_details=None
        )
        return
    _paused(live, state, interrupted=False, at=live.clock.now())


def _paused(
    live: LiveExecution, state: PauseState, *, interrupted: bool, at: dt.datetime
) -> None:
    now = at
    state.paused_at = now
    state.interrupted = interrupted
    summary = live.summary
    state.expected_timeout = summary.expected_execution_timeout_timestamp
    if state.timeout_paused:
        summary = _replace(
            summary,
            expected_execution_timeout_timestamp=summary.start_timestamp
            + dt.timedelta(days=MAX_PAUSED_DAYS),
        )
    live.summary = _replace(summary, status=ExecutionStatus.PAUSED)
    live.add_event(
        Event(
            event_type=EventType.EXECUTION_PAUSED,
            id=live.execution_operation_id,
            event_timestamp=now,
            execution_paused_details=ExecutionPausedDetails(
                pause_request_timestamp=state.requested,
                reason=EventPauseReason(payload=state.reason, truncated=False)
                if state.reason is not None
                else None,
                execution_timeout_paused=state.timeout_paused,
            ),
        )
    )


def resume(
    live: LiveExecution, reason: str | None, persist: Callable[[LiveExecution], None]
) -> None:
    """Resume a PAUSED execution, or cancel the pause of a PAUSING one.

    Called holding ``live.condition``.

    Raises
    ------
    ResourceConflictError
        The execution is neither PAUSED nor PAUSING.
    InvalidParameterValueError
        ``reason`` is longer than 1024 characters.
    """
    _check_reason(reason, "Reason")
    status = live.summary.status
    state = _PAUSES.get(live.arn)
    if status is ExecutionStatus.PAUSING:
        _PAUSES.pop(live.arn, None)
        live.summary = _replace(
            live.summary, status=ExecutionStatus.RUNNING, pause_details=None
        )
    elif status is ExecutionStatus.PAUSED and state is not None:
        _PAUSES.pop(live.arn, None)
        now = live.clock.now()
        summary = live.summary
        expected = state.expected_timeout
        if state.timeout_paused and expected is not None:
            assert state.paused_at is not None
            expected += now - state.paused_at
        live.summary = _replace(
            summary,
            status=ExecutionStatus.RUNNING,
            expected_execution_timeout_timestamp=expected,
            pause_details=None,
        )
        live.add_event(
            Event(
                event_type=EventType.EXECUTION_RESUMED,
                id=live.execution_operation_id,
                event_timestamp=now,
                execution_resumed_details=ExecutionResumedDetails(
                    resume_request_timestamp=now,
                    reason=EventResumeReason(payload=reason, truncated=False)
                    if reason is not None
                    else None,
                ),
            )
        )
        if state.interrupted or live.updated_ids or live.invoke_requested:
            live.invoke_requested = True
    else:
        raise ResourceConflictError(
            f"Execution {live.arn} is {status.value} and cannot be resumed; only a "
            "PAUSED or PAUSING execution can be"
        )
    persist(live)
    live.condition.notify_all()


def forget(arn: str) -> None:
    """Drop the pause bookkeeping of an execution that has ended."""
    _PAUSES.pop(arn, None)
