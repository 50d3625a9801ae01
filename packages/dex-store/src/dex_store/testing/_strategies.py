"""Hypothesis strategies for valid, varied ``ExecutionRecord``s.

Everything these strategies build passes ``dex_schema.decode`` once
encoded: bounded integers stay in bounds, strings are encodable (no lone
surrogates) and timestamps are timezone-aware with whole-minute offsets, as
RFC 3339 allows.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from dex_schema import (
    CallbackDetails,
    CallbackFailedDetails,
    CallbackStartedDetails,
    CallbackSucceededDetails,
    CallbackTimedOutDetails,
    CallbackTimer,
    ChainedInvokeDetails,
    ChainedInvokeFailedDetails,
    ChainedInvokeStartedDetails,
    ChainedInvokeStoppedDetails,
    ChainedInvokeSucceededDetails,
    ChainedInvokeTimedOutDetails,
    ContextDetails,
    ContextFailedDetails,
    ContextStartedDetails,
    ContextSucceededDetails,
    DurableConfig,
    ErrorObject,
    Event,
    EventError,
    EventInput,
    EventPauseReason,
    EventResult,
    EventResumeReason,
    EventType,
    ExecutionDetails,
    ExecutionFailedDetails,
    ExecutionPausedDetails,
    ExecutionRecord,
    ExecutionResumedDetails,
    ExecutionStartedDetails,
    ExecutionStatus,
    ExecutionStoppedDetails,
    ExecutionSucceededDetails,
    ExecutionSummary,
    ExecutionTimedOutDetails,
    InvocationCompletedDetails,
    InvocationOutcome,
    InvocationRecord,
    LogEntry,
    Operation,
    OperationStatus,
    OperationSubType,
    OperationType,
    PauseDetails,
    RetryDetails,
    ServiceState,
    StepDetails,
    StepFailedDetails,
    StepStartedDetails,
    StepSucceededDetails,
    TraceHeader,
    WaitCancelledDetails,
    WaitDetails,
    WaitStartedDetails,
    WaitSucceededDetails,
)
from hypothesis import strategies as st

__all__ = (
    "arns",
    "error_objects",
    "events",
    "execution_records",
    "function_arns",
    "invocations",
    "operations",
    "payloads",
    "texts",
    "timestamps",
)

_OFFSETS = (0, 0, 0, 60, -300, 330, 345, -720, 840)
_REGIONS = ("us-east-1", "us-west-2", "eu-central-1", "ap-southeast-2")
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


@functools.cache
def texts(*, min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    """Unicode strings JSON can carry: anything but lone surrogates."""
    return st.text(
        alphabet=st.characters(exclude_categories=["Cs"]),
        min_size=min_size,
        max_size=max_size,
    )


@functools.cache
def _names(max_size: int = 20) -> st.SearchStrategy[str]:
    return st.text(alphabet=_NAME_CHARS, min_size=1, max_size=max_size)


@functools.cache
def timestamps(
    *,
    min_value: dt.datetime = dt.datetime(2020, 1, 1),
    max_value: dt.datetime = dt.datetime(2035, 12, 31),
) -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware datetimes with microseconds and whole-minute offsets."""
    zones = st.sampled_from(_OFFSETS).map(
        lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
    )
    return st.datetimes(min_value=min_value, max_value=max_value, timezones=zones)


