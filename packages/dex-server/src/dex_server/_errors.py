"""The errors only the HTTP front door raises, and the AWS JSON error response.

The emulated service's own errors (``dex_runner.ServiceError`` subclasses)
carry their AWS code and status; these add the ones that belong to the
request itself: its size, its JSON, a duplicate execution name.
"""

from __future__ import annotations

from dex_runner import ServiceError
from dex_runner.service import ServiceInternalError
from starlette.responses import JSONResponse

__all__ = (
    "InvalidRequestContentError",
    "RequestTooLargeError",
    "ServerStoppingError",
    "error_response",
)

# Members botocore's lambda model spells with a lower-case ``message``.
_LOWER_CASE_MESSAGE = frozenset(
    {
        "InvalidParameterValueException",
        "InvalidRequestContentException",
        "RequestTooLargeException",
        "ResourceConflictException",
        "TooManyRequestsException",
    }
)


class RequestTooLargeError(ServiceError):
    """The request body is over the service's size limit (HTTP 413)."""

    code = "RequestTooLargeException"
    status = 413


class InvalidRequestContentError(ServiceError):
    """The request body is not the JSON the operation takes (HTTP 400)."""

    code = "InvalidRequestContentException"
    status = 400


class ServerStoppingError(ServiceInternalError):
    """The server is shutting down while a request waits (HTTP 500).

    Expected on Ctrl-C, so it is not logged as a server failure.
    """


def error_response(error: ServiceError) -> JSONResponse:
    """The AWS JSON error response botocore turns into ``ClientError``.

    The code travels in the ``x-amzn-ErrorType`` header, the message in the
    body under the member name the model gives it.

    Parameters
    ----------
    error:
        Any service error; its ``code``, ``status`` and ``message`` are used.
    """
    key = "message" if error.code in _LOWER_CASE_MESSAGE else "Message"
    kind = "Service" if error.status >= 500 else "User"
    return JSONResponse(
        {"Type": kind, key: error.message},
        status_code=error.status,
        headers={"x-amzn-ErrorType": error.code},
    )
