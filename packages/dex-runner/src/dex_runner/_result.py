"""``DurableFunctionTestResult`` and the operation views a test asserts on.

Everything here is built from an ``ExecutionRecord`` alone, so a result can be
rebuilt from a stored record (the CLI and the cloud runner do). Statuses,
types and errors are the SDK's own objects, so ``is`` comparisons with
``InvocationStatus.SUCCEEDED`` or ``OperationType.STEP`` work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TypeVar

from aws_durable_execution_sdk_python.lambda_service import (
    ErrorObject as SdkErrorObject,
)
from aws_durable_execution_sdk_python.lambda_service import InvocationStatus
from aws_durable_execution_sdk_python.lambda_service import (
    OperationStatus as SdkOperationStatus,
)
from aws_durable_execution_sdk_python.lambda_service import (
    OperationSubType as SdkOperationSubType,
)
from aws_durable_execution_sdk_python.lambda_service import (
    OperationType as SdkOperationType,
)
from dex_schema import (
    ErrorObject,
    Event,
    ExecutionRecord,
    ExecutionStatus,
    InvocationRecord,
    LogEntry,
    Operation,
    OperationType,
)

__all__ = (
    "CallbackOperation",
    "ContextOperation",
    "DurableFunctionTestResult",
    "DurableOperation",
    "InvokeOperation",
    "OperationNotFoundError",
    "StepOperation",
    "WaitOperation",
    "sdk_error",
)

_View = TypeVar("_View", bound="DurableOperation")

_WAIT_FOR_CALLBACK = SdkOperationSubType.WAIT_FOR_CALLBACK.value


class OperationNotFoundError(LookupError):
    """No operation of the asked-for type has the asked-for name."""


def sdk_error(error: ErrorObject | None) -> SdkErrorObject | None:
    """The SDK's ``ErrorObject`` for a wire error (``None`` stays ``None``)."""
    if error is None:
        return None
    return SdkErrorObject(
        message=error.error_message,
        type=error.error_type,
        data=error.error_data,
        stack_trace=list(error.stack_trace) if error.stack_trace is not None else None,
    )


def _sub_type(value: str | None) -> SdkOperationSubType | str | None:
    if value is None:
        return None
    try:
        return SdkOperationSubType(value)
    except ValueError:
        return value


class DurableOperation:
    """One operation of an execution, as a test reads it.

    Attributes
    ----------
    id, name, parent_id:
        The operation's id, name (``None`` when unnamed) and parent's id.
    operation_type, status, sub_type:
        The SDK's ``OperationType`` and ``OperationStatus`` members; the
        SDK's ``OperationSubType`` member when the value is one of its own,
        else the string.
    start_timestamp, end_timestamp:
        When it started and ended (``None`` while not ended).
    operation:
        The wire ``Operation`` itself.
    """

    def __init__(self, operation: Operation, execution: _Index) -> None:
        self.operation = operation
        self._index = execution
        self.id = operation.id
        self.name = operation.name
        self.parent_id = operation.parent_id
        self.operation_type = SdkOperationType(operation.type.value)
        self.status = SdkOperationStatus(operation.status.value)
        self.sub_type = _sub_type(operation.sub_type)
        self.start_timestamp: dt.datetime = operation.start_timestamp
        self.end_timestamp: dt.datetime | None = operation.end_timestamp

    @property
    def child_operations(self) -> list[DurableOperation]:
        """The operations whose parent is this one, in creation order."""
        return self._index.children(self.id)

    @property
    def result(self) -> str | None:
        """The serialized result payload, when the operation has one."""
        return None

    @property
    def error(self) -> SdkErrorObject | None:
        """The SDK's ``ErrorObject`` of a failed operation."""
        return None

    def get_operation_by_name(self, name: str) -> DurableOperation:
        """The first descendant named ``name`` (``OperationNotFoundError`` if none)."""
        return self._index.find(name, DurableOperation, within=self.id)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} id={self.id!r} name={self.name!r} "
            f"status={self.status.value}>"
        )


