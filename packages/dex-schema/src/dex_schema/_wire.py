"""The durable execution service's wire model, member for member with botocore.

Every struct here mirrors one shape of botocore's ``lambda`` service model.
Python attributes are snake_case; the JSON keys are the shape's member names,
produced by ``rename="pascal"`` and spelled out with ``name=`` where that rule
cannot produce them (``KMSKeyArn``). Optional members default to ``None`` and
are left out when encoded, as the service leaves them out. A contract test
checks each struct against botocore's model, recursively.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated

import msgspec

from ._enums import (
    EventType,
    ExecutionStatus,
    OperationAction,
    OperationStatus,
    OperationSubType,
    OperationType,
)

__all__ = (
    "CallbackDetails",
    "CallbackFailedDetails",
    "CallbackOptions",
    "CallbackStartedDetails",
    "CallbackSucceededDetails",
    "CallbackTimedOutDetails",
    "ChainedInvokeDetails",
    "ChainedInvokeFailedDetails",
    "ChainedInvokeOptions",
    "ChainedInvokeStartedDetails",
    "ChainedInvokeStoppedDetails",
    "ChainedInvokeSucceededDetails",
    "ChainedInvokeTimedOutDetails",
    "ContextDetails",
    "ContextFailedDetails",
    "ContextOptions",
    "ContextStartedDetails",
    "ContextSucceededDetails",
    "DurableConfig",
    "ErrorObject",
    "Event",
    "EventError",
    "EventInput",
    "EventPauseReason",
    "EventResult",
    "EventResumeReason",
    "Execution",
    "ExecutionDetails",
    "ExecutionFailedDetails",
    "ExecutionPausedDetails",
    "ExecutionResumedDetails",
    "ExecutionStartedDetails",
    "ExecutionStoppedDetails",
    "ExecutionSucceededDetails",
    "ExecutionTimedOutDetails",
    "InvocationCompletedDetails",
    "Operation",
    "OperationUpdate",
    "PauseDetails",
    "RetryDetails",
    "StepDetails",
    "StepFailedDetails",
    "StepOptions",
    "StepStartedDetails",
    "StepSucceededDetails",
    "TraceHeader",
    "WaitCancelledDetails",
    "WaitDetails",
    "WaitOptions",
    "WaitStartedDetails",
    "WaitSucceededDetails",
    "coerce_sub_type",
)

Timestamp = _dt.datetime
"""A point in time; RFC 3339 in dex's JSON, epoch seconds on the HTTP wire."""

NonNegative = Annotated[int, msgspec.Meta(ge=0)]


class WireStruct(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    omit_defaults=True,
    forbid_unknown_fields=True,
    rename="pascal",
):
    """Base of every wire struct: immutable, keyword-only, PascalCase keys."""


def coerce_sub_type(value: str | None) -> str | None:
    """Return the ``OperationSubType`` member for a known value, else ``value``.

    Parameters
    ----------
    value:
        A sub-type as read from the wire, or ``None`` when there is none.
    """
    if value is None or isinstance(value, OperationSubType):
        return value
    try:
        return OperationSubType(value)
    except ValueError:
        return value


def _coerce_sub_type_field(self: Operation | OperationUpdate | Event) -> None:
    """``__post_init__`` of the structs with an open ``SubType`` string."""
    known = coerce_sub_type(self.sub_type)
    if known is not self.sub_type:
        msgspec.structs.force_setattr(self, "sub_type", known)


# -- errors -----------------------------------------------------------------


class ErrorObject(WireStruct, frozen=True, kw_only=True):
    """An error as the service stores it (``ErrorObject``)."""

    error_message: str | None = None
    error_type: str | None = None
    error_data: str | None = None
    stack_trace: tuple[str, ...] | None = None


# -- operation details --------------------------------------------------------


class ExecutionDetails(WireStruct, frozen=True, kw_only=True):
    """Details of the EXECUTION operation: the execution's input."""

    input_payload: str | None = None


class ContextDetails(WireStruct, frozen=True, kw_only=True):
    """Details of a CONTEXT operation (a child context, map or parallel)."""

    replay_children: bool | None = None
    result: str | None = None
    error: ErrorObject | None = None


class StepDetails(WireStruct, frozen=True, kw_only=True):
    """Details of a STEP operation: its attempt, next attempt, result or error."""

    attempt: NonNegative | None = None
    next_attempt_timestamp: Timestamp | None = None
    result: str | None = None
    error: ErrorObject | None = None


class WaitDetails(WireStruct, frozen=True, kw_only=True):
    """Details of a WAIT operation: when it is scheduled to end."""

    scheduled_end_timestamp: Timestamp | None = None


class CallbackDetails(WireStruct, frozen=True, kw_only=True):
    """Details of a CALLBACK operation: its id, result or error."""

    callback_id: str | None = None
    result: str | None = None
    error: ErrorObject | None = None


class ChainedInvokeDetails(WireStruct, frozen=True, kw_only=True):
    """Details of a CHAINED_INVOKE operation: the invoked function's outcome."""

    result: str | None = None
    error: ErrorObject | None = None


