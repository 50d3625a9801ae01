"""An ``ExecutionRecord`` rebuilt from what the Lambda API reports.

The cloud runner sees a deployed execution only through
GetDurableExecution and GetDurableExecutionHistory. The record it stores is
built from those alone: the summary as reported, the events as reported,
and the operations and invocations derived from the events, so ``dex list``,
``dex show`` and ``DurableFunctionTestResult`` read a cloud execution as they
read a local one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from dex_schema import (
    CallbackDetails,
    ChainedInvokeDetails,
    ContextDetails,
    ErrorObject,
    Event,
    EventType,
    ExecutionDetails,
    ExecutionRecord,
    ExecutionStatus,
    ExecutionSummary,
    InvocationOutcome,
    InvocationRecord,
    Operation,
    OperationStatus,
    OperationType,
    StepDetails,
    WaitDetails,
)

__all__ = (
    "CloudRecordError",
    "events_from_wire",
    "operations_from_events",
    "record_from_history",
    "summary_from_wire",
)

_replace = msgspec.structs.replace

_E = EventType
_T = OperationType
_S = OperationStatus

# Event type -> (operation type, the status the event leaves it in).
_EVENTS: dict[EventType, tuple[OperationType, OperationStatus]] = {
    _E.EXECUTION_STARTED: (_T.EXECUTION, _S.STARTED),
    _E.EXECUTION_SUCCEEDED: (_T.EXECUTION, _S.SUCCEEDED),
    _E.EXECUTION_FAILED: (_T.EXECUTION, _S.FAILED),
    _E.EXECUTION_TIMED_OUT: (_T.EXECUTION, _S.TIMED_OUT),
    _E.EXECUTION_STOPPED: (_T.EXECUTION, _S.STOPPED),
    _E.CONTEXT_STARTED: (_T.CONTEXT, _S.STARTED),
    _E.CONTEXT_SUCCEEDED: (_T.CONTEXT, _S.SUCCEEDED),
    _E.CONTEXT_FAILED: (_T.CONTEXT, _S.FAILED),
    _E.STEP_STARTED: (_T.STEP, _S.STARTED),
    _E.STEP_SUCCEEDED: (_T.STEP, _S.SUCCEEDED),
    _E.STEP_FAILED: (_T.STEP, _S.FAILED),
    _E.WAIT_STARTED: (_T.WAIT, _S.STARTED),
    _E.WAIT_SUCCEEDED: (_T.WAIT, _S.SUCCEEDED),
    _E.WAIT_CANCELLED: (_T.WAIT, _S.CANCELLED),
    _E.CALLBACK_STARTED: (_T.CALLBACK, _S.STARTED),
    _E.CALLBACK_SUCCEEDED: (_T.CALLBACK, _S.SUCCEEDED),
    _E.CALLBACK_FAILED: (_T.CALLBACK, _S.FAILED),
    _E.CALLBACK_TIMED_OUT: (_T.CALLBACK, _S.TIMED_OUT),
    _E.CHAINED_INVOKE_STARTED: (_T.CHAINED_INVOKE, _S.STARTED),
    _E.CHAINED_INVOKE_SUCCEEDED: (_T.CHAINED_INVOKE, _S.SUCCEEDED),
    _E.CHAINED_INVOKE_FAILED: (_T.CHAINED_INVOKE, _S.FAILED),
    _E.CHAINED_INVOKE_TIMED_OUT: (_T.CHAINED_INVOKE, _S.TIMED_OUT),
    _E.CHAINED_INVOKE_STOPPED: (_T.CHAINED_INVOKE, _S.STOPPED),
}

_SUMMARY_KEYS = frozenset(
    field.encode_name for field in msgspec.structs.fields(ExecutionSummary)
)


class CloudRecordError(ValueError):
    """What the Lambda API answered cannot be read as an execution."""


def summary_from_wire(data: Mapping[str, Any]) -> ExecutionSummary:
    """GetDurableExecution's output (as boto3 returns it) as a summary.

    Members dex does not model (``ResponseMetadata``, newer ones) are left out.

    Raises
    ------
    CloudRecordError
        A member has a value the model does not allow.
    """
    known = {key: value for key, value in data.items() if key in _SUMMARY_KEYS}
    try:
        return msgspec.convert(known, ExecutionSummary)
    except msgspec.ValidationError as error:
        raise CloudRecordError(
            f"GetDurableExecution answered an execution dex cannot read: {error}"
        ) from None


def events_from_wire(events: Sequence[Mapping[str, Any]]) -> list[Event]:
    """GetDurableExecutionHistory's events (as boto3 returns them) as structs.

    Raises
    ------
    CloudRecordError
        An event has a member or value the model does not allow.
    """
    converted = []
    for index, raw in enumerate(events):
        try:
            converted.append(msgspec.convert(dict(raw), Event))
        except msgspec.ValidationError as error:
            # XXX: a member newer than dex's model fails the whole event;
            # the record would be partial if such events were skipped.
            raise CloudRecordError(
                f"history event {index} (EventId {raw.get('EventId')}) cannot be "
                f"read: {error}"
            ) from None
    return converted


def record_from_history(
    summary: ExecutionSummary, events: Sequence[Event]
) -> ExecutionRecord:
    """The record of an execution known by its summary and its whole history."""
    return ExecutionRecord(
        execution=summary,
        operations=operations_from_events(events),
        events=tuple(events),
        invocations=_invocations(summary, events),
    )


def operations_from_events(events: Sequence[Event]) -> tuple[Operation, ...]:
    """Every operation the events speak of, in the order they started.

    Each operation is in the state its last event leaves it in: a STEP whose
    failed attempt will be retried is PENDING with its next attempt's time.
    """
    operations: dict[str, Operation] = {}
    execution_id: str | None = None
    for event in events:
        if event.event_type is None or event.event_type not in _EVENTS:
            continue
        kind, status = _EVENTS[event.event_type]
        op_id = event.id
        if kind is _T.EXECUTION:
            op_id = op_id or execution_id
            execution_id = op_id
        if op_id is None or event.event_timestamp is None:
            continue
        when = event.event_timestamp
        current = operations.get(op_id)
        if current is None:
            current = Operation(
                id=op_id,
                parent_id=event.parent_id,
                name=event.name,
                type=kind,
                sub_type=event.sub_type,
                start_timestamp=when,
                status=status,
            )
        operations[op_id] = _apply(current, event, status, when)
    return tuple(operations.values())


def _apply(
    op: Operation, event: Event, status: OperationStatus, when: dt.datetime
) -> Operation:
    ended = status is not _S.STARTED
    op = _replace(op, status=status, end_timestamp=when if ended else None)
    match event.event_type:
        case _E.EXECUTION_STARTED:
            details = event.execution_started_details
            payload = details.input.payload if details else None
            return _replace(
                op, execution_details=ExecutionDetails(input_payload=payload)
            )
        case _E.CONTEXT_SUCCEEDED:
            result = event.context_succeeded_details
            return _replace(op, context_details=ContextDetails(result=_payload(result)))
        case _E.CONTEXT_FAILED:
            error = event.context_failed_details
            return _replace(op, context_details=ContextDetails(error=_error(error)))
        case _E.STEP_STARTED:
            previous = op.step_details or StepDetails()
            return _replace(
                op, step_details=_replace(previous, next_attempt_timestamp=None)
            )
        case _E.STEP_SUCCEEDED:
            succeeded = event.step_succeeded_details
            attempt = _attempt(succeeded.retry_details if succeeded else None)
            return _replace(
                op,
                step_details=StepDetails(attempt=attempt, result=_payload(succeeded)),
            )
        case _E.STEP_FAILED:
            return _step_failed(op, event, when)
        case _E.WAIT_STARTED:
            started = event.wait_started_details
            return _replace(
                op,
                wait_details=WaitDetails(
                    scheduled_end_timestamp=started.scheduled_end_timestamp
                    if started
                    else None
                ),
            )
        case _E.CALLBACK_STARTED:
            callback = event.callback_started_details
            return _replace(
                op,
                callback_details=CallbackDetails(
                    callback_id=callback.callback_id if callback else None
                ),
            )
        case _E.CALLBACK_SUCCEEDED | _E.CALLBACK_FAILED | _E.CALLBACK_TIMED_OUT:
            callback_details = op.callback_details or CallbackDetails()
            answer = (
                event.callback_succeeded_details
                or event.callback_failed_details
                or event.callback_timed_out_details
            )
            return _replace(
                op,
                callback_details=_replace(
                    callback_details, result=_payload(answer), error=_error(answer)
                ),
            )
        case (
            _E.CHAINED_INVOKE_SUCCEEDED
            | _E.CHAINED_INVOKE_FAILED
            | _E.CHAINED_INVOKE_TIMED_OUT
            | _E.CHAINED_INVOKE_STOPPED
        ):
            outcome = (
                event.chained_invoke_succeeded_details
                or event.chained_invoke_failed_details
                or event.chained_invoke_timed_out_details
                or event.chained_invoke_stopped_details
            )
            return _replace(
                op,
                chained_invoke_details=ChainedInvokeDetails(
                    result=_payload(outcome), error=_error(outcome)
                ),
            )
    return op


def _step_failed(op: Operation, event: Event, when: dt.datetime) -> Operation:
    failed = event.step_failed_details
    retry = failed.retry_details if failed else None
    error = _error(failed)
    attempt = _attempt(retry)
    delay = retry.next_attempt_delay_seconds if retry else None
    if delay is not None:
        return _replace(
            op,
            status=_S.PENDING,
            end_timestamp=None,
            step_details=StepDetails(
                attempt=attempt,
                next_attempt_timestamp=when + dt.timedelta(seconds=delay),
                error=error,
            ),
        )
    return _replace(op, step_details=StepDetails(attempt=attempt, error=error))


def _attempt(retry: Any) -> int | None:
    return retry.current_attempt if retry is not None else None


def _payload(details: Any) -> str | None:
    result = getattr(details, "result", None)
    return result.payload if result is not None else None


def _error(details: Any) -> ErrorObject | None:
    error = getattr(details, "error", None)
    return error.payload if error is not None else None


def _invocations(
    summary: ExecutionSummary, events: Sequence[Event]
) -> tuple[InvocationRecord, ...]:
    # XXX: cloud records hold no log lines (they are in CloudWatch Logs, which
    # the runner does not read) and each outcome is inferred from the events.
    completed = [
        event.invocation_completed_details
        for event in events
        if event.invocation_completed_details is not None
    ]
    records = []
    for index, details in enumerate(completed):
        last = index == len(completed) - 1
        if details.error is not None:
            outcome = InvocationOutcome.ERROR
        elif last and summary.status is ExecutionStatus.SUCCEEDED:
            outcome = InvocationOutcome.SUCCEEDED
        elif last and summary.status is ExecutionStatus.FAILED:
            outcome = InvocationOutcome.FAILED
        else:
            outcome = InvocationOutcome.PENDING
        records.append(
            InvocationRecord(
                request_id=details.request_id,
                start_timestamp=details.start_timestamp,
                end_timestamp=details.end_timestamp,
                outcome=outcome,
                error=details.error.payload if details.error else None,
            )
        )
    return tuple(records)
