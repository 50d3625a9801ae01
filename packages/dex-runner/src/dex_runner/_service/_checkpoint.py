"""Applying one CheckpointDurableExecution request's updates, as the service does.

The whole batch is validated and staged first; the execution changes only
when every update is acceptable, so a rejected checkpoint leaves it as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec
from dex_schema import (
    CallbackDetails,
    CallbackStartedDetails,
    CallbackTimer,
    ChainedInvokeStartedDetails,
    ContextDetails,
    ContextFailedDetails,
    ContextStartedDetails,
    ContextSucceededDetails,
    ErrorObject,
    Event,
    EventInput,
    EventType,
    Operation,
    OperationAction,
    OperationStatus,
    OperationType,
    OperationUpdate,
    RetryDetails,
    StepDetails,
    StepFailedDetails,
    StepStartedDetails,
    StepSucceededDetails,
    WaitCancelledDetails,
    WaitDetails,
    WaitStartedDetails,
)

from ._errors import InvalidParameterValueError
from ._execution import LiveExecution, event_error, event_result
from ._ids import encode_callback_id

__all__ = ("OPERATION_PAYLOAD_LIMIT_BYTES", "apply_updates")

_replace = msgspec.structs.replace

_ALLOWED: dict[OperationType, frozenset[OperationAction]] = {
    OperationType.STEP: frozenset(
        {
            OperationAction.START,
            OperationAction.SUCCEED,
            OperationAction.FAIL,
            OperationAction.RETRY,
        }
    ),
    OperationType.CONTEXT: frozenset(
        {OperationAction.START, OperationAction.SUCCEED, OperationAction.FAIL}
    ),
    OperationType.WAIT: frozenset({OperationAction.START, OperationAction.CANCEL}),
    OperationType.CALLBACK: frozenset({OperationAction.START}),
    OperationType.CHAINED_INVOKE: frozenset({OperationAction.START}),
    OperationType.EXECUTION: frozenset({OperationAction.SUCCEED, OperationAction.FAIL}),
}


class _Batch:
    """Changes staged by one checkpoint, committed only if all are valid."""

    def __init__(self, live: LiveExecution, now: dt.datetime) -> None:
        self.live = live
        self.now = now
        self.ops: dict[str, Operation] = {}
        self.events: list[Event] = []
        self.callbacks: dict[str, CallbackTimer] = {}
        self.completion: tuple[str, str | None, ErrorObject | None] | None = None

    def get(self, op_id: str) -> Operation | None:
        return self.ops.get(op_id) or self.live.operations.get(op_id)

    def put(self, op: Operation) -> None:
        self.ops[op.id] = op

    def event(self, event_type: EventType, op: Operation, **details: object) -> None:
        self.events.append(self.live.op_event(event_type, op, self.now, **details))

    def commit(self) -> None:
        for op in self.ops.values():
            self.live.put(op)
        for event in self.events:
            self.live.add_event(event)
        self.live.callbacks.update(self.callbacks)
        if self.completion is not None:
            self.live.completion = self.completion


OPERATION_PAYLOAD_LIMIT_BYTES = 256 * 1024
"""The most bytes one operation's checkpointed payload may hold (the
EXECUTION operation's result may be as large as a Lambda response)."""


def apply_updates(
    live: LiveExecution, updates: Sequence[OperationUpdate], now: dt.datetime
) -> bool:
    """Validate and apply ``updates``; return whether they complete the execution.

    Raises
    ------
    InvalidParameterValueError
        An update is not allowed: an unknown parent, an action the operation's
        type or state does not allow, a START of an operation that exists, or
        a type that differs from the stored operation's. Nothing is applied.
    """
    # XXX: the 750 KB limit of one checkpoint request is not enforced (the SDK
    # batches below it); only each operation's payload limit is.
    batch = _Batch(live, now)
    for index, update in enumerate(updates):
        where = f"Updates[{index}] (Id {update.id!r})"
        _check_payload_size(update, where)
        allowed = _ALLOWED[update.type]
        if update.action not in allowed:
            raise InvalidParameterValueError(
                f"{where}: action {update.action.value} is not allowed for a "
                f"{update.type.value} operation; allowed: "
                f"{', '.join(sorted(action.value for action in allowed))}"
            )
        if update.type is OperationType.EXECUTION:
            _execution(batch, update, where)
            continue
        if update.parent_id is not None:
            _check_parent(batch, update, where)
        existing = batch.get(update.id)
        if existing is not None and existing.type is not update.type:
            raise InvalidParameterValueError(
                f"{where}: operation {update.id!r} is a {existing.type.value} "
                f"operation, the update says {update.type.value}"
            )
        if update.action is OperationAction.START:
            _start(batch, update, existing, where)
        else:
            if existing is None:
                raise InvalidParameterValueError(
                    f"{where}: no operation {update.id!r} to "
                    f"{update.action.value}; START it first"
                )
            _finish(batch, update, existing, where)
    batch.commit()
    return batch.completion is not None