class Operation(WireStruct, frozen=True, kw_only=True):
    """One durable operation as the service holds it (``Operation``)."""

    id: str
    parent_id: str | None = None
    name: str | None = None
    type: OperationType
    sub_type: str | None = None
    start_timestamp: Timestamp
    end_timestamp: Timestamp | None = None
    status: OperationStatus
    execution_details: ExecutionDetails | None = None
    context_details: ContextDetails | None = None
    step_details: StepDetails | None = None
    wait_details: WaitDetails | None = None
    callback_details: CallbackDetails | None = None
    chained_invoke_details: ChainedInvokeDetails | None = None

    def __post_init__(self) -> None:
        _coerce_sub_type_field(self)


# -- checkpoint updates -------------------------------------------------------


class ContextOptions(WireStruct, frozen=True, kw_only=True):
    """Options of a CONTEXT update."""

    replay_children: bool | None = None


class StepOptions(WireStruct, frozen=True, kw_only=True):
    """Options of a STEP update: the delay before the next attempt."""

    next_attempt_delay_seconds: Annotated[int, msgspec.Meta(ge=1)] | None = None


class WaitOptions(WireStruct, frozen=True, kw_only=True):
    """Options of a WAIT update: how long to wait."""

    wait_seconds: Annotated[int, msgspec.Meta(ge=1)] | None = None


class CallbackOptions(WireStruct, frozen=True, kw_only=True):
    """Options of a CALLBACK update: its timeout and heartbeat timeout."""

    timeout_seconds: NonNegative | None = None
    heartbeat_timeout_seconds: NonNegative | None = None


class ChainedInvokeOptions(WireStruct, frozen=True, kw_only=True):
    """Options of a CHAINED_INVOKE update: which function to invoke."""

    function_name: str
    tenant_id: str | None = None
    x_amzn_trace_id: str | None = None


class OperationUpdate(WireStruct, frozen=True, kw_only=True):
    """One change a checkpoint asks for (``OperationUpdate``)."""

    id: str
    parent_id: str | None = None
    name: str | None = None
    type: OperationType
    sub_type: str | None = None
    action: OperationAction
    payload: str | None = None
    error: ErrorObject | None = None
    context_options: ContextOptions | None = None
    step_options: StepOptions | None = None
    wait_options: WaitOptions | None = None
    callback_options: CallbackOptions | None = None
    chained_invoke_options: ChainedInvokeOptions | None = None

    def __post_init__(self) -> None:
        _coerce_sub_type_field(self)


# -- execution summaries --------------------------------------------------------


class TraceHeader(WireStruct, frozen=True, kw_only=True):
    """The X-Ray trace header of an execution."""

    x_amzn_trace_id: str | None = None


class DurableConfig(WireStruct, frozen=True, kw_only=True):
    """The durable configuration an execution runs under."""

    kms_key_arn: str | None = msgspec.field(default=None, name="KMSKeyArn")
    retention_period_in_days: Annotated[int, msgspec.Meta(ge=1, le=90)] | None = None
    execution_timeout: Annotated[int, msgspec.Meta(ge=1)] | None = None


class PauseDetails(WireStruct, frozen=True, kw_only=True):
    """Why and since when an execution is paused."""

    pause_request_timestamp: Timestamp
    reason: str | None = None
    execution_timeout_paused: bool


class Execution(WireStruct, frozen=True, kw_only=True):
    """One entry of ListDurableExecutionsByFunction (``Execution``)."""

    durable_execution_arn: str
    durable_execution_name: str
    function_arn: str
    status: ExecutionStatus
    start_timestamp: Timestamp
    end_timestamp: Timestamp | None = None
    kms_key_arn: str | None = msgspec.field(default=None, name="KMSKeyArn")


# -- history events ------------------------------------------------------------


class EventInput(WireStruct, frozen=True, kw_only=True):
    """An input payload carried by an event."""

    payload: str | None = None
    truncated: bool | None = None


class EventResult(WireStruct, frozen=True, kw_only=True):
    """A result payload carried by an event."""

    payload: str | None = None
    truncated: bool | None = None


class EventError(WireStruct, frozen=True, kw_only=True):
    """An error carried by an event."""

    payload: ErrorObject | None = None
    truncated: bool | None = None


class EventPauseReason(WireStruct, frozen=True, kw_only=True):
    """Why an execution was paused."""

    payload: str | None = None
    truncated: bool | None = None


class EventResumeReason(WireStruct, frozen=True, kw_only=True):
    """Why an execution was resumed."""

    payload: str | None = None
    truncated: bool | None = None


class RetryDetails(WireStruct, frozen=True, kw_only=True):
    """The attempt a step event records and the delay before the next one."""

    current_attempt: NonNegative | None = None
    next_attempt_delay_seconds: NonNegative | None = None


class ExecutionStartedDetails(WireStruct, frozen=True, kw_only=True):
    input: EventInput
    execution_timeout: NonNegative


class ExecutionSucceededDetails(WireStruct, frozen=True, kw_only=True):
    result: EventResult


class ExecutionFailedDetails(WireStruct, frozen=True, kw_only=True):
    error: EventError