class StepOperation(DurableOperation):
    """A STEP: ``attempt`` (attempts made), ``next_attempt_timestamp``."""

    @property
    def attempt(self) -> int:
        details = self.operation.step_details
        return (details.attempt or 0) if details is not None else 0

    @property
    def next_attempt_timestamp(self) -> dt.datetime | None:
        details = self.operation.step_details
        return details.next_attempt_timestamp if details is not None else None

    @property
    def result(self) -> str | None:
        details = self.operation.step_details
        return details.result if details is not None else None

    @property
    def error(self) -> SdkErrorObject | None:
        details = self.operation.step_details
        return sdk_error(details.error if details is not None else None)


class WaitOperation(DurableOperation):
    """A WAIT: ``scheduled_end_timestamp``."""

    @property
    def scheduled_end_timestamp(self) -> dt.datetime | None:
        details = self.operation.wait_details
        return details.scheduled_end_timestamp if details is not None else None


class CallbackOperation(DurableOperation):
    """A CALLBACK: ``callback_id``, and its answer as ``result`` or ``error``."""

    @property
    def callback_id(self) -> str | None:
        details = self.operation.callback_details
        return details.callback_id if details is not None else None

    @property
    def result(self) -> str | None:
        details = self.operation.callback_details
        return details.result if details is not None else None

    @property
    def error(self) -> SdkErrorObject | None:
        details = self.operation.callback_details
        return sdk_error(details.error if details is not None else None)


class ContextOperation(DurableOperation):
    """A CONTEXT (child context, map, parallel, their branches, wait_for_callback)."""

    @property
    def result(self) -> str | None:
        details = self.operation.context_details
        return details.result if details is not None else None

    @property
    def error(self) -> SdkErrorObject | None:
        details = self.operation.context_details
        return sdk_error(details.error if details is not None else None)

    @property
    def replay_children(self) -> bool:
        details = self.operation.context_details
        return bool(details.replay_children) if details is not None else False


class InvokeOperation(DurableOperation):
    """A CHAINED_INVOKE: the invoked function's ``result`` or ``error``."""

    @property
    def result(self) -> str | None:
        details = self.operation.chained_invoke_details
        return details.result if details is not None else None

    @property
    def error(self) -> SdkErrorObject | None:
        details = self.operation.chained_invoke_details
        return sdk_error(details.error if details is not None else None)


_VIEWS: dict[OperationType, type[DurableOperation]] = {
    OperationType.STEP: StepOperation,
    OperationType.WAIT: WaitOperation,
    OperationType.CALLBACK: CallbackOperation,
    OperationType.CONTEXT: ContextOperation,
    OperationType.CHAINED_INVOKE: InvokeOperation,
}


class _Index:
    """The operations of one record as views, with parent-to-children links."""

    def __init__(self, operations: tuple[Operation, ...]) -> None:
        self.views: list[DurableOperation] = []
        self._children: dict[str | None, list[DurableOperation]] = {}
        self._by_id: dict[str, DurableOperation] = {}
        for operation in operations:
            if operation.type is OperationType.EXECUTION:
                continue
            view = _VIEWS[operation.type](operation, self)
            self.views.append(view)
            self._by_id[view.id] = view
            self._children.setdefault(operation.parent_id, []).append(view)

    def get(self, operation_id: str) -> DurableOperation | None:
        return self._by_id.get(operation_id)

    def children(self, parent_id: str | None) -> list[DurableOperation]:
        return list(self._children.get(parent_id, ()))

    def _within(self, ancestor: str) -> Iterator[DurableOperation]:
        for child in self._children.get(ancestor, ()):
            yield child
            yield from self._within(child.id)

    def find(self, name: str, kind: type[_View], within: str | None = None) -> _View:
        candidates = self.views if within is None else list(self._within(within))
        for view in candidates:
            if view.name == name and isinstance(view, kind):
                return view
        named = sorted({view.name for view in candidates if view.name})
        what = "operation" if kind is DurableOperation else kind.__name__
        raise OperationNotFoundError(
            f"no {what} named {name!r}; named operations: "
            f"{', '.join(map(repr, named)) or 'none'}"
        )


