"""dex-runner: the emulated durable execution service and the local test runner.

Supports ``aws-durable-execution-sdk-python`` 3.x.
"""

from ._cloud import DurableFunctionCloudTestRunner, DurableFunctionCloudTestRunnerConfig
from ._cloud_client import AmbiguousInvokeError
from ._handler import NotDurableHandlerError, is_durable_handler
from ._inprocess import HandlerStillRunningWarning
from ._result import (
    CallbackOperation,
    ContextOperation,
    DurableFunctionTestResult,
    DurableOperation,
    InvokeOperation,
    OperationNotFoundError,
    StepOperation,
    WaitOperation,
)
from ._runner import (
    DurableFunctionTestRunner,
    ExecutionWaitTimeoutError,
    InvalidInputError,
    RunnerClosedError,
)
from ._service import (
    CallbackTimeoutError,
    ClockMode,
    DurableExecutionService,
    ExecutionAlreadyStartedError,
    InvalidCheckpointTokenError,
    InvalidParameterValueError,
    ResourceConflictError,
    ResourceNotFoundError,
    ServiceError,
)

__all__ = (
    "AmbiguousInvokeError",
    "CallbackOperation",
    "CallbackTimeoutError",
    "ClockMode",
    "ContextOperation",
    "DurableExecutionService",
    "DurableFunctionCloudTestRunner",
    "DurableFunctionCloudTestRunnerConfig",
    "DurableFunctionTestResult",
    "DurableFunctionTestRunner",
    "DurableOperation",
    "ExecutionAlreadyStartedError",
    "ExecutionWaitTimeoutError",
    "HandlerStillRunningWarning",
    "InvalidCheckpointTokenError",
    "InvalidInputError",
    "InvalidParameterValueError",
    "InvokeOperation",
    "NotDurableHandlerError",
    "OperationNotFoundError",
    "ResourceConflictError",
    "ResourceNotFoundError",
    "RunnerClosedError",
    "ServiceError",
    "StepOperation",
    "WaitOperation",
    "is_durable_handler",
)
