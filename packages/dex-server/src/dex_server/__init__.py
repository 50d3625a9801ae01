"""dex-server: the Lambda durable execution API over HTTP, serving dex's service.

``DexServer`` serves the emulated durable execution service (the same one
the local runner drives) to boto3 clients: every route of botocore's
``lambda`` model for durable executions, and Invoke for the functions it
serves, in this process or forwarded to a Lambda runtime endpoint.
"""

from ._app import create_app
from ._errors import (
    InvalidRequestContentError,
    RequestTooLargeError,
)
from ._functions import ServedFunctions
from ._invoke import MAX_EVENT_PAYLOAD_BYTES, SYNC_INVOKE_TIMEOUT
from ._server import DEFAULT_HOST, DexServer, ServerStartError
from ._wire import MAX_REQUEST_BYTES

__all__ = (
    "DEFAULT_HOST",
    "MAX_EVENT_PAYLOAD_BYTES",
    "MAX_REQUEST_BYTES",
    "SYNC_INVOKE_TIMEOUT",
    "DexServer",
    "InvalidRequestContentError",
    "RequestTooLargeError",
    "ServedFunctions",
    "ServerStartError",
    "create_app",
)