class DurableFunctionTestResult:
    """What one durable execution did, as a test asserts on it.

    Attributes
    ----------
    status:
        The SDK's ``InvocationStatus``: ``SUCCEEDED``, ``FAILED`` (also for
        TIMED_OUT and STOPPED executions) or ``PENDING`` while running.
    execution_status:
        The service's full ``ExecutionStatus``.
    result:
        The serialized result payload (JSON text), or ``None``.
    error:
        The SDK's ``ErrorObject`` of a failed execution, or ``None``.
    execution_arn:
        The execution's ARN.
    record:
        The ``ExecutionRecord`` the result was built from.
    """

    def __init__(self, record: ExecutionRecord) -> None:
        summary = record.execution
        self.record = record
        self.execution_arn = summary.durable_execution_arn
        self.execution_status = summary.status
        self.status = _invocation_status(summary.status)
        self.result = summary.result
        self.error = sdk_error(summary.error)
        self._index = _Index(record.operations)

    @classmethod
    def from_record(cls, record: ExecutionRecord) -> DurableFunctionTestResult:
        """Rebuild a result from a stored record alone."""
        return cls(record)

    @property
    def operations(self) -> list[DurableOperation]:
        """The top-level operations (no parent), without the EXECUTION one."""
        return self._index.children(None)

    def get_all_operations(self) -> list[DurableOperation]:
        """Every operation at every depth, in creation order."""
        return list(self._index.views)

    def get_operation_by_name(self, name: str) -> DurableOperation:
        """The first operation named ``name``; ``OperationNotFoundError`` if none."""
        return self._index.find(name, DurableOperation)

    def get_step(self, name: str) -> StepOperation:
        """The first STEP named ``name``; ``OperationNotFoundError`` if none."""
        return self._index.find(name, StepOperation)

    def get_wait(self, name: str) -> WaitOperation:
        """The first WAIT named ``name``; ``OperationNotFoundError`` if none."""
        return self._index.find(name, WaitOperation)

    def get_context(self, name: str) -> ContextOperation:
        """The first CONTEXT named ``name``; ``OperationNotFoundError`` if none."""
        return self._index.find(name, ContextOperation)

    def get_callback(self, name: str) -> CallbackOperation:
        """The first CALLBACK named ``name``, else the callback of the first
        ``wait_for_callback`` named ``name``.

        ``context.wait_for_callback(submit, name="ext")`` makes a CONTEXT
        named ``ext`` holding the CALLBACK (and the submitter's STEP); the
        name finds that callback, as ``runner.wait_for_callback`` does.

        Raises
        ------
        OperationNotFoundError
            No callback has the name, nor any ``wait_for_callback``; the
            message lists the names there are.
        """
        try:
            return self._index.find(name, CallbackOperation)
        except OperationNotFoundError:
            for view in self._index.views:
                if (
                    isinstance(view, CallbackOperation)
                    and view.parent_id is not None
                    and (parent := self._index.get(view.parent_id)) is not None
                    and parent.name == name
                    and parent.operation.sub_type == _WAIT_FOR_CALLBACK
                ):
                    return view
            raise

    def get_invoke(self, name: str) -> InvokeOperation:
        """The first CHAINED_INVOKE named ``name`` (``OperationNotFoundError``)."""
        return self._index.find(name, InvokeOperation)

    @property
    def invocations(self) -> tuple[InvocationRecord, ...]:
        """Every invocation of the function, in order."""
        return self.record.invocations

    @property
    def history(self) -> tuple[Event, ...]:
        """The history events, numbered from ExecutionStarted = 1."""
        return self.record.events

    @property
    def logs(self) -> list[LogEntry]:
        """What the function logged, over all invocations, in order."""
        return [entry for invocation in self.invocations for entry in invocation.logs]

    def __repr__(self) -> str:
        return (
            f"<DurableFunctionTestResult {self.execution_status.value} "
            f"{self.execution_arn}>"
        )


def _invocation_status(status: ExecutionStatus) -> InvocationStatus:
    if status is ExecutionStatus.SUCCEEDED:
        return InvocationStatus.SUCCEEDED
    if status in (
        ExecutionStatus.FAILED,
        ExecutionStatus.TIMED_OUT,
        ExecutionStatus.STOPPED,
    ):
        return InvocationStatus.FAILED
    return InvocationStatus.PENDING
