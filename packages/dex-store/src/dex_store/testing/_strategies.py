"""Hypothesis strategies for valid, varied ``ExecutionRecord``s.

Everything these strategies build passes ``dex_schema.decode`` once
encoded: bounded integers stay in bounds, strings are encodable (no lone
surrogates) and timestamps are timezone-aware with whole-minute offsets, as
RFC 3339 allows.
"""

from __future__ import annotations

import functools
from typing import Any

from dex_schema import (
    CallbackDetails,
    CallbackTimer,
    ChainedInvokeDetails,
    ContextDetails,
    DurableConfig,
    ExecutionDetails,
    ExecutionRecord,
    ExecutionStatus,
    ExecutionSummary,
    InvocationOutcome,
    InvocationRecord,
    LogEntry,
    Operation,
    OperationStatus,
    OperationType,
    PauseDetails,
    ServiceState,
    StepDetails,
    TraceHeader,
    WaitDetails,
)
from hypothesis import strategies as st

from ._basics import (
    _OPTIONAL_TIMESTAMPS,
    _SUB_TYPES,
    _TIMESTAMPS,
    _execution_arns,
    _names,
    _seconds,
    arns,
    error_objects,
    function_arns,
    payloads,
    texts,
    timestamps,
)
from ._events import events

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