@functools.cache
def _large_texts() -> st.SearchStrategy[str]:
    return st.builds(
        lambda seed, size: (seed * (size // len(seed) + 1))[:size],
        texts(min_size=1, max_size=8),
        st.integers(min_value=20_000, max_value=400_000),
    )


@functools.cache
def payloads() -> st.SearchStrategy[str | None]:
    """Optional payloads: absent, short unicode, JSON-looking, or large."""
    return st.one_of(
        st.none(),
        texts(max_size=60),
        st.integers().map(str),
        st.dictionaries(_names(8), texts(max_size=10), max_size=4).map(repr),
        st.integers(0, 9).flatmap(lambda n: _large_texts() if n == 0 else st.none()),
    )


@functools.cache
def error_objects() -> st.SearchStrategy[ErrorObject]:
    """Errors with any mix of message, type, data and stack trace."""
    return st.builds(
        ErrorObject,
        error_message=st.none() | texts(max_size=80),
        error_type=st.none() | _names(),
        error_data=st.none() | texts(max_size=40),
        stack_trace=st.none() | st.lists(texts(max_size=50), max_size=4).map(tuple),
    )


@functools.cache
def function_arns() -> st.SearchStrategy[str]:
    """Lambda function ARNs, with or without a qualifier."""
    return st.builds(
        lambda region, account, name, qualifier: (
            f"arn:aws:lambda:{region}:{account}:function:{name}{qualifier}"
        ),
        st.sampled_from(_REGIONS),
        st.from_regex(r"\A[0-9]{12}\Z"),
        _names(),
        st.sampled_from(("", ":$LATEST", ":1", ":prod")),
    )


def _execution_arns(function_arn: str, name: str) -> st.SearchStrategy[str]:
    qualified = function_arn if function_arn.count(":") >= 7 else function_arn + ":1"
    return st.uuids().map(lambda uuid: f"{qualified}/durable-execution/{name}/{uuid}")


@functools.cache
def arns() -> st.SearchStrategy[str]:
    """Execution ARNs: mostly realistic, sometimes hostile to file names.

    The hostile ones hold path separators, ``..``, reserved device names,
    unicode, case-only differences and lengths past any file name limit.
    """
    realistic = st.tuples(function_arns(), _names()).flatmap(
        lambda pair: _execution_arns(*pair)
    )
    hostile = st.one_of(
        texts(min_size=1, max_size=40),
        st.sampled_from(
            ("..", ".", "/", "../../etc/passwd", "CON", "nul", "a\\b", "A", "a")
        ),
        st.builds(lambda s: "x" * 300 + s, texts(max_size=5)),
    )
    return st.one_of(realistic, realistic, realistic, hostile)


@functools.cache
def _details_for(
    kind: OperationType, status: OperationStatus
) -> st.SearchStrategy[dict[str, Any]]:
    failed = status in (OperationStatus.FAILED, OperationStatus.TIMED_OUT)
    error = error_objects() if failed else st.none()
    if kind is OperationType.EXECUTION:
        return st.builds(
            lambda p: {"execution_details": ExecutionDetails(input_payload=p)},
            payloads(),
        )
    if kind is OperationType.CONTEXT:
        return st.builds(
            lambda r, p, e: {
                "context_details": ContextDetails(replay_children=r, result=p, error=e)
            },
            st.none() | st.booleans(),
            payloads(),
            error,
        )
    if kind is OperationType.STEP:
        return st.builds(
            lambda a, n, p, e: {
                "step_details": StepDetails(
                    attempt=a, next_attempt_timestamp=n, result=p, error=e
                )
            },
            st.none() | st.integers(0, 20),
            st.none() | timestamps(),
            payloads(),
            error,
        )
    if kind is OperationType.WAIT:
        return st.builds(
            lambda t: {"wait_details": WaitDetails(scheduled_end_timestamp=t)},
            st.none() | timestamps(),
        )
    if kind is OperationType.CALLBACK:
        return st.builds(
            lambda c, p, e: {
                "callback_details": CallbackDetails(callback_id=c, result=p, error=e)
            },
            st.none() | texts(min_size=1, max_size=40),
            payloads(),
            error,
        )
    return st.builds(
        lambda p, e: {
            "chained_invoke_details": ChainedInvokeDetails(result=p, error=e)
        },
        payloads(),
        error,
    )


_TIMESTAMPS = timestamps()
_OPTIONAL_TIMESTAMPS = st.none() | _TIMESTAMPS
_SUB_TYPES = st.none() | st.sampled_from(OperationSubType) | _names(12)
_OPERATION_NAMES = st.none() | texts(max_size=24)
_KINDS = st.sampled_from(OperationType)
_STATUSES = st.sampled_from(OperationStatus)
_DETAILS = {
    (kind, status): _details_for(kind, status)
    for kind in OperationType
    for status in OperationStatus
}


@st.composite
def operations(
    draw: st.DrawFn, *, min_size: int = 0, max_size: int = 12
) -> tuple[Operation, ...]:
    """Operations of one execution, child contexts nested through ``ParentId``.

    Every operation type appears with its matching details; ids are unique;
    a ``ParentId`` always names an earlier CONTEXT operation.
    """
    count = draw(st.integers(min_size, max_size))
    result: list[Operation] = []
    contexts: list[str] = []
    for index in range(count):
        kind = draw(_KINDS)
        status = draw(_STATUSES)
        op_id = draw(st.sampled_from((f"{index}", f"op-{index:04x}", f"ü-{index}")))
        parent = draw(st.none() | st.sampled_from(contexts)) if contexts else None
        operation = Operation(
            id=op_id,
            parent_id=parent,
            name=draw(_OPERATION_NAMES),
            type=kind,
            sub_type=draw(_SUB_TYPES),
            start_timestamp=draw(_TIMESTAMPS),
            end_timestamp=draw(_OPTIONAL_TIMESTAMPS),
            status=status,
            **draw(_DETAILS[kind, status]),
        )
        result.append(operation)
        if kind is OperationType.CONTEXT:
            contexts.append(op_id)
    return tuple(result)


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


_seconds = st.integers(0, 86_400)
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


@functools.cache
def invocations(*, max_size: int = 4) -> st.SearchStrategy[tuple[Any, ...]]:
    """Invocation records with their outcome, error and log lines."""
    log = st.builds(
        LogEntry,
        timestamp=timestamps(),
        level=st.sampled_from(("DEBUG", "INFO", "WARNING", "ERROR")),
        logger=_names(),
        message=texts(max_size=80),
    )
    invocation = st.builds(
        InvocationRecord,
        request_id=_names(36),
        start_timestamp=timestamps(),
        end_timestamp=st.none() | timestamps(),
        outcome=st.sampled_from(InvocationOutcome),
        error=st.none() | error_objects(),
        logs=st.lists(log, max_size=5).map(tuple),
    )
    return st.lists(invocation, max_size=max_size).map(tuple)


@functools.cache
def _service_states() -> st.SearchStrategy[ServiceState]:
    timer = st.builds(
        CallbackTimer,
        callback_id=_names(30),
        operation_id=_names(12),
        started_timestamp=timestamps(),
        timeout_seconds=st.none() | _seconds,
        heartbeat_timeout_seconds=st.none() | _seconds,
        last_heartbeat_timestamp=st.none() | timestamps(),
    )
    return st.one_of(
        st.just(ServiceState()),
        st.builds(
            ServiceState,
            checkpoint_token=st.none() | _names(40),
            token_sequence=st.integers(0, 10_000),
            failed_invocations=st.integers(0, 5),
            clock=st.none() | timestamps(),
            callbacks=st.lists(timer, max_size=3).map(tuple),
            updated_operation_ids=st.lists(_names(12), max_size=3).map(tuple),
            parent_execution_arn=st.none() | arns(),
            parent_operation_id=st.none() | _names(12),
        ),
    )


_VERSIONS = st.none() | st.sampled_from(("$LATEST", "1", "42"))
_TRACE_HEADERS = st.none() | st.builds(
    TraceHeader, x_amzn_trace_id=st.none() | _names(40)
)
_OPTIONAL_BOOLEANS = st.none() | st.booleans()
_DURABLE_CONFIGS = st.none() | st.builds(
    DurableConfig,
    kms_key_arn=st.none() | _names(40),
    retention_period_in_days=st.none() | st.integers(1, 90),
    execution_timeout=st.none() | st.integers(1, 31_622_400),
)
_PAUSE_DETAILS = st.none() | st.builds(
    PauseDetails,
    pause_request_timestamp=_TIMESTAMPS,
    reason=st.none() | texts(max_size=20),
    execution_timeout_paused=st.booleans(),
)
_EXECUTION_STATUSES = st.sampled_from(ExecutionStatus)


@st.composite
def execution_records(
    draw: st.DrawFn,
    *,
    arn: str | None = None,
    function_arn: str | None = None,
    status: ExecutionStatus | None = None,
    max_operations: int = 12,
) -> ExecutionRecord:
    """Valid execution records, every part of the record varied.

    Parameters
    ----------
    arn, function_arn, status:
        Fix these parts of the record instead of generating them.
    max_operations:
        The most operations (and history events) one record holds.
    """
    function_arn = draw(function_arns()) if function_arn is None else function_arn
    name = draw(_names(64))
    if arn is None:
        arn = draw(st.one_of(_execution_arns(function_arn, name), arns()))
    status = draw(_EXECUTION_STATUSES) if status is None else status
    finished = status not in (ExecutionStatus.RUNNING, ExecutionStatus.PAUSED)
    summary = ExecutionSummary(
        durable_execution_arn=arn,
        durable_execution_name=name,
        function_arn=function_arn,
        input_payload=draw(payloads()),
        result=draw(payloads()) if status is ExecutionStatus.SUCCEEDED else None,
        error=draw(error_objects()) if status is ExecutionStatus.FAILED else None,
        start_timestamp=draw(_TIMESTAMPS),
        status=status,
        end_timestamp=draw(_TIMESTAMPS) if finished else None,
        version=draw(_VERSIONS),
        trace_header=draw(_TRACE_HEADERS),
        execution_data_included=draw(_OPTIONAL_BOOLEANS),
        durable_config=draw(_DURABLE_CONFIGS),
        pause_details=draw(_PAUSE_DETAILS),
        expected_execution_timeout_timestamp=draw(_OPTIONAL_TIMESTAMPS),
    )
    return ExecutionRecord(
        execution=summary,
        operations=draw(operations(max_size=max_operations)),
        events=draw(events(max_size=max_operations)),
        invocations=draw(invocations()),
        service_state=draw(_service_states()),
    )