def _check_payload_size(update: OperationUpdate, where: str) -> None:
    if update.payload is None or update.type is OperationType.EXECUTION:
        return
    size = len(update.payload.encode("utf-8", "surrogatepass"))
    if size > OPERATION_PAYLOAD_LIMIT_BYTES:
        raise InvalidParameterValueError(
            f"{where}: the payload is {size} bytes, over the limit of "
            f"{OPERATION_PAYLOAD_LIMIT_BYTES} bytes for one operation's payload; "
            "return less from the operation, or keep large data elsewhere and "
            "return a reference to it"
        )


def _check_parent(batch: _Batch, update: OperationUpdate, where: str) -> None:
    parent = batch.get(update.parent_id or "")
    if parent is None:
        raise InvalidParameterValueError(
            f"{where}: unknown parent operation {update.parent_id!r}; a parent "
            "must be a CONTEXT operation started before its children"
        )
    if parent.type is not OperationType.CONTEXT:
        raise InvalidParameterValueError(
            f"{where}: parent operation {update.parent_id!r} is a "
            f"{parent.type.value} operation; only a CONTEXT can be a parent"
        )


def _execution(batch: _Batch, update: OperationUpdate, where: str) -> None:
    if batch.completion is not None:
        raise InvalidParameterValueError(
            f"{where}: the execution was already completed by an earlier update "
            "of this checkpoint"
        )
    if update.action is OperationAction.SUCCEED:
        batch.completion = ("SUCCEEDED", update.payload, None)
    else:
        batch.completion = ("FAILED", None, update.error)


def _start(
    batch: _Batch, update: OperationUpdate, existing: Operation | None, where: str
) -> None:
    now = batch.now
    if existing is not None:
        if update.type is OperationType.STEP and existing.status in (
            OperationStatus.READY,
            OperationStatus.PENDING,
        ):
            op = _replace(existing, status=OperationStatus.STARTED)
            if op.step_details is not None:
                details = _replace(op.step_details, next_attempt_timestamp=None)
                op = _replace(op, step_details=details)
            batch.put(op)
            batch.event(
                EventType.STEP_STARTED, op, step_started_details=StepStartedDetails()
            )
            return
        raise InvalidParameterValueError(
            f"{where}: operation {update.id!r} was already started (it is "
            f"{existing.status.value}); a START is allowed once per operation"
        )
    op = Operation(
        id=update.id,
        parent_id=update.parent_id,
        name=update.name,
        type=update.type,
        sub_type=update.sub_type,
        start_timestamp=now,
        status=OperationStatus.STARTED,
    )
    if update.type is OperationType.STEP:
        batch.put(op)
        batch.event(
            EventType.STEP_STARTED, op, step_started_details=StepStartedDetails()
        )
    elif update.type is OperationType.CONTEXT:
        batch.put(op)
        batch.event(
            EventType.CONTEXT_STARTED,
            op,
            context_started_details=ContextStartedDetails(),
        )
    elif update.type is OperationType.WAIT:
        seconds = update.wait_options.wait_seconds if update.wait_options else None
        if seconds is None:
            raise InvalidParameterValueError(
                f"{where}: a WAIT START needs WaitOptions.WaitSeconds (1 or more)"
            )
        end = now + dt.timedelta(seconds=seconds)
        op = _replace(op, wait_details=WaitDetails(scheduled_end_timestamp=end))
        batch.put(op)
        batch.event(
            EventType.WAIT_STARTED,
            op,
            wait_started_details=WaitStartedDetails(
                duration=seconds, scheduled_end_timestamp=end
            ),
        )
    elif update.type is OperationType.CALLBACK:
        options = update.callback_options
        timeout = options.timeout_seconds if options else None
        heartbeat = options.heartbeat_timeout_seconds if options else None
        callback_id = encode_callback_id(batch.live.arn, update.id)
        op = _replace(op, callback_details=CallbackDetails(callback_id=callback_id))
        batch.put(op)
        batch.callbacks[op.id] = CallbackTimer(
            callback_id=callback_id,
            operation_id=op.id,
            started_timestamp=now,
            timeout_seconds=timeout or None,
            heartbeat_timeout_seconds=heartbeat or None,
        )
        batch.event(
            EventType.CALLBACK_STARTED,
            op,
            callback_started_details=CallbackStartedDetails(
                callback_id=callback_id,
                timeout=timeout or None,
                heartbeat_timeout=heartbeat or None,
            ),
        )
    else:
        invoke = update.chained_invoke_options
        batch.put(op)
        batch.event(
            EventType.CHAINED_INVOKE_STARTED,
            op,
            chained_invoke_started_details=ChainedInvokeStartedDetails(
                function_name=invoke.function_name if invoke else "",
                input=EventInput(payload=update.payload, truncated=False),
            ),
        )


