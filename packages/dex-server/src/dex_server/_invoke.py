"""Lambda's Invoke for the functions a server serves.

Invoking a durable function starts a durable execution. ``Event`` answers
202 at once with the execution's ARN in ``X-Amz-Durable-Execution-Arn``;
``RequestResponse`` (the default) waits for the execution to end and answers
with its result, or with ``X-Amz-Function-Error: Unhandled`` and the error.
A ``DurableExecutionName`` makes the call idempotent: the same name with the
same input is the same execution, with another input it is refused.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import anyio
from dex_runner import DurableExecutionService, InvalidParameterValueError
from dex_schema import ExecutionRecord, ExecutionStatus
from dex_store import function_name_of
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ._errors import InvalidRequestContentError, ServerStoppingError
from ._functions import ServedFunctions, not_served, own_function
from ._wire import MAX_REQUEST_BYTES, read_body

__all__ = ("MAX_EVENT_PAYLOAD_BYTES", "SYNC_INVOKE_TIMEOUT", "invoke")

MAX_EVENT_PAYLOAD_BYTES = 1024 * 1024
"""The largest payload of an asynchronous (``Event``) Invoke: 1 MB, as Lambda."""

SYNC_INVOKE_TIMEOUT = 900.0
"""Seconds a ``RequestResponse`` Invoke waits for its execution to end."""

_POLL_SECONDS = 0.02

_INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")

_VERSION = re.compile(r"\$LATEST|[0-9]+")
"""A version an execution ARN names (the model's DurableExecutionArn also
allows ``$LATEST.PUBLISHED``, which dex runs as ``$LATEST``)."""

_QUALIFIER = re.compile(r"\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9_-]{1,128}")


async def invoke(
    request: Request,
    service: DurableExecutionService,
    functions: ServedFunctions,
    stopping: Callable[[], bool] = lambda: False,
) -> Response:
    """Answer one Invoke request (see the module's description).

    ``stopping`` says the server is shutting down: a ``RequestResponse``
    Invoke still waiting then answers ``ServiceException`` at once.

    Raises
    ------
    ResourceNotFoundError
        The server does not serve the function (or the ARN names another
        region or account).
    InvalidParameterValueError
        An unknown invocation type or a malformed name or qualifier.
    InvalidRequestContentError
        The payload is not JSON.
    RequestTooLargeError
        The payload is over Lambda's limit for the invocation type.
    ExecutionAlreadyStartedError
        The execution name is taken by an execution with another input
        (``DurableExecutionAlreadyStartedException``, from the service).
    ServerStoppingError
        The server is shutting down while a ``RequestResponse`` Invoke waits.
    """
    function = request.path_params["function"]
    qualifier = request.query_params.get("Qualifier")
    kind = request.headers.get("X-Amz-Invocation-Type", "RequestResponse")
    if kind not in _INVOCATION_TYPES:
        raise InvalidParameterValueError(
            f"Invalid InvocationType {kind!r}: expected one of "
            f"{', '.join(_INVOCATION_TYPES)}"
        )
    limit = MAX_EVENT_PAYLOAD_BYTES if kind == "Event" else MAX_REQUEST_BYTES
    raw = await read_body(request, limit)
    function_arn, own_qualifier = own_function(function)
    name = function_name_of(function_arn)
    if name not in functions:
        raise not_served(function, functions.names)
    if qualifier is not None and not _QUALIFIER.fullmatch(qualifier):
        raise InvalidParameterValueError(
            f"Invalid Qualifier {qualifier[:60]!r}: expected a version ($LATEST, "
            "a number) or an alias name (letters, digits, '-', '_')"
        )
    version = qualifier or own_qualifier
    if not _VERSION.fullmatch(version):
        # XXX: an alias (and $LATEST.PUBLISHED) runs as $LATEST; Lambda
        # resolves it to the version it points to. Execution ARNs may only
        # name a version.
        version = "$LATEST"
    if kind == "DryRun":
        return Response(status_code=204, headers={"X-Amz-Executed-Version": version})
    payload = _payload(raw)
    execution_name = request.headers.get("X-Amz-Durable-Execution-Name")
    # XXX: LogType Tail (X-Amz-Log-Result), ClientContext and TenantId are
    # ignored; the function's log lines are in the stored record instead.

    arn = await run_in_threadpool(
        _start,
        service,
        f"{function_arn}:{version}",
        payload,
        execution_name,
        functions.execution_timeout_for(name),
    )
    headers = {"X-Amz-Executed-Version": version, "X-Amz-Durable-Execution-Arn": arn}
    if kind == "Event":
        return Response(status_code=202, headers=headers)

    record = await _ended(service, arn, stopping)
    if record is None:
        # XXX: after 900 s a RequestResponse Invoke answers a Sandbox.Timedout
        # function error while the execution goes on.
        headers["X-Amz-Function-Error"] = "Unhandled"
        body: Any = {
            "errorType": "Sandbox.Timedout",
            "errorMessage": (
                f"Invoke waited {SYNC_INVOKE_TIMEOUT:g} seconds; the durable "
                f"execution {arn} goes on running"
            ),
        }
        return Response(json.dumps(body), headers=headers)
    summary = record.execution
    if summary.status is ExecutionStatus.SUCCEEDED:
        return Response(summary.result or "null", headers=headers)
    headers["X-Amz-Function-Error"] = "Unhandled"
    error = summary.error
    body = {
        "errorType": (error.error_type if error else None) or summary.status.value,
        "errorMessage": (error.error_message if error else None) or "",
    }
    return Response(json.dumps(body), headers=headers)


def _payload(raw: bytes) -> str | None:
    if not raw.strip():
        return None
    try:
        text = raw.decode()
        json.loads(text)
    except ValueError as error:
        raise InvalidRequestContentError(
            f"Could not parse request body into json: {error}; the Invoke "
            "payload must be JSON"
        ) from None
    return text


def _start(
    service: DurableExecutionService,
    function: str,
    payload: str | None,
    execution_name: str | None,
    execution_timeout: int,
) -> str:
    # The service keeps the DurableExecutionName rule: the same name and input
    # is that execution again, another input ExecutionAlreadyStartedError.
    summary = service.start_execution(
        function,
        payload,
        execution_name=execution_name or None,
        execution_timeout=execution_timeout,
    )
    return summary.durable_execution_arn


async def _ended(
    service: DurableExecutionService, arn: str, stopping: Callable[[], bool]
) -> ExecutionRecord | None:
    # Polling, not service.wait_for_completion: a caller blocked there
    # releases outstanding callbacks' hold on the clock, and a synchronous
    # Invoke must not make callbacks time out before anyone can answer them.
    deadline = time.monotonic() + SYNC_INVOKE_TIMEOUT
    while time.monotonic() < deadline:
        if stopping():
            raise ServerStoppingError(
                f"dex serve is shutting down; durable execution {arn} had not "
                "ended (what it did so far is in the store)"
            )
        record = await run_in_threadpool(service.load, arn)
        if record.execution.status not in (
            ExecutionStatus.RUNNING,
            ExecutionStatus.PAUSED,
        ):
            return record
        await anyio.sleep(_POLL_SECONDS)
    return None
