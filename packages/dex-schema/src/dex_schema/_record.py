"""The execution record dex stores: one durable execution, everything about it.

The local runner and the cloud runner both write this record, so it holds
what a test result is rebuilt from (summary, operations, history,
invocations and their logs) and what the emulated service needs to continue
the execution later (``ServiceState``). A cloud record is built from history
alone and leaves ``ServiceState`` at its defaults.
"""

from __future__ import annotations

import enum

import msgspec

from ._enums import ExecutionStatus
from ._wire import (
    DurableConfig,
    ErrorObject,
    Event,
    Operation,
    PauseDetails,
    Timestamp,
    TraceHeader,
)

__all__ = (
    "CURRENT_SCHEMA_VERSION",
    "CallbackTimer",
    "ExecutionRecord",
    "ExecutionSummary",
    "InvocationOutcome",
    "InvocationRecord",
    "LogEntry",
    "ServiceState",
)

CURRENT_SCHEMA_VERSION = 1
"""The ``SchemaVersion`` this version of dex writes."""


class RecordStruct(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    omit_defaults=True,
    forbid_unknown_fields=True,
    rename="pascal",
):
    """Base of dex's own record structs; keys are PascalCase like the wire's."""


class ExecutionSummary(RecordStruct, frozen=True, kw_only=True):
    """The members of GetDurableExecution's output for one execution.

    ``version`` is the function version the execution runs (``$LATEST`` or a
    number), as in the service; the store's own concurrency counter is
    ``ExecutionRecord.revision``.
    """

    durable_execution_arn: str
    durable_execution_name: str
    function_arn: str
    input_payload: str | None = None
    result: str | None = None
    error: ErrorObject | None = None
    start_timestamp: Timestamp
    status: ExecutionStatus
    end_timestamp: Timestamp | None = None
    version: str | None = None
    trace_header: TraceHeader | None = None
    execution_data_included: bool | None = None
    durable_config: DurableConfig | None = None
    pause_details: PauseDetails | None = None
    expected_execution_timeout_timestamp: Timestamp | None = None


class InvocationOutcome(enum.Enum):
    """How one invocation of the handler ended."""

    SUCCEEDED = "SUCCEEDED"
    """The handler returned the execution's result."""
    FAILED = "FAILED"
    """The handler returned the execution's failure."""
    PENDING = "PENDING"
    """The handler suspended; the service re-invokes it later."""
    ERROR = "ERROR"
    """The invocation itself failed (an exception, a crash, a timeout)."""
    RUNNING = "RUNNING"
    """The invocation has not ended yet."""


class LogEntry(RecordStruct, frozen=True, kw_only=True):
    """One line the function logged during an invocation."""

    timestamp: Timestamp
    level: str
    logger: str
    message: str


class InvocationRecord(RecordStruct, frozen=True, kw_only=True):
    """One invocation of the handler: when, how it ended, what it logged."""

    request_id: str
    start_timestamp: Timestamp
    end_timestamp: Timestamp | None = None
    outcome: InvocationOutcome = InvocationOutcome.RUNNING
    error: ErrorObject | None = None
    logs: tuple[LogEntry, ...] = ()


class CallbackTimer(RecordStruct, frozen=True, kw_only=True):
    """The timeouts of one outstanding callback, which operations do not hold."""

    callback_id: str
    operation_id: str
    started_timestamp: Timestamp
    timeout_seconds: int | None = None
    heartbeat_timeout_seconds: int | None = None
    last_heartbeat_timestamp: Timestamp | None = None


class ServiceState(RecordStruct, frozen=True, kw_only=True):
    """What the emulated service needs to continue an execution later."""

    checkpoint_token: str | None = None
    """The one checkpoint token the service accepts now, if any."""
    token_sequence: int = 0
    """How many checkpoint tokens were issued; makes every token unique."""
    failed_invocations: int = 0
    """Invocations that ended in ERROR since the last one that did not."""
    clock: Timestamp | None = None
    """The execution's virtual time when time is skipped."""
    callbacks: tuple[CallbackTimer, ...] = ()
    updated_operation_ids: tuple[str, ...] = ()
    """Operations changed since the last invocation, for the next one."""
    parent_execution_arn: str | None = None
    """The execution whose chained invoke started this one."""
    parent_operation_id: str | None = None


class ExecutionRecord(RecordStruct, frozen=True, kw_only=True, omit_defaults=False):
    """One durable execution as dex stores it.

    ``revision`` is the store's compare-and-swap counter: a store sets it on
    every write, and an update made from a stale copy is refused.
    """

    schema_version: int = CURRENT_SCHEMA_VERSION
    revision: int = 0
    execution: ExecutionSummary
    operations: tuple[Operation, ...] = ()
    events: tuple[Event, ...] = ()
    invocations: tuple[InvocationRecord, ...] = ()
    service_state: ServiceState = ServiceState()

    @property
    def arn(self) -> str:
        """The execution's ARN."""
        return self.execution.durable_execution_arn
