"""The service's request and response shapes, and the invoker interface.

Outputs are ``msgspec`` structs holding ``dex_schema`` wire structs; the HTTP
layer encodes them with the botocore member names, the in-process client
turns them into the dicts botocore returns.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

import msgspec
from dex_schema import ErrorObject, Event, Execution, LogEntry, Operation

if TYPE_CHECKING:
    pass

__all__ = (
    "CheckpointOutput",
    "ExecutionListOutput",
    "HistoryOutput",
    "Invocation",
    "InvocationInput",
    "InvocationResult",
    "Invoker",
    "StateOutput",
)


class CheckpointOutput(msgspec.Struct, frozen=True, kw_only=True):
    """CheckpointDurableExecution's output.

    ``checkpoint_token`` is ``None`` when the checkpoint completed the
    execution: no further checkpoint is accepted.
    """

    checkpoint_token: str | None
    operations: tuple[Operation, ...]
    next_marker: str | None = None


class StateOutput(msgspec.Struct, frozen=True, kw_only=True):
    """GetDurableExecutionState's output: one page of operations."""

    operations: tuple[Operation, ...]
    next_marker: str | None = None


class HistoryOutput(msgspec.Struct, frozen=True, kw_only=True):
    """GetDurableExecutionHistory's output: one page of events."""

    events: tuple[Event, ...]
    next_marker: str | None = None


class ExecutionListOutput(msgspec.Struct, frozen=True, kw_only=True):
    """ListDurableExecutionsByFunction's output: one page of executions."""

    durable_executions: tuple[Execution, ...]
    next_marker: str | None = None


class InvocationInput(msgspec.Struct, frozen=True, kw_only=True):
    """The event the service invokes a durable function with."""

    durable_execution_arn: str
    checkpoint_token: str
    operations: tuple[Operation, ...]
    """The first page of the execution's operations."""
    next_marker: str | None = None
    updated_operation_ids: tuple[str, ...] = ()

    def to_event(self) -> dict[str, Any]:
        """The JSON event a Lambda runtime receives (timestamps in epoch ms)."""
        operations = [_json_operation(operation) for operation in self.operations]
        return {
            "DurableExecutionArn": self.durable_execution_arn,
            "CheckpointToken": self.checkpoint_token,
            "InitialExecutionState": {
                "Operations": operations,
                "NextMarker": self.next_marker or "",
            },
            "UpdatedOperationIds": list(self.updated_operation_ids),
        }


def _json_operation(operation: Operation) -> dict[str, Any]:
    data: dict[str, Any] = _millis(
        msgspec.to_builtins(operation, builtin_types=(dt.datetime,))
    )
    return data


def _millis(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, dict):
        return {key: _millis(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_millis(item) for item in value]
    return value


class Invocation(msgspec.Struct, frozen=True, kw_only=True):
    """One invocation the service asks its invoker to make."""

    function_arn: str
    qualifier: str
    request_id: str
    input: InvocationInput
    timeout_seconds: float
    service: Any = None
    """The ``DurableExecutionService`` that invokes (for in-process invokers)."""


class InvocationResult(msgspec.Struct, frozen=True, kw_only=True):
    """What one invocation returned, as Lambda's Invoke reports it.

    Attributes
    ----------
    output:
        The function's response, JSON-decoded (``Payload``); ``None`` when it
        raised.
    error:
        The function error (Lambda's ``FunctionError``): ``ErrorType`` like
        ``Runtime.ExitError`` or the exception type, and its message.
    logs:
        What the function logged during the invocation.
    """

    output: Any = None
    error: ErrorObject | None = None
    logs: tuple[LogEntry, ...] = ()


class Invoker(Protocol):
    """Invokes the function of an execution, synchronously, as Lambda would.

    The service calls ``invoke`` from a thread of its own and stops waiting
    after ``invocation.timeout_seconds``; the invoker need not enforce it.
    """

    def invoke(self, invocation: Invocation) -> InvocationResult:
        """Invoke the function and return what it returned or raised."""
        ...
