"""The functions a runner serves, for chained invokes: durable or plain.

A chained invoke names its target by function name or ARN; both find the
function registered under the same ``NAME`` (the ARN's region, account and
qualifier are not compared). A durable target runs as an execution of its
own; a plain target is called once with the payload, as Lambda's Invoke
calls an ordinary function, and what it returns is the result.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from dex_schema import ErrorObject
from dex_store import function_name_of

from ._service import InvocationResult
from ._service._invoke import FunctionKind, target_of

__all__ = ("FunctionRegistry",)

logger = logging.getLogger(__name__)

Handler = Callable[[Any, Any], Any]


class _PlainContext:
    """The Lambda context members a plain function may read."""

    def __init__(self, function_arn: str) -> None:
        name = function_name_of(function_arn)
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function_arn
        self.memory_limit_in_mb = "128"
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = f"dex/{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


class FunctionRegistry:
    """Handlers by function name, each durable or plain."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._functions: dict[str, tuple[Handler, FunctionKind, int | None]] = {}

    def register(
        self,
        name_or_arn: str,
        handler: Handler,
        *,
        durable: bool,
        execution_timeout: int | None = None,
    ) -> str:
        """Serve ``handler`` as ``name_or_arn``; return the function name.

        ``execution_timeout`` is a durable function's own execution timeout
        in seconds (``None``: that of the execution invoking it).

        Raises
        ------
        InvalidParameterValueError
            ``name_or_arn`` is none of a function name, ``NAME:QUALIFIER``, a
            partial ARN or a function ARN.
        TypeError
            ``handler`` is not callable.
        ValueError
            ``execution_timeout`` is below 1.
        """
        if execution_timeout is not None and execution_timeout < 1:
            raise ValueError(
                f"execution_timeout for {name_or_arn!r} must be 1 or more seconds, "
                f"got {execution_timeout}"
            )
        if not callable(handler):
            raise TypeError(
                f"the handler for {name_or_arn!r} must be callable, got "
                f"{type(handler).__name__}"
            )
        function, _ = target_of(name_or_arn)
        # XXX: functions are keyed by NAME alone: an ARN's region, account and
        # qualifier are not compared, so two ARNs with one name are one function.
        name = function_name_of(function)
        kind = FunctionKind.DURABLE if durable else FunctionKind.PLAIN
        with self._lock:
            self._functions[name] = (handler, kind, execution_timeout)
        return name

    def kind_of(self, function_arn: str) -> FunctionKind | None:
        """How the function runs; ``None`` when nothing is registered for it."""
        with self._lock:
            entry = self._functions.get(function_name_of(function_arn))
        return entry[1] if entry is not None else None

    def execution_timeout_of(self, function_arn: str) -> int | None:
        """The function's own execution timeout (``None``: the caller's)."""
        with self._lock:
            entry = self._functions.get(function_name_of(function_arn))
        return entry[2] if entry is not None else None

    def call(self, function_arn: str, payload: str | None) -> InvocationResult:
        """Call the plain function once with ``payload`` (JSON text or ``None``).

        The result's ``output`` is the function's return value; an exception
        is the result's ``error`` (its type name and message), as Lambda
        reports an unhandled function error.
        """
        with self._lock:
            entry = self._functions.get(function_name_of(function_arn))
        if entry is None:
            return InvocationResult(
                error=ErrorObject(
                    error_type="ResourceNotFoundException",
                    error_message=f"Function not found: {function_arn}",
                )
            )
        handler = entry[0]
        event = json.loads(payload) if payload is not None else None
        try:
            output = handler(event, _PlainContext(function_arn))
        except Exception as error:
            logger.debug("plain function %s raised %r", function_arn, error)
            return InvocationResult(
                error=ErrorObject(
                    error_type=type(error).__name__, error_message=str(error)
                )
            )
        try:
            json.dumps(output)
        except (TypeError, ValueError) as error:
            return InvocationResult(
                error=ErrorObject(
                    error_type="Runtime.MarshalError",
                    error_message=f"Unable to marshal response: {error}",
                )
            )
        return InvocationResult(output=output)
