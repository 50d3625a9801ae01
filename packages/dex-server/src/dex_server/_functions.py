"""The functions a server serves, and how each is invoked.

A function is either a handler in this process (``MODULE:HANDLER``), called
with the JSON event a Lambda runtime receives, so the SDK checkpoints over
HTTP with its own boto3 client; or a Lambda runtime endpoint (the runtime
interface emulator, SAM's ``start-lambda``) that Invoke is forwarded to.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from dex_runner import InvalidParameterValueError, ResourceNotFoundError
from dex_runner.service import (
    InProcessInvoker,
    Invocation,
    InvocationResult,
    LogCapture,
    parse_function_arn,
)
from dex_schema import ErrorObject
from dex_store import function_name_of

__all__ = ("Handler", "ServedFunctions", "forward", "not_served", "own_function")

logger = logging.getLogger(__name__)

Handler = Callable[[Any, Any], Any]


DEFAULT_EXECUTION_TIMEOUT = 300
"""Seconds a served function's executions may run (its durable ExecutionTimeout)
unless the server or the function says otherwise."""

_MAX_EXECUTION_TIMEOUT = 31_622_400


def check_execution_timeout(seconds: int) -> int:
    """Return ``seconds`` if it is a valid durable ExecutionTimeout.

    Raises
    ------
    InvalidParameterValueError
        It is not a whole number of seconds from 1 to 31,622,400.
    """
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int)
        or not 1 <= seconds <= _MAX_EXECUTION_TIMEOUT
    ):
        raise InvalidParameterValueError(
            f"Invalid execution timeout {seconds!r}: expected whole seconds from 1 "
            f"to {_MAX_EXECUTION_TIMEOUT}"
        )
    return seconds


class ServedFunctions:
    """The invoker of a server: function names to handlers or runtime URLs.

    Parameters
    ----------
    capture:
        Where in-process handlers' log lines go (per invocation).
    """

    def __init__(
        self,
        capture: LogCapture | None = None,
        *,
        execution_timeout: int = DEFAULT_EXECUTION_TIMEOUT,
    ) -> None:
        self._lock = threading.Lock()
        self._local = InProcessInvoker({}, capture, inject_client=False)
        self._names: set[str] = set()
        self._runtimes: dict[str, str] = {}
        self._timeouts: dict[str, int] = {}
        self.execution_timeout = check_execution_timeout(execution_timeout)

    def add_handler(
        self, name: str, handler: Handler, *, execution_timeout: int | None = None
    ) -> None:
        """Serve ``handler`` in this process as the function ``name``.

        ``execution_timeout`` is the function's durable ExecutionTimeout in
        seconds (the server's default when ``None``).

        Raises
        ------
        InvalidParameterValueError
            ``name`` is not a valid function name, or the timeout is not a
            whole number of seconds from 1 to 31,622,400.
        """
        _check_name(name)
        with self._lock:
            self._runtimes.pop(name, None)
            self._names.add(name)
            if execution_timeout is not None:
                self._timeouts[name] = check_execution_timeout(execution_timeout)
        self._local.register(name, handler)

    def execution_timeout_for(self, name: str) -> int:
        """The durable ExecutionTimeout, in seconds, of the function ``name``."""
        with self._lock:
            return self._timeouts.get(name, self.execution_timeout)

    def add_runtime(self, name: str, url: str) -> None:
        """Forward invocations of ``name`` to the Lambda runtime at ``url``.

        ``url`` is the runtime's base URL (``http://127.0.0.1:9000``), to which
        ``/2015-03-31/functions/NAME/invocations`` is added, or a full URL
        ending in ``/invocations``.

        Raises
        ------
        InvalidParameterValueError
            ``name`` is not a valid function name or ``url`` is not http(s).
        """
        _check_name(name)
        if urlsplit(url).scheme not in ("http", "https"):
            raise InvalidParameterValueError(
                f"Invalid runtime URL {url!r} for function {name!r}: expected "
                "http://HOST:PORT"
            )
        with self._lock:
            self._names.add(name)
            self._runtimes[name] = url

    def __contains__(self, name: object) -> bool:
        with self._lock:
            return name in self._names

    @property
    def names(self) -> list[str]:
        """The served function names, sorted."""
        with self._lock:
            return sorted(self._names)

    def invoke(self, invocation: Invocation) -> InvocationResult:
        """Invoke the execution's function: in this process or forwarded."""
        name = function_name_of(invocation.function_arn)
        with self._lock:
            url = self._runtimes.get(name)
            known = name in self._names
        if not known:
            return InvocationResult(
                error=ErrorObject(
                    error_type="ResourceNotFoundException",
                    error_message=f"Function not found: {invocation.function_arn}",
                )
            )
        if url is None:
            return self._local.invoke(invocation)
        return forward(url, name, invocation)

    def warn_still_running(self) -> list[str]:
        """Warn about in-process handlers still running; return their names."""
        return self._local.warn_still_running()


def forward(url: str, name: str, invocation: Invocation) -> InvocationResult:
    """POST the invocation's event to a Lambda runtime and read its answer.

    A response with ``X-Amz-Function-Error`` is the function's error (its
    body holds ``errorType`` and ``errorMessage``); a runtime that cannot be
    reached, or answers with an HTTP error, fails the invocation with
    ``dex.RuntimeUnreachable``, which the service retries as any failed
    invocation.
    """
    target = (
        url
        if url.rstrip("/").endswith("/invocations")
        else (
            f"{url.rstrip('/')}/2015-03-31/functions/{quote(name, safe='')}/invocations"
        )
    )
    body = json.dumps(invocation.input.to_event()).encode()
    request = urllib.request.Request(
        target,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Amz-Invocation-Type": "RequestResponse",
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
        },
    )
    try:
        with urllib.request.urlopen(
            request, timeout=invocation.timeout_seconds
        ) as response:
            payload = response.read()
            function_error = response.headers.get("X-Amz-Function-Error")
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        logger.warning("runtime %s for %s failed: %s", target, name, error)
        return InvocationResult(
            error=ErrorObject(
                error_type="dex.RuntimeUnreachable",
                error_message=f"the Lambda runtime at {target} failed: {error}",
            )
        )
    try:
        output = json.loads(payload) if payload.strip() else None
    except ValueError:
        return InvocationResult(
            error=ErrorObject(
                error_type="Runtime.MarshalError",
                error_message=(
                    f"the runtime at {target} answered with non-JSON {payload[:60]!r}"
                ),
            )
        )
    if function_error:
        details = output if isinstance(output, dict) else {}
        return InvocationResult(
            error=ErrorObject(
                error_type=str(details.get("errorType", function_error)),
                error_message=str(details.get("errorMessage", "")),
                stack_trace=tuple(details["stackTrace"])
                if isinstance(details.get("stackTrace"), list)
                else None,
            )
        )
    return InvocationResult(output=output)


