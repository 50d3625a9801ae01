"""Chained invokes: a CHAINED_INVOKE operation runs another function.

When a checkpoint STARTs a CHAINED_INVOKE operation the service looks the
target up in its function catalog:

- a durable function runs as a durable execution of its own, linked to the
  parent (its record names the parent execution and operation) and on the
  parent's clock; when it ends, its outcome completes the operation
  (ChainedInvokeSucceeded / Failed / TimedOut / Stopped) and the parent is
  invoked again;
- a plain function is called once, on a thread of its own; what it returns
  (or raises) completes the operation;
- a function the catalog does not know fails the operation in the same
  checkpoint with ``ResourceNotFoundException``, as Lambda's Invoke fails,
  so the SDK's recheck right after its START raises ``InvokeError``.
"""

from __future__ import annotations

import enum
import logging
import re
import threading
from typing import TYPE_CHECKING, Any, Protocol

import msgspec
from dex_schema import (
    ChainedInvokeDetails,
    ChainedInvokeFailedDetails,
    ChainedInvokeStoppedDetails,
    ChainedInvokeSucceededDetails,
    ChainedInvokeTimedOutDetails,
    ErrorObject,
    Event,
    EventType,
    ExecutionStatus,
    ExecutionSummary,
    Operation,
    OperationStatus,
    OperationType,
)

from ._api import InvocationResult
from ._errors import InvalidParameterValueError, ServiceError
from ._execution import LiveExecution, event_error, event_result
from ._group import group_of
from ._ids import DEFAULT_ACCOUNT, DEFAULT_QUALIFIER, DEFAULT_REGION
from ._ids import function_arn as parse_function_arn

if TYPE_CHECKING:
    from ._clock import VirtualClock

__all__ = (
    "ChainedInvokes",
    "FunctionCatalog",
    "FunctionKind",
    "ServiceHost",
    "target_of",
)

logger = logging.getLogger(__name__)

_replace = msgspec.structs.replace

_FUNCTION_ERROR_TYPE = "dex.FunctionError"


class FunctionKind(enum.Enum):
    """How the service runs a chained invoke's target."""

    DURABLE = "durable"
    """As a durable execution of its own, linked to its parent."""
    PLAIN = "plain"
    """As one synchronous call (a function that is not durable)."""


class FunctionCatalog(Protocol):
    """The functions a chained invoke may target."""

    def kind_of(self, function_arn: str) -> FunctionKind | None:
        """How to run the function (unqualified ARN); ``None`` when unknown."""
        ...

    def call(self, function_arn: str, payload: str | None) -> InvocationResult:
        """Call a plain function once with ``payload`` (JSON text)."""
        ...

    def execution_timeout_of(self, function_arn: str) -> int | None:
        """A durable function's own execution timeout; ``None``: the caller's."""
        ...


class ServiceHost(Protocol):
    """What chained invokes need of the service that runs them."""

    def start_execution(
        self,
        function_name: str,
        input_payload: str | None = None,
        *,
        execution_name: str | None = None,
        execution_timeout: int = 300,
        invocation_timeout: float = 900,
        clock: VirtualClock | None = None,
        parent_execution_arn: str | None = None,
        parent_operation_id: str | None = None,
    ) -> ExecutionSummary:
        """StartDurableExecution (see ``DurableExecutionService``)."""
        ...

    def persist(self, live: LiveExecution) -> None:
        """Write ``live``'s record to the store (holding its lock)."""
        ...

    def track_thread(self, thread: threading.Thread) -> None:
        """Have the service's ``close`` wait for ``thread``."""
        ...


