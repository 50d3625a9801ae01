"""The Starlette application: one route per operation of botocore's model.

Every route reads its parameters where the ``lambda`` model puts them (the
URI, the query string, headers, a JSON body or a raw payload), calls the
emulated service on a worker thread, and answers in the model's wire form.
Service errors become the AWS JSON error shape; anything unexpected is a
``ServiceException`` (HTTP 500) and is logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from dex_runner import (
    DurableExecutionService,
    InvalidParameterValueError,
    ResourceNotFoundError,
    ServiceError,
)
from dex_runner.service import ServiceInternalError
from dex_schema import ErrorObject, ExecutionStatus, OperationUpdate
from dex_store import StoreNotFoundError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._errors import ServerStoppingError, error_response
from ._functions import ServedFunctions, own_function
from ._invoke import invoke
from ._wire import (
    json_body,
    json_type,
    query_bool,
    query_int,
    query_timestamp,
    read_body,
    to_wire,
    wire_response,
)

__all__ = ("create_app",)

logger = logging.getLogger(__name__)

_EXECUTIONS = "/2025-12-01/durable-executions/{arn:path}"
_CALLBACKS = "/2025-12-01/durable-execution-callbacks/{callback_id}"

MAX_CALLBACK_RESULT_BYTES = 1024 * 1024
"""The largest SendDurableExecutionCallbackSuccess ``Result`` (the model's)."""

# The model's DurableExecutionArn pattern, 1-1024 characters.
_EXECUTION_ARN = re.compile(
    r"arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\d{12}):function:"
    r"([a-zA-Z0-9_-]+):(\$LATEST(?:\.PUBLISHED)?|[0-9]+)/durable-execution/"
    r"([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)"
)
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")

Endpoint = Callable[[Request], Awaitable[Response]]


class _UnknownOperationError(ServiceError):
    code = "UnknownOperationException"
    status = 404


def create_app(
    service: DurableExecutionService,
    functions: ServedFunctions,
    *,
    stopping: Callable[[], bool] = lambda: False,
) -> Starlette:
    """The ASGI application serving ``service`` and invoking ``functions``.

    Parameters
    ----------
    service:
        The emulated durable execution service every route calls.
    functions:
        The functions Invoke may start executions of.
    stopping:
        Says whether the server is shutting down: a ``RequestResponse``
        Invoke still waiting then answers ``ServiceException`` at once.
    """
    # XXX: requests are not authenticated (any SigV4 signature is accepted)
    # and never throttled (no TooManyRequestsException).
    routes = _Routes(service, functions, stopping)
    table: list[tuple[str, str, Endpoint]] = [
        ("POST", _EXECUTIONS + "/checkpoint", routes.checkpoint),
        ("GET", _EXECUTIONS + "/state", routes.state),
        ("GET", _EXECUTIONS + "/history", routes.history),
        ("POST", _EXECUTIONS + "/stop", routes.stop),
        ("POST", _EXECUTIONS + "/pause", routes.pause),
        ("POST", _EXECUTIONS + "/resume", routes.resume),
        ("GET", _EXECUTIONS, routes.get_execution),
        ("DELETE", _EXECUTIONS, routes.delete_execution),
        (
            "GET",
            "/2025-12-01/functions/{function}/durable-executions",
            routes.list_executions,
        ),
        ("POST", _CALLBACKS + "/succeed", routes.callback_success),
        ("POST", _CALLBACKS + "/fail", routes.callback_failure),
        ("POST", _CALLBACKS + "/heartbeat", routes.callback_heartbeat),
        ("POST", "/2015-03-31/functions/{function}/invocations", routes.invoke),
    ]
    return Starlette(
        routes=[
            Route(path, _guarded(endpoint), methods=[method])
            for method, path, endpoint in table
        ],
        exception_handlers={HTTPException: _http_error},
    )


def _guarded(endpoint: Endpoint) -> Endpoint:
    async def guarded(request: Request) -> Response:
        try:
            _check_escapes(request)
            return await endpoint(request)
        except ServerStoppingError as error:
            logger.debug("%s %s: %s", request.method, request.url.path, error)
            return error_response(error)
        except ServiceError as error:
            if error.status >= 500:
                logger.error(
                    "%s %s answered %s: %s",
                    request.method,
                    request.url.path,
                    error.code,
                    error.message,
                    exc_info=error,
                )
            else:
                logger.debug("%s %s: %s", request.method, request.url.path, error)
            return error_response(error)
        except Exception as error:
            logger.exception("%s %s failed", request.method, request.url.path)
            return error_response(
                ServiceInternalError(
                    f"dex-server failed on {request.method} {request.url.path}: "
                    f"{type(error).__name__}: {error}"
                )
            )

    guarded.__name__ = endpoint.__name__
    return guarded


def _check_escapes(request: Request) -> None:
    raw = request.scope.get("raw_path") or b""
    bad = _BAD_ESCAPE.search(raw)
    if bad is not None:
        raise InvalidParameterValueError(
            f"Invalid percent-encoding {raw[bad.start() : bad.start() + 3]!r} in "
            f"the path {raw.decode(errors='replace')!r}: '%' must be followed by "
            "two hex digits (percent-encode ARNs and callback ids)"
        )


def _execution_arn(request: Request) -> str:
    arn: str = request.path_params["arn"]
    if len(arn) <= 1024 and _EXECUTION_ARN.fullmatch(arn):
        return arn
    raise InvalidParameterValueError(
        f"Invalid DurableExecutionArn {arn[:200]!r}: expected "
        "arn:aws:lambda:REGION:ACCOUNT:function:NAME:VERSION/durable-execution/"
        "EXECUTION_NAME/EXECUTION_ID (VERSION $LATEST, $LATEST.PUBLISHED or a "
        "number; at most 1024 characters), as Invoke answers it"
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    try:
        _check_escapes(request)
    except ServiceError as bad_escape:
        return error_response(bad_escape)
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    error = _UnknownOperationError(
        f"No operation of the durable execution API at {request.method} "
        f"{request.url.path} (HTTP {status})"
    )
    return error_response(error)


class _Routes:
    def __init__(
        self,
        service: DurableExecutionService,
        functions: ServedFunctions,
        stopping: Callable[[], bool],
    ) -> None:
        self.service = service
        self.functions = functions
        self.stopping = stopping

    # -- checkpoint and state --------------------------------------------------

    async def checkpoint(self, request: Request) -> Response:
        arn = _execution_arn(request)
        body = json_body(await read_body(request), "CheckpointDurableExecution")
        token = body.get("CheckpointToken")
        if token is None or token == "":
            raise InvalidParameterValueError(
                "CheckpointToken is required: pass the token of the invocation "
                "or of the previous checkpoint"
            )
        if not isinstance(token, str):
            raise InvalidParameterValueError(
                f"Invalid CheckpointToken: expected a string, got "
                f"{json_type(token)} {token!r}"
            )
        raw_updates = body.get("Updates") or []
        if not isinstance(raw_updates, list):
            raise InvalidParameterValueError(
                f"Invalid Updates: expected a list, got {json_type(raw_updates)}"
            )
        updates = [_update(index, raw) for index, raw in enumerate(raw_updates)]
        client_token = body.get("ClientToken")
        output = await run_in_threadpool(
            self.service.checkpoint, arn, token, updates, client_token
        )
        state: dict[str, Any] = {"Operations": list(output.operations)}
        if output.next_marker:
            state["NextMarker"] = output.next_marker
        response: dict[str, Any] = {"NewExecutionState": state}
        if output.checkpoint_token is not None:
            response["CheckpointToken"] = output.checkpoint_token
        return wire_response(response)

    async def state(self, request: Request) -> Response:
        arn = _execution_arn(request)
        token = request.query_params.get("CheckpointToken")
        if not token:
            raise InvalidParameterValueError(
                "CheckpointToken is required (query string)"
            )
        output = await run_in_threadpool(
            self.service.get_execution_state,
            arn,
            token,
            request.query_params.get("Marker") or None,
            query_int(request, "MaxItems"),
        )
        return wire_response(
            {"Operations": list(output.operations), "NextMarker": output.next_marker}
        )

    # -- reading executions ----------------------------------------------------

    async def get_execution(self, request: Request) -> Response:
        arn = _execution_arn(request)
        include = query_bool(request, "IncludeExecutionData")
        summary = await run_in_threadpool(self.service.get_execution, arn)
        data: dict[str, Any] = to_wire(summary)
        if include is False:
            data.pop("InputPayload", None)
            data.pop("Result", None)
            data.get("PauseDetails", {}).pop("Reason", None)
            data["ExecutionDataIncluded"] = False
        else:
            data["ExecutionDataIncluded"] = True
        return wire_response(data)

    async def history(self, request: Request) -> Response:
        arn = _execution_arn(request)
        include = query_bool(request, "IncludeExecutionData")
        output = await run_in_threadpool(
            lambda: self.service.get_execution_history(
                arn,
                marker=request.query_params.get("Marker") or None,
                max_items=query_int(request, "MaxItems"),
                reverse_order=bool(query_bool(request, "ReverseOrder")),
                include_execution_data=include is not False,
            )
        )
        return wire_response(
            {"Events": list(output.events), "NextMarker": output.next_marker}
        )

    async def list_executions(self, request: Request) -> Response:
        function = request.path_params["function"]
        own_function(function)
        qualifier = request.query_params.get("Qualifier")
        # XXX: executions of every qualifier are listed, and a function nobody
        # started lists empty where the service answers ResourceNotFound.
        del qualifier
        statuses = [_status(text) for text in request.query_params.getlist("Statuses")]
        output = await run_in_threadpool(
            lambda: self.service.list_executions_by_function(
                function,
                execution_name=request.query_params.get("DurableExecutionName"),
                statuses=statuses or None,
                started_after=query_timestamp(request, "StartedAfter"),
                started_before=query_timestamp(request, "StartedBefore"),
                reverse_order=bool(query_bool(request, "ReverseOrder")),
                marker=request.query_params.get("Marker") or None,
                max_items=query_int(request, "MaxItems"),
            )
        )
        return wire_response(
            {
                "DurableExecutions": list(output.durable_executions),
                "NextMarker": output.next_marker,
            }
        )

    # -- changing executions ---------------------------------------------------

    async def stop(self, request: Request) -> Response:
        arn = _execution_arn(request)
        error = _error(json_body(await read_body(request), "StopDurableExecution"))
        when = await run_in_threadpool(self.service.stop_execution, arn, error)
        return wire_response({"StopTimestamp": when})

    async def pause(self, request: Request) -> Response:
        arn = _execution_arn(request)
        body = json_body(await read_body(request), "PauseDurableExecution")
        options: dict[str, Any] = {"reason": _text(body, "Reason")}
        if "ExecutionTimeoutPaused" in body:
            options["execution_timeout_paused"] = bool(body["ExecutionTimeoutPaused"])
        await run_in_threadpool(lambda: self.service.pause_execution(arn, **options))
        return Response(status_code=202)

    async def resume(self, request: Request) -> Response:
        arn = _execution_arn(request)
        body = json_body(await read_body(request), "ResumeDurableExecution")
        reason = _text(body, "Reason")
        await run_in_threadpool(self.service.resume_execution, arn, reason)
        return Response(status_code=202)

    async def delete_execution(self, request: Request) -> Response:
        arn = _execution_arn(request)
        try:
            when = await run_in_threadpool(self.service.delete_execution, arn)
        except StoreNotFoundError:
            # A store that does not exist yet holds no executions.
            raise ResourceNotFoundError(
                f"Durable execution {arn!r} not found"
            ) from None
        return wire_response({"DeletionRequestTimestamp": when}, status=202)

    # -- callbacks -------------------------------------------------------------

    async def callback_success(self, request: Request) -> Response:
        callback_id = request.path_params["callback_id"]
        raw = await read_body(request)
        if len(raw) > MAX_CALLBACK_RESULT_BYTES:
            raise InvalidParameterValueError(
                f"Invalid Result: {len(raw)} bytes, the most is "
                f"{MAX_CALLBACK_RESULT_BYTES} bytes (1 MB)"
            )
        try:
            result = raw.decode() if raw else None
        except UnicodeDecodeError:
            raise InvalidParameterValueError(
                "Result must be UTF-8 text (the callback's payload as the "
                "function reads it)"
            ) from None
        await run_in_threadpool(self.service.send_callback_success, callback_id, result)
        return Response(status_code=200, media_type="application/json")

    async def callback_failure(self, request: Request) -> Response:
        callback_id = request.path_params["callback_id"]
        body = json_body(
            await read_body(request), "SendDurableExecutionCallbackFailure"
        )
        error = _error(body)
        await run_in_threadpool(self.service.send_callback_failure, callback_id, error)
        return Response(status_code=200, media_type="application/json")

    async def callback_heartbeat(self, request: Request) -> Response:
        callback_id = request.path_params["callback_id"]
        await read_body(request)
        await run_in_threadpool(self.service.send_callback_heartbeat, callback_id)
        return Response(status_code=200, media_type="application/json")

    # -- Invoke ----------------------------------------------------------------

    async def invoke(self, request: Request) -> Response:
        return await invoke(request, self.service, self.functions, self.stopping)


def _update(index: int, raw: Any) -> OperationUpdate:
    try:
        return msgspec.convert(raw, OperationUpdate)
    except msgspec.ValidationError as error:
        raise InvalidParameterValueError(f"Invalid Updates[{index}]: {error}") from None


def _error(body: dict[str, Any]) -> ErrorObject | None:
    if not body:
        return None
    try:
        return msgspec.convert(body, ErrorObject)
    except msgspec.ValidationError as error:
        raise InvalidParameterValueError(
            f"Invalid Error: {error}; expected ErrorMessage, ErrorType, ErrorData "
            "and StackTrace"
        ) from None


def _status(text: str) -> ExecutionStatus:
    try:
        return ExecutionStatus(text)
    except ValueError:
        valid = ", ".join(status.value for status in ExecutionStatus)
        raise InvalidParameterValueError(
            f"Invalid Statuses member {text!r}: expected one of {valid}"
        ) from None


def _text(body: dict[str, Any], member: str) -> str | None:
    value = body.get(member)
    if value is not None and not isinstance(value, str):
        raise InvalidParameterValueError(
            f"Invalid {member}: expected a string, got {json_type(value)}"
        )
    return value
