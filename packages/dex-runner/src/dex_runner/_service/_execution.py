"""One execution's working state, held in memory while the service runs it.

Checkpoints change this state only; the store gets the whole record at
invocation boundaries (``to_record``), so a checkpoint costs the same whatever
the size of the execution.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import msgspec
from dex_schema import (
    CallbackTimer,
    ErrorObject,
    Event,
    EventError,
    EventResult,
    EventType,
    ExecutionRecord,
    ExecutionStatus,
    InvocationRecord,
    Operation,
    OperationStatus,
    OperationType,
    ServiceState,
)

from ._clock import VirtualClock

__all__ = ("TERMINAL_STATUSES", "LiveExecution", "RunningInvocation", "event_error")

TERMINAL_STATUSES = frozenset(
    {
        ExecutionStatus.SUCCEEDED,
        ExecutionStatus.FAILED,
        ExecutionStatus.TIMED_OUT,
        ExecutionStatus.STOPPED,
    }
)

_replace = msgspec.structs.replace


def event_error(error: ErrorObject | None) -> EventError:
    """An event's error member for ``error``."""
    return EventError(payload=error, truncated=False)


def event_result(payload: str | None) -> EventResult:
    """An event's result member for ``payload``."""
    return EventResult(payload=payload, truncated=False)


class RunningInvocation:
    """The invocation in flight: its id, timing and outcome once it returns."""

    def __init__(
        self, request_id: str, started: dt.datetime, deadline: float, number: int
    ) -> None:
        self.request_id = request_id
        self.started = started
        self.deadline = deadline
        """``time.monotonic()`` after which the invocation is timed out."""
        self.number = number
        self.result: Any = None
        self.done = False
        self.thread: threading.Thread | None = None
        """The thread the invocation runs on."""


