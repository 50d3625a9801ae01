"""The emulated durable execution service, a unit of its own.

The local runner drives it in-process; the HTTP server serves the same class
to boto3 clients.
"""

from ._api import (
    CheckpointOutput,
    ExecutionListOutput,
    HistoryOutput,
    Invocation,
    InvocationInput,
    InvocationResult,
    Invoker,
    StateOutput,
)
from ._clock import ClockMode, VirtualClock
from ._driver import MAX_INVOCATION_ATTEMPTS, NOT_DURABLE_ERROR_TYPE
from ._errors import (
    CallbackTimeoutError,
    ExecutionAlreadyStartedError,
    InvalidCheckpointTokenError,
    InvalidParameterValueError,
    ResourceConflictError,
    ResourceNotFoundError,
    ServiceError,
    ServiceInternalError,
)
from ._service import (
    DEFAULT_HISTORY_PAGE_SIZE,
    MAX_PAGE_SIZE,
    STATE_PAGE_SIZE,
    DurableExecutionService,
)

__all__ = (
    "DEFAULT_HISTORY_PAGE_SIZE",
    "MAX_INVOCATION_ATTEMPTS",
    "MAX_PAGE_SIZE",
    "NOT_DURABLE_ERROR_TYPE",
    "STATE_PAGE_SIZE",
    "CallbackTimeoutError",
    "CheckpointOutput",
    "ClockMode",
    "DurableExecutionService",
    "ExecutionAlreadyStartedError",
    "ExecutionListOutput",
    "HistoryOutput",
    "InvalidCheckpointTokenError",
    "InvalidParameterValueError",
    "Invocation",
    "InvocationInput",
    "InvocationResult",
    "Invoker",
    "ResourceConflictError",
    "ResourceNotFoundError",
    "ServiceError",
    "ServiceInternalError",
    "StateOutput",
    "VirtualClock",
)
