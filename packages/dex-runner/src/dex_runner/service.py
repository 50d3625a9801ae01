"""The emulated durable execution service, for code that serves or drives it.

``DurableFunctionTestRunner`` is how tests use the service; this module is for
front ends that put the same service behind another interface (``dex-server``
serves it over HTTP): the service class, its invoker seam, the in-process
invoker and log capture, and the typed errors that carry AWS error codes.
"""

from ._inprocess import InProcessInvoker
from ._logs import LogCapture
from ._service import (
    DEFAULT_HISTORY_PAGE_SIZE,
    MAX_INVOCATION_ATTEMPTS,
    MAX_PAGE_SIZE,
    NOT_DURABLE_ERROR_TYPE,
    STATE_PAGE_SIZE,
    CallbackTimeoutError,
    CheckpointOutput,
    ClockMode,
    DurableExecutionService,
    ExecutionAlreadyStartedError,
    ExecutionListOutput,
    HistoryOutput,
    InvalidCheckpointTokenError,
    InvalidParameterValueError,
    Invocation,
    InvocationInput,
    InvocationResult,
    Invoker,
    ResourceConflictError,
    ResourceNotFoundError,
    ServiceError,
    ServiceInternalError,
    StateOutput,
    VirtualClock,
)
from ._service._ids import function_arn as parse_function_arn

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
    "InProcessInvoker",
    "InvalidCheckpointTokenError",
    "InvalidParameterValueError",
    "Invocation",
    "InvocationInput",
    "InvocationResult",
    "Invoker",
    "LogCapture",
    "ResourceConflictError",
    "ResourceNotFoundError",
    "ServiceError",
    "ServiceInternalError",
    "StateOutput",
    "VirtualClock",
    "parse_function_arn",
)