class ChainedInvokes:
    """Starts chained invokes and completes them when their target ends.

    Parameters
    ----------
    service:
        The service the parent executions run on; durable targets start there.
    """

    def __init__(self, service: ServiceHost) -> None:
        self._service = service
        self.catalog: FunctionCatalog | None = None
        """``None``: every target is taken as durable and left to the invoker."""
        self._lock = threading.Lock()
        self._parents: dict[str, LiveExecution] = {}
        """Executions with chained executions, by ARN (each chained execution
        names its parent execution and operation in its record)."""

    # -- starting ---------------------------------------------------------------

    def on_checkpoint(self, live: LiveExecution) -> None:
        """Start the CHAINED_INVOKE operations the checkpoint just STARTed.

        Called holding ``live.condition``, after the updates are applied and
        before the changed operations are returned.
        """
        for op_id in list(live.changed_ids):
            op = live.operations[op_id]
            if (
                op.type is OperationType.CHAINED_INVOKE
                and op.status is OperationStatus.STARTED
            ):
                self._start(live, op)

    def _start(self, live: LiveExecution, op: Operation) -> None:
        index, started = _started_event(live, op.id)
        details = started.chained_invoke_started_details
        name = details.function_name if details is not None else ""
        payload = details.input.payload if details and details.input else None
        try:
            function, qualifier = target_of(name)
        except InvalidParameterValueError as error:
            self.complete(
                live,
                op.id,
                OperationStatus.FAILED,
                error=ErrorObject(
                    error_type="InvalidParameterValueException",
                    error_message=error.message,
                ),
            )
            return
        kind = (
            FunctionKind.DURABLE
            if self.catalog is None
            else self.catalog.kind_of(function)
        )
        if kind is None:
            self.complete(
                live,
                op.id,
                OperationStatus.FAILED,
                error=ErrorObject(
                    error_type="ResourceNotFoundException",
                    error_message=f"Function not found: {function}:{qualifier}",
                ),
            )
            return
        if kind is FunctionKind.PLAIN:
            self._call_plain(live, op.id, function, payload)
            return
        # XXX: a chained execution registered without a timeout of its own
        # gets the invoking execution's execution timeout, and always its
        # invocation timeout; stopping or timing out the parent leaves it
        # running to its own end; an unqualified durable target runs as
        # $LATEST, where Lambda asks for a version or alias qualifier.
        with self._lock:
            self._parents[live.arn] = live
        own_timeout = (
            None
            if self.catalog is None
            else self.catalog.execution_timeout_of(function)
        )
        group = group_of(live.clock)
        group.expect_delivery(live.arn, op.id)
        try:
            child = self._service.start_execution(
                f"{function}:{qualifier}",
                payload,
                execution_timeout=own_timeout or live.execution_timeout,
                invocation_timeout=live.invocation_timeout,
                clock=live.clock,
                parent_execution_arn=live.arn,
                parent_operation_id=op.id,
            )
        except ServiceError as error:
            group.delivered(live.arn, op.id)
            self.complete(
                live,
                op.id,
                OperationStatus.FAILED,
                error=ErrorObject(error_type=error.code, error_message=error.message),
            )
            return
        if details is not None:
            live.events[index] = _replace(
                started,
                chained_invoke_started_details=_replace(
                    details, durable_execution_arn=child.durable_execution_arn
                ),
            )
        logger.debug(
            "chained invoke %s of %s started %s",
            op.id,
            live.arn,
            child.durable_execution_arn,
        )

    def _call_plain(
        self, live: LiveExecution, op_id: str, function: str, payload: str | None
    ) -> None:
        catalog = self.catalog
        assert catalog is not None
        group = group_of(live.clock)
        group.begin_call()

        def call() -> None:
            # XXX: a plain function's call has no invocation timeout, record or
            # captured logs; only its result or error reaches the history.
            try:
                result = catalog.call(function, payload)
            except BaseException as error:  # the catalog itself failed
                logger.exception("calling %s for %s failed", function, live.arn)
                result = InvocationResult(
                    error=ErrorObject(
                        error_type=type(error).__name__, error_message=str(error)
                    )
                )
            try:
                with live.condition:
                    # XXX: the answer lands only once the invocation that
                    # asked has ended (a real Invoke's answer lands whenever
                    # it comes), so the history order does not depend on
                    # thread timing.
                    live.condition.wait_for(
                        lambda: live.running is None or live.terminal or live.closed
                    )
                    if result.error is not None:
                        self.complete(
                            live, op_id, OperationStatus.FAILED, error=result.error
                        )
                    else:
                        self.complete(
                            live,
                            op_id,
                            OperationStatus.SUCCEEDED,
                            result=_json_text(result.output),
                        )
            finally:
                group.end_call()
                with live.condition:
                    live.condition.notify_all()

        thread = threading.Thread(
            target=call,
            name=f"dex-chained-{live.summary.durable_execution_name}-{op_id[:8]}",
            daemon=True,
        )
        self._service.track_thread(thread)
        thread.start()

    # -- completing -------------------------------------------------------------

    def child_completed(self, child: LiveExecution) -> None:
        """Complete the parent's operation with a chained execution's outcome.

        Called holding ``child.condition`` once ``child`` has ended.
        """
        parent_arn = child.parent_execution_arn
        op_id = child.parent_operation_id
        with self._lock:
            parent = self._parents.get(parent_arn or "")
        if parent is None or op_id is None:
            return
        summary = child.summary
        status = {
            ExecutionStatus.SUCCEEDED: OperationStatus.SUCCEEDED,
            ExecutionStatus.TIMED_OUT: OperationStatus.TIMED_OUT,
            ExecutionStatus.STOPPED: OperationStatus.STOPPED,
        }.get(summary.status, OperationStatus.FAILED)
        error = summary.error
        if status is not OperationStatus.SUCCEEDED and error is None:
            error = ErrorObject(
                error_type=f"Execution.{summary.status.value}",
                error_message=f"Durable execution {child.arn} ended "
                f"{summary.status.value}",
            )
        with parent.condition:
            self.complete(parent, op_id, status, result=summary.result, error=error)
            group_of(child.clock).delivered(parent.arn, op_id)

    def complete(
        self,
        live: LiveExecution,
        op_id: str,
        status: OperationStatus,
        *,
        result: str | None = None,
        error: ErrorObject | None = None,
    ) -> None:
        """End the CHAINED_INVOKE operation ``op_id`` of ``live`` with ``status``.

        Called holding ``live.condition``. Nothing happens when the operation
        or its execution has ended already.
        """
        op = live.operations.get(op_id)
        if op is None or op.status is not OperationStatus.STARTED or live.terminal:
            return
        now = live.clock.now()
        succeeded = status is OperationStatus.SUCCEEDED
        op = _replace(
            op,
            status=status,
            end_timestamp=now,
            chained_invoke_details=ChainedInvokeDetails(
                result=result if succeeded else None,
                error=None if succeeded else error,
            ),
        )
        if status is OperationStatus.SUCCEEDED:
            event = live.op_event(
                EventType.CHAINED_INVOKE_SUCCEEDED,
                op,
                now,
                chained_invoke_succeeded_details=ChainedInvokeSucceededDetails(
                    result=event_result(result)
                ),
            )
        else:
            event_type, member, details = _ERROR_OUTCOMES.get(
                status, _ERROR_OUTCOMES[OperationStatus.FAILED]
            )
            event = live.op_event(
                event_type, op, now, **{member: details(error=event_error(error))}
            )
        inside_checkpoint = live.token is not None and op_id in live.changed_ids
        live.put(op)
        live.add_event(event)
        if inside_checkpoint:
            # Completed inside the checkpoint that started it: the checkpoint's
            # answer carries it, so no new invocation is needed for it.
            live.condition.notify_all()
            return
        live.updated_ids[op_id] = None
        if live.running is None:
            live.invoke_requested = True
            self._service.persist(live)
        live.condition.notify_all()