def _finish(
    batch: _Batch, update: OperationUpdate, existing: Operation, where: str
) -> None:
    now = batch.now
    if existing.status is not OperationStatus.STARTED:
        raise InvalidParameterValueError(
            f"{where}: cannot {update.action.value} operation {update.id!r}: it "
            f"is {existing.status.value}, and only a STARTED operation can be "
            f"completed"
        )
    action = update.action
    if existing.type is OperationType.WAIT:
        op = _replace(existing, status=OperationStatus.CANCELLED, end_timestamp=now)
        batch.put(op)
        batch.event(
            EventType.WAIT_CANCELLED,
            op,
            wait_cancelled_details=WaitCancelledDetails(
                error=event_error(update.error) if update.error else None
            ),
        )
        return
    if existing.type is OperationType.CONTEXT:
        replay = (
            update.context_options.replay_children if update.context_options else None
        )
        if action is OperationAction.SUCCEED:
            details = ContextDetails(
                replay_children=replay or None, result=update.payload
            )
            op = _replace(
                existing,
                status=OperationStatus.SUCCEEDED,
                end_timestamp=now,
                context_details=details,
            )
            batch.put(op)
            batch.event(
                EventType.CONTEXT_SUCCEEDED,
                op,
                context_succeeded_details=ContextSucceededDetails(
                    result=event_result(update.payload)
                ),
            )
        else:
            op = _replace(
                existing,
                status=OperationStatus.FAILED,
                end_timestamp=now,
                context_details=ContextDetails(error=update.error),
            )
            batch.put(op)
            batch.event(
                EventType.CONTEXT_FAILED,
                op,
                context_failed_details=ContextFailedDetails(
                    error=event_error(update.error)
                ),
            )
        return
    # STEP
    previous = existing.step_details.attempt if existing.step_details else None
    attempt = (previous or 0) + 1
    if action is OperationAction.SUCCEED:
        op = _replace(
            existing,
            status=OperationStatus.SUCCEEDED,
            end_timestamp=now,
            step_details=StepDetails(attempt=attempt, result=update.payload),
        )
        batch.put(op)
        batch.event(
            EventType.STEP_SUCCEEDED,
            op,
            step_succeeded_details=StepSucceededDetails(
                result=event_result(update.payload),
                retry_details=RetryDetails(current_attempt=attempt),
            ),
        )
    elif action is OperationAction.FAIL:
        op = _replace(
            existing,
            status=OperationStatus.FAILED,
            end_timestamp=now,
            step_details=StepDetails(attempt=attempt, error=update.error),
        )
        batch.put(op)
        batch.event(
            EventType.STEP_FAILED,
            op,
            step_failed_details=StepFailedDetails(
                error=event_error(update.error),
                retry_details=RetryDetails(current_attempt=attempt),
            ),
        )
    else:
        delay = (
            update.step_options.next_attempt_delay_seconds
            if update.step_options
            else None
        )
        if delay is None:
            raise InvalidParameterValueError(
                f"{where}: a STEP RETRY needs StepOptions.NextAttemptDelaySeconds "
                "(1 or more)"
            )
        op = _replace(
            existing,
            status=OperationStatus.PENDING,
            step_details=StepDetails(
                attempt=attempt,
                next_attempt_timestamp=now + dt.timedelta(seconds=delay),
                result=update.payload,
                error=update.error,
            ),
        )
        batch.put(op)
        retry = RetryDetails(current_attempt=attempt, next_attempt_delay_seconds=delay)
        if update.error is not None:
            batch.event(
                EventType.STEP_FAILED,
                op,
                step_failed_details=StepFailedDetails(
                    error=event_error(update.error), retry_details=retry
                ),
            )
        else:
            # XXX: a RETRY without an error (wait_for_condition's next check)
            # is recorded as StepSucceeded carrying the state; the real
            # service's event for it is not pinned down by a spec case.
            batch.event(
                EventType.STEP_SUCCEEDED,
                op,
                step_succeeded_details=StepSucceededDetails(
                    result=event_result(update.payload), retry_details=retry
                ),
            )
