"""The typed errors of the emulated service, each carrying its AWS error code.

The HTTP layer and the in-process client translate these into what botocore
raises (``ClientError`` with ``Error.Code``, ``Error.Message`` and
``ResponseMetadata.HTTPStatusCode``), so the SDK classifies them exactly as it
classifies the real service's errors.
"""

from __future__ import annotations

__all__ = (
    "CallbackTimeoutError",
    "ExecutionAlreadyStartedError",
    "InvalidCheckpointTokenError",
    "InvalidParameterValueError",
    "ResourceConflictError",
    "ResourceNotFoundError",
    "ServiceError",
    "ServiceInternalError",
)

INVALID_CHECKPOINT_TOKEN = "Invalid checkpoint token"
"""The prefix the SDK looks for to treat a 400 as retryable."""


class ServiceError(Exception):
    """An error the durable execution service returns to its caller.

    Attributes
    ----------
    code:
        The AWS error code (``Error.Code`` in botocore's error shape).
    status:
        The HTTP status code the service answers with.
    message:
        The message (``Error.Message``).
    """

    code = "ServiceException"
    status = 500

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def to_error_shape(self) -> dict[str, object]:
        """Return botocore's parsed error response for this error."""
        return {
            "Error": {"Code": self.code, "Message": self.message},
            "Message": self.message,
            "ResponseMetadata": {"HTTPStatusCode": self.status, "HTTPHeaders": {}},
        }


class InvalidParameterValueError(ServiceError):
    """A request parameter is malformed or not allowed (HTTP 400)."""

    code = "InvalidParameterValueException"
    status = 400


class InvalidCheckpointTokenError(InvalidParameterValueError):
    """A checkpoint token that is stale, already used or never issued (HTTP 400).

    The message always starts with ``Invalid checkpoint token``, which the SDK
    reads as retryable: the next invocation gets a fresh token.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(f"{INVALID_CHECKPOINT_TOKEN}: {detail}")


class ResourceNotFoundError(ServiceError):
    """No execution or callback with the given identifier exists (HTTP 404)."""

    code = "ResourceNotFoundException"
    status = 404


class ResourceConflictError(ServiceError):
    """The execution is in a state that does not allow the request (HTTP 409)."""

    code = "ResourceConflictException"
    status = 409


class ExecutionAlreadyStartedError(ServiceError):
    """The execution name is taken by an execution with another input (HTTP 409).

    A durable execution name is an idempotency key: starting the same
    function again with the same name and the same input gives the existing
    execution; with another input the start is refused with this error.
    """

    code = "DurableExecutionAlreadyStartedException"
    status = 409


class CallbackTimeoutError(ServiceError):
    """The callback already timed out and can no longer be answered (HTTP 400)."""

    code = "CallbackTimeoutException"
    status = 400


class ServiceInternalError(ServiceError):
    """The service failed in a way that is not the caller's fault (HTTP 500)."""

    code = "ServiceException"
    status = 500