_ERROR_OUTCOMES: dict[OperationStatus, tuple[EventType, str, Any]] = {
    OperationStatus.FAILED: (
        EventType.CHAINED_INVOKE_FAILED,
        "chained_invoke_failed_details",
        ChainedInvokeFailedDetails,
    ),
    OperationStatus.TIMED_OUT: (
        EventType.CHAINED_INVOKE_TIMED_OUT,
        "chained_invoke_timed_out_details",
        ChainedInvokeTimedOutDetails,
    ),
    OperationStatus.STOPPED: (
        EventType.CHAINED_INVOKE_STOPPED,
        "chained_invoke_stopped_details",
        ChainedInvokeStoppedDetails,
    ),
}
"""How a chained invoke that did not succeed is recorded, by its status: the
event type and its details member (each holds the error alone)."""


_PARTIAL_NAME = re.compile(
    r"^(?:(?P<account>\d{12}):function:)?(?P<name>[a-zA-Z0-9_-]{1,64})"
    r"(?::(?P<qualifier>[a-zA-Z0-9$_-]{1,128}))?$"
)


def target_of(function_name: str) -> tuple[str, str]:
    """``(unqualified function ARN, qualifier)`` of a chained invoke's target.

    Takes what Lambda's ``FunctionName`` takes: a name, ``NAME:QUALIFIER``, a
    partial ARN (``ACCOUNT:function:NAME[:QUALIFIER]``) or a function ARN.

    Raises
    ------
    InvalidParameterValueError
        None of those forms.
    """
    try:
        return parse_function_arn(function_name)
    except InvalidParameterValueError:
        match = _PARTIAL_NAME.match(function_name)
        if match is None:
            raise
    account = match["account"] or DEFAULT_ACCOUNT
    arn = f"arn:aws:lambda:{DEFAULT_REGION}:{account}:function:{match['name']}"
    return arn, match["qualifier"] or DEFAULT_QUALIFIER


def _started_event(live: LiveExecution, op_id: str) -> tuple[int, Event]:
    for index in range(len(live.events) - 1, -1, -1):
        event = live.events[index]
        if event.id == op_id and event.event_type is EventType.CHAINED_INVOKE_STARTED:
            return index, event
    raise AssertionError(f"no ChainedInvokeStarted event for {op_id}")


def _json_text(output: object) -> str | None:
    if output is None:
        return None
    return msgspec.json.encode(output).decode()