def _check_name(name: str) -> None:
    if not name or len(name) > 64 or not all(c.isalnum() or c in "-_" for c in name):
        raise InvalidParameterValueError(
            f"Invalid function name {name!r}: use 1-64 letters, digits, '-' or '_'"
        )


def not_served(function_name: str, served: list[str]) -> ResourceNotFoundError:
    """The error for an Invoke of a function the server does not serve."""
    return ResourceNotFoundError(
        f"Function not found: {function_name}; this server serves "
        f"{', '.join(served) or 'no functions'}"
    )


def own_function(name_or_arn: str) -> tuple[str, str]:
    """Return ``(unqualified function ARN, qualifier)`` of one of our functions.

    ``name_or_arn`` is a name, ``NAME:QUALIFIER`` or a function ARN. A bare
    name is a function of the server's region and account; an ARN
    naming another region or account is no function of this server (its
    executions are not mixed with ours).

    Raises
    ------
    InvalidParameterValueError
        The value is neither a function name nor a function ARN.
    ResourceNotFoundError
        The ARN names another region or account than the server's.
    """
    bare, colon, alias = name_or_arn.partition(":")
    if colon and bare != "arn" and ":" not in alias:
        # NAME:QUALIFIER, which the model's FunctionName allows too.
        function_arn, _ = parse_function_arn(bare)
        function_arn, qualifier = parse_function_arn(f"{function_arn}:{alias}")
    else:
        function_arn, qualifier = parse_function_arn(name_or_arn)
    name = function_name_of(function_arn)
    # XXX: the server has one region and account (those a bare name means);
    # an ARN of another is answered as a function that does not exist.
    ours, _ = parse_function_arn(name)
    if function_arn != ours:
        raise ResourceNotFoundError(
            f"Function not found: {name_or_arn}; this server's functions are "
            f"{ours[: -len(name)]}NAME (its region and account), as a bare "
            "function name means"
        )
    return function_arn, qualifier