class LiveExecution:
    """The in-memory state of one execution and its bookkeeping.

    Every attribute is guarded by ``condition``.
    """

    def __init__(
        self,
        record: ExecutionRecord,
        clock: VirtualClock,
        *,
        invocation_timeout: float,
        execution_timeout: int,
    ) -> None:
        self.condition = threading.Condition()
        self.clock = clock
        self.invocation_timeout = invocation_timeout
        self.execution_timeout = execution_timeout
        self.revision = record.revision
        self.summary = record.execution
        self.operations: dict[str, Operation] = {op.id: op for op in record.operations}
        self.order: list[str] = list(self.operations)
        """Operation ids in creation order (paging positions)."""
        self.events: list[Event] = list(record.events)
        self.invocations: list[InvocationRecord] = list(record.invocations)
        state = record.service_state
        self.token: str | None = state.checkpoint_token
        self.token_sequence = state.token_sequence
        self.failed_invocations = state.failed_invocations
        self.callbacks: dict[str, CallbackTimer] = {
            timer.operation_id: timer for timer in state.callbacks
        }
        self.updated_ids: dict[str, None] = dict.fromkeys(state.updated_operation_ids)
        """Operations the service changed since the last invocation began."""
        self.changed_ids: dict[str, None] = {}
        """Operations changed since the current token was issued."""
        self.parent_execution_arn = state.parent_execution_arn
        self.parent_operation_id = state.parent_operation_id
        self.invoke_requested = False
        self.running: RunningInvocation | None = None
        self.invocation_count = len(self.invocations)
        self.result_waiters = 0
        self.completion: tuple[str, str | None, ErrorObject | None] | None = None
        """An EXECUTION SUCCEED/FAIL checkpointed during the running invocation."""
        self.last_invocation_error: ErrorObject | None = None
        self.closed = False
        self.broken: Exception | None = None
        """What made the execution's driver fail, if it did."""
        self.closing = False
        """No new invocation starts; the running one may still end or time out."""
        self._timer_ids: dict[str, None] = {}
        self.init_timers()

    # -- reading -------------------------------------------------------------

    @property
    def arn(self) -> str:
        return self.summary.durable_execution_arn

    @property
    def execution_operation_id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    @property
    def terminal(self) -> bool:
        return self.summary.status in TERMINAL_STATUSES

    def outstanding_callbacks(self) -> list[Operation]:
        """CALLBACK operations started and not yet answered or timed out.

        ``callbacks`` holds exactly the timers of these.
        """
        return [
            op
            for op_id in self.callbacks
            if (op := self.operations.get(op_id)) is not None
            and op.status is OperationStatus.STARTED
        ]

    def next_timer(self) -> tuple[dt.datetime, str, str] | None:
        """The earliest pending timer: ``(due, kind, operation id)``."""
        best: tuple[dt.datetime, str, str] | None = None
        for due, kind, op_id in self._timers():
            if best is None or due < best[0]:
                best = (due, kind, op_id)
        return best

    def _timers(self) -> list[tuple[dt.datetime, str, str]]:
        timers: list[tuple[dt.datetime, str, str]] = []
        timeout = self.summary.expected_execution_timeout_timestamp
        if timeout is not None:
            timers.append((timeout, "execution", self.execution_operation_id))
        for op_id in self._timer_ids:
            op = self.operations[op_id]
            if op.type is OperationType.WAIT and op.wait_details is not None:
                end = op.wait_details.scheduled_end_timestamp
                if end is not None and op.status is OperationStatus.STARTED:
                    timers.append((end, "wait", op_id))
            elif op.type is OperationType.STEP and op.step_details is not None:
                when = op.step_details.next_attempt_timestamp
                if when is not None and op.status is OperationStatus.PENDING:
                    timers.append((when, "retry", op_id))
        for op_id, timer in self.callbacks.items():
            callback = self.operations.get(op_id)
            if callback is None or callback.status is not OperationStatus.STARTED:
                continue
            if timer.timeout_seconds:
                due = timer.started_timestamp + dt.timedelta(
                    seconds=timer.timeout_seconds
                )
                timers.append((due, "callback-timeout", op_id))
            if timer.heartbeat_timeout_seconds:
                since = timer.last_heartbeat_timestamp or timer.started_timestamp
                due = since + dt.timedelta(seconds=timer.heartbeat_timeout_seconds)
                timers.append((due, "callback-heartbeat", op_id))
        return timers

    # -- writing -------------------------------------------------------------

    def issue_token(self) -> str:
        """Make a new checkpoint token the only one accepted, and return it."""
        self.token_sequence += 1
        self.token = f"{self.execution_operation_id}:{self.token_sequence}"
        self.changed_ids.clear()
        return self.token

    def put(self, op: Operation) -> None:
        """Store ``op`` (new or changed) and note it as changed."""
        if op.id not in self.operations:
            self.order.append(op.id)
        self.operations[op.id] = op
        self.changed_ids[op.id] = None
        waiting = (
            op.type is OperationType.WAIT and op.status is OperationStatus.STARTED
        ) or (op.type is OperationType.STEP and op.status is OperationStatus.PENDING)
        if waiting:
            self._timer_ids[op.id] = None
        else:
            self._timer_ids.pop(op.id, None)

    def add_event(self, event: Event) -> None:
        """Append ``event`` with the next event id."""
        self.events.append(_replace(event, event_id=len(self.events) + 1))

    def op_event(
        self, event_type: EventType, op: Operation, when: dt.datetime, **details: Any
    ) -> Event:
        """An event about ``op`` (without its id; ``add_event`` numbers it)."""
        return Event(
            event_type=event_type,
            sub_type=op.sub_type,
            id=op.id,
            name=op.name,
            event_timestamp=when,
            parent_id=op.parent_id,
            **details,
        )

    def to_record(self) -> ExecutionRecord:
        """The whole execution as the store keeps it."""
        return ExecutionRecord(
            revision=self.revision,
            execution=self.summary,
            operations=tuple(self.operations[op_id] for op_id in self.order),
            events=tuple(self.events),
            invocations=tuple(self.invocations),
            service_state=ServiceState(
                checkpoint_token=self.token,
                token_sequence=self.token_sequence,
                failed_invocations=self.failed_invocations,
                clock=self.clock.now() if self.clock.skipped else None,
                callbacks=tuple(self.callbacks.values()),
                updated_operation_ids=tuple(self.updated_ids),
                parent_execution_arn=self.parent_execution_arn,
                parent_operation_id=self.parent_operation_id,
            ),
        )

    def init_timers(self) -> None:
        """Index the waiting operations of a record just loaded."""
        self._timer_ids = {}
        for op in self.operations.values():
            if (
                op.type is OperationType.WAIT and op.status is OperationStatus.STARTED
            ) or (
                op.type is OperationType.STEP and op.status is OperationStatus.PENDING
            ):
                self._timer_ids[op.id] = None
