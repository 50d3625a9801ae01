"""Strategies for history events, every event type with its details."""

from __future__ import annotations

import functools
from typing import Any

from dex_schema import (
    CallbackFailedDetails,
    CallbackStartedDetails,
    CallbackSucceededDetails,
    CallbackTimedOutDetails,
    ChainedInvokeFailedDetails,
    ChainedInvokeStartedDetails,
    ChainedInvokeStoppedDetails,
    ChainedInvokeSucceededDetails,
    ChainedInvokeTimedOutDetails,
    ContextFailedDetails,
    ContextStartedDetails,
    ContextSucceededDetails,
    Event,
    EventError,
    EventInput,
    EventPauseReason,
    EventResult,
    EventResumeReason,
    EventType,
    ExecutionFailedDetails,
    ExecutionPausedDetails,
    ExecutionResumedDetails,
    ExecutionStartedDetails,
    ExecutionStoppedDetails,
    ExecutionSucceededDetails,
    ExecutionTimedOutDetails,
    InvocationCompletedDetails,
    RetryDetails,
    StepFailedDetails,
    StepStartedDetails,
    StepSucceededDetails,
    WaitCancelledDetails,
    WaitStartedDetails,
    WaitSucceededDetails,
)
from hypothesis import strategies as st

from ._basics import (
    _SUB_TYPES,
    _TIMESTAMPS,
    _names,
    _seconds,
    arns,
    error_objects,
    payloads,
    texts,
    timestamps,
)

__all__ = ("events",)


@functools.cache
def _event_errors() -> st.SearchStrategy[EventError]:
    return st.builds(
        EventError,
        payload=st.none() | error_objects(),
        truncated=st.none() | st.booleans(),
    )


@functools.cache
def _event_results() -> st.SearchStrategy[EventResult]:
    return st.builds(
        EventResult, payload=payloads(), truncated=st.none() | st.booleans()
    )


@functools.cache
def _retry() -> st.SearchStrategy[RetryDetails]:
    return st.builds(
        RetryDetails,
        current_attempt=st.none() | st.integers(0, 10),
        next_attempt_delay_seconds=st.none() | st.integers(0, 3600),
    )