class ExecutionTimedOutDetails(WireStruct, frozen=True, kw_only=True):
    error: EventError | None = None


class ExecutionStoppedDetails(WireStruct, frozen=True, kw_only=True):
    error: EventError


class ContextStartedDetails(WireStruct, frozen=True, kw_only=True):
    pass


class ContextSucceededDetails(WireStruct, frozen=True, kw_only=True):
    result: EventResult


class ContextFailedDetails(WireStruct, frozen=True, kw_only=True):
    error: EventError


class WaitStartedDetails(WireStruct, frozen=True, kw_only=True):
    duration: NonNegative
    scheduled_end_timestamp: Timestamp


class WaitSucceededDetails(WireStruct, frozen=True, kw_only=True):
    duration: NonNegative | None = None


class WaitCancelledDetails(WireStruct, frozen=True, kw_only=True):
    error: EventError | None = None


class StepStartedDetails(WireStruct, frozen=True, kw_only=True):
    pass


class StepSucceededDetails(WireStruct, frozen=True, kw_only=True):
    result: EventResult
    retry_details: RetryDetails


class StepFailedDetails(WireStruct, frozen=True, kw_only=True):
    error: EventError
    retry_details: RetryDetails


class ChainedInvokeStartedDetails(WireStruct, frozen=True, kw_only=True):
    function_name: str
    tenant_id: str | None = None
    input: EventInput | None = None
    executed_version: str | None = None
    durable_execution_arn: str | None = None


class ChainedInvokeSucceededDetails(WireStruct, frozen=True, kw_only=True):
    result: EventResult


class ChainedInvokeFailedDetails(WireStruct, frozen=True, kw_only=True):
    error: EventError


class ChainedInvokeTimedOutDetails(WireStruct, frozen=True, kw_only=True):
    error: EventError


class ChainedInvokeStoppedDetails(WireStruct, frozen=True, kw_only=True):
    error: EventError


class CallbackStartedDetails(WireStruct, frozen=True, kw_only=True):
    callback_id: str
    heartbeat_timeout: NonNegative | None = None
    timeout: NonNegative | None = None


class CallbackSucceededDetails(WireStruct, frozen=True, kw_only=True):
    result: EventResult


class CallbackFailedDetails(WireStruct, frozen=True, kw_only=True):
    error: EventError


class CallbackTimedOutDetails(WireStruct, frozen=True, kw_only=True):
    error: EventError


class InvocationCompletedDetails(WireStruct, frozen=True, kw_only=True):
    start_timestamp: Timestamp
    end_timestamp: Timestamp
    request_id: str
    error: EventError | None = None


class ExecutionPausedDetails(WireStruct, frozen=True, kw_only=True):
    pause_request_timestamp: Timestamp
    reason: EventPauseReason | None = None
    execution_timeout_paused: bool


class ExecutionResumedDetails(WireStruct, frozen=True, kw_only=True):
    resume_request_timestamp: Timestamp
    reason: EventResumeReason | None = None


class Event(WireStruct, frozen=True, kw_only=True):
    """One history event of GetDurableExecutionHistory (``Event``)."""

    event_type: EventType | None = None
    sub_type: str | None = None
    event_id: Annotated[int, msgspec.Meta(ge=1)] | None = None
    id: str | None = None
    name: str | None = None
    event_timestamp: Timestamp | None = None
    parent_id: str | None = None
    execution_started_details: ExecutionStartedDetails | None = None
    execution_succeeded_details: ExecutionSucceededDetails | None = None
    execution_failed_details: ExecutionFailedDetails | None = None
    execution_timed_out_details: ExecutionTimedOutDetails | None = None
    execution_stopped_details: ExecutionStoppedDetails | None = None
    context_started_details: ContextStartedDetails | None = None
    context_succeeded_details: ContextSucceededDetails | None = None
    context_failed_details: ContextFailedDetails | None = None
    wait_started_details: WaitStartedDetails | None = None
    wait_succeeded_details: WaitSucceededDetails | None = None
    wait_cancelled_details: WaitCancelledDetails | None = None
    step_started_details: StepStartedDetails | None = None
    step_succeeded_details: StepSucceededDetails | None = None
    step_failed_details: StepFailedDetails | None = None
    chained_invoke_started_details: ChainedInvokeStartedDetails | None = None
    chained_invoke_succeeded_details: ChainedInvokeSucceededDetails | None = None
    chained_invoke_failed_details: ChainedInvokeFailedDetails | None = None
    chained_invoke_timed_out_details: ChainedInvokeTimedOutDetails | None = None
    chained_invoke_stopped_details: ChainedInvokeStoppedDetails | None = None
    callback_started_details: CallbackStartedDetails | None = None
    callback_succeeded_details: CallbackSucceededDetails | None = None
    callback_failed_details: CallbackFailedDetails | None = None
    callback_timed_out_details: CallbackTimedOutDetails | None = None
    invocation_completed_details: InvocationCompletedDetails | None = None
    execution_paused_details: ExecutionPausedDetails | None = None
    execution_resumed_details: ExecutionResumedDetails | None = None

    def __post_init__(self) -> None:
        _coerce_sub_type_field(self)