_EVENT_DETAILS: dict[EventType, tuple[str, st.SearchStrategy[Any]]] = {
    EventType.EXECUTION_STARTED: (
        "execution_started_details",
        st.builds(
            ExecutionStartedDetails,
            input=st.builds(EventInput, payload=payloads()),
            execution_timeout=_seconds,
        ),
    ),
    EventType.EXECUTION_SUCCEEDED: (
        "execution_succeeded_details",
        st.builds(ExecutionSucceededDetails, result=_event_results()),
    ),
    EventType.EXECUTION_FAILED: (
        "execution_failed_details",
        st.builds(ExecutionFailedDetails, error=_event_errors()),
    ),
    EventType.EXECUTION_TIMED_OUT: (
        "execution_timed_out_details",
        st.builds(ExecutionTimedOutDetails, error=st.none() | _event_errors()),
    ),
    EventType.EXECUTION_STOPPED: (
        "execution_stopped_details",
        st.builds(ExecutionStoppedDetails, error=_event_errors()),
    ),
    EventType.CONTEXT_STARTED: (
        "context_started_details",
        st.just(ContextStartedDetails()),
    ),
    EventType.CONTEXT_SUCCEEDED: (
        "context_succeeded_details",
        st.builds(ContextSucceededDetails, result=_event_results()),
    ),
    EventType.CONTEXT_FAILED: (
        "context_failed_details",
        st.builds(ContextFailedDetails, error=_event_errors()),
    ),
    EventType.WAIT_STARTED: (
        "wait_started_details",
        st.builds(
            WaitStartedDetails,
            duration=_seconds,
            scheduled_end_timestamp=timestamps(),
        ),
    ),
    EventType.WAIT_SUCCEEDED: (
        "wait_succeeded_details",
        st.builds(WaitSucceededDetails, duration=st.none() | _seconds),
    ),
    EventType.WAIT_CANCELLED: (
        "wait_cancelled_details",
        st.builds(WaitCancelledDetails, error=st.none() | _event_errors()),
    ),
    EventType.STEP_STARTED: ("step_started_details", st.just(StepStartedDetails())),
    EventType.STEP_SUCCEEDED: (
        "step_succeeded_details",
        st.builds(
            StepSucceededDetails, result=_event_results(), retry_details=_retry()
        ),
    ),
    EventType.STEP_FAILED: (
        "step_failed_details",
        st.builds(StepFailedDetails, error=_event_errors(), retry_details=_retry()),
    ),
    EventType.CHAINED_INVOKE_STARTED: (
        "chained_invoke_started_details",
        st.builds(
            ChainedInvokeStartedDetails,
            function_name=_names(),
            tenant_id=st.none() | _names(),
            input=st.none() | st.builds(EventInput, payload=payloads()),
            executed_version=st.none() | st.sampled_from(("$LATEST", "1", "7")),
            durable_execution_arn=st.none() | arns(),
        ),
    ),
    EventType.CHAINED_INVOKE_SUCCEEDED: (
        "chained_invoke_succeeded_details",
        st.builds(ChainedInvokeSucceededDetails, result=_event_results()),
    ),
    EventType.CHAINED_INVOKE_FAILED: (
        "chained_invoke_failed_details",
        st.builds(ChainedInvokeFailedDetails, error=_event_errors()),
    ),
    EventType.CHAINED_INVOKE_TIMED_OUT: (
        "chained_invoke_timed_out_details",
        st.builds(ChainedInvokeTimedOutDetails, error=_event_errors()),
    ),
    EventType.CHAINED_INVOKE_STOPPED: (
        "chained_invoke_stopped_details",
        st.builds(ChainedInvokeStoppedDetails, error=_event_errors()),
    ),
    EventType.CALLBACK_STARTED: (
        "callback_started_details",
        st.builds(
            CallbackStartedDetails,
            callback_id=texts(min_size=1, max_size=40),
            heartbeat_timeout=st.none() | _seconds,
            timeout=st.none() | _seconds,
        ),
    ),
    EventType.CALLBACK_SUCCEEDED: (
        "callback_succeeded_details",
        st.builds(CallbackSucceededDetails, result=_event_results()),
    ),
    EventType.CALLBACK_FAILED: (
        "callback_failed_details",
        st.builds(CallbackFailedDetails, error=_event_errors()),
    ),
    EventType.CALLBACK_TIMED_OUT: (
        "callback_timed_out_details",
        st.builds(CallbackTimedOutDetails, error=_event_errors()),
    ),
    EventType.INVOCATION_COMPLETED: (
        "invocation_completed_details",
        st.builds(
            InvocationCompletedDetails,
            start_timestamp=timestamps(),
            end_timestamp=timestamps(),
            request_id=_names(36),
            error=st.none() | _event_errors(),
        ),
    ),
    EventType.EXECUTION_PAUSED: (
        "execution_paused_details",
        st.builds(
            ExecutionPausedDetails,
            pause_request_timestamp=timestamps(),
            reason=st.none() | st.builds(EventPauseReason, payload=payloads()),
            execution_timeout_paused=st.booleans(),
        ),
    ),
    EventType.EXECUTION_RESUMED: (
        "execution_resumed_details",
        st.builds(
            ExecutionResumedDetails,
            resume_request_timestamp=timestamps(),
            reason=st.none() | st.builds(EventResumeReason, payload=payloads()),
        ),
    ),
}


_EVENT_TYPES = st.sampled_from(EventType)
_EVENT_IDS = st.none() | _names(12)
_EVENT_NAMES = st.none() | texts(max_size=20)


@st.composite
def _event(draw: st.DrawFn, event_id: int) -> Event:
    event_type = draw(_EVENT_TYPES)
    field, details = _EVENT_DETAILS[event_type]
    return Event(
        event_type=event_type,
        sub_type=draw(_SUB_TYPES),
        event_id=event_id,
        id=draw(_EVENT_IDS),
        name=draw(_EVENT_NAMES),
        event_timestamp=draw(_TIMESTAMPS),
        parent_id=draw(_EVENT_IDS),
        **{field: draw(details)},
    )


@st.composite
def events(draw: st.DrawFn, *, max_size: int = 12) -> tuple[Event, ...]:
    """A history: events of every type, ``EventId`` counting up from 1."""
    count = draw(st.integers(0, max_size))
    return tuple(draw(_event(event_id)) for event_id in range(1, count + 1))
