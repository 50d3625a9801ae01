"""Invoking a handler in this process, as Lambda would invoke the function.

The handler gets ``DurableExecutionInvocationInputWithClient`` whose client is
the SDK's own ``LambdaClient`` around ``InProcessLambdaClient``, and a
Lambda-like context. A ``SystemExit`` stands for the runtime process exiting
(``Runtime.ExitError``); any other exception is the function's unhandled
error; the output must survive JSON, as Lambda's response does.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from aws_durable_execution_sdk_python.execution import (
    DurableExecutionInvocationInputWithClient,
    InitialExecutionState,
)
from aws_durable_execution_sdk_python.lambda_service import LambdaClient
from aws_durable_execution_sdk_python.lambda_service import (
    Operation as SdkOperation,
)
from dex_schema import ErrorObject, LogEntry
from dex_store import function_name_of

from ._client import InProcessLambdaClient, _operation_dict
from ._handler import handler_name
from ._hung import release_hung_handlers_at_exit
from ._logs import InvocationLog, LogCapture
from ._service import Invocation, InvocationResult

__all__ = ("HandlerStillRunningWarning", "InProcessInvoker", "LambdaContextStub")

logger = logging.getLogger(__name__)

Handler = Callable[[Any, Any], Any]


_EXIT_GRACE_SECONDS = 0.02
"""How long ``sys.exit`` waits, during an invocation, before it raises."""


class _ExitGrace:
    """Lets checkpoints already queued reach the service before ``sys.exit``.

    In Lambda the SDK's checkpoint thread runs alongside the handler, so a
    checkpoint queued just before the process exits is usually sent. In one
    Python process the exiting thread holds the interpreter until the SDK
    stops its checkpoint thread, so without a pause that checkpoint would
    always be lost. While an in-process invocation runs, ``sys.exit`` first
    sleeps briefly, which lets the checkpoint thread pick the queued updates up.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0
        self._original: Callable[..., Any] | None = None

    def enter(self) -> None:
        with self._lock:
            self._active += 1
            if self._active == 1:
                self._original = sys.exit
                sys.exit = self._exit

    def leave(self) -> None:
        with self._lock:
            self._active -= 1
            if self._active == 0 and self._original is not None:
                if sys.exit == self._exit:
                    sys.exit = self._original
                self._original = None

    def _exit(self, status: object = None) -> NoReturn:
        # XXX: only sys.exit() gets the pause; a bare `raise SystemExit` can
        # still lose a checkpoint queued just before it.
        time.sleep(_EXIT_GRACE_SECONDS)
        raise SystemExit(status)


_exit_grace = _ExitGrace()


class HandlerStillRunningWarning(RuntimeWarning):
    """A handler was still running when its runner closed (it is fenced off)."""


class LambdaContextStub:
    """The members of Lambda's context object a handler may read."""

    def __init__(self, invocation: Invocation, function_name: str) -> None:
        self.aws_request_id = invocation.request_id
        self.function_name = function_name
        self.function_version = invocation.qualifier
        self.invoked_function_arn = f"{invocation.function_arn}:{invocation.qualifier}"
        self.memory_limit_in_mb = "128"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"dex/{invocation.request_id}"
        self.tenant_id: str | None = None
        self.client_context: Any = None
        self.identity: Any = None
        self._deadline = time.monotonic() + invocation.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    def log(self, msg: str) -> None:
        logging.getLogger(self.function_name).info(msg)


class InProcessInvoker:
    """Runs registered handlers in this process.

    Parameters
    ----------
    functions:
        Handlers by function name (the ``NAME`` of the function's ARN).
    capture:
        The log capture; each invocation's lines go into its result.
    inject_client:
        ``True`` (the runner): the handler gets
        ``DurableExecutionInvocationInputWithClient`` whose client calls the
        service in process. ``False`` (a server): it gets the plain JSON event
        Lambda sends, and the SDK makes its own boto3 client.
    """

    def __init__(
        self,
        functions: Mapping[str, Handler],
        capture: LogCapture | None,
        *,
        inject_client: bool = True,
    ) -> None:
        self._functions = dict(functions)
        self._capture = capture
        self._inject_client = inject_client
        self._lock = threading.Lock()
        self._running: dict[threading.Thread, tuple[str, str]] = {}
        self._logs: dict[str, InvocationLog] = {}
        self._fenced: dict[str, str] = {}

    def register(self, name: str, handler: Handler) -> None:
        """Serve ``handler`` as the function ``name``."""
        with self._lock:
            self._functions[name] = handler

    def handler_for(self, function_arn: str) -> Handler | None:
        with self._lock:
            return self._functions.get(function_name_of(function_arn))

    def invoke(self, invocation: Invocation) -> InvocationResult:
        """Invoke the function's handler and report what it returned or raised."""
        name = function_name_of(invocation.function_arn)
        handler = self.handler_for(invocation.function_arn)
        if handler is None:
            return InvocationResult(
                error=ErrorObject(
                    error_type="ResourceNotFoundException",
                    error_message=f"Function not found: {invocation.function_arn}",
                )
            )
        event = (
            self._event(invocation)
            if self._inject_client
            else json.loads(json.dumps(invocation.input.to_event()))
        )
        context = LambdaContextStub(invocation, name)
        service = invocation.service
        clock_now = service.clock_for(invocation.input.durable_execution_arn)
        log = InvocationLog(invocation.input.durable_execution_arn, clock_now)
        thread = threading.current_thread()
        with self._lock:
            self._running[thread] = (handler_name(handler), invocation.request_id)
            self._logs[invocation.request_id] = log
        if self._capture is not None:
            self._capture.begin(log)
        _exit_grace.enter()
        try:
            return self._call(handler, event, context, invocation, log)
        finally:
            _exit_grace.leave()
            if self._capture is not None:
                self._capture.end(log)
            with self._lock:
                self._running.pop(thread, None)
                self._logs.pop(invocation.request_id, None)
                self._fenced.pop(invocation.request_id, None)

    def _call(
        self,
        handler: Handler,
        event: Any,
        context: LambdaContextStub,
        invocation: Invocation,
        log: InvocationLog,
    ) -> InvocationResult:
        try:
            output = handler(event, context)
        except SystemExit as exit_:
            code = exit_.code if exit_.code is not None else 0
            return InvocationResult(
                error=ErrorObject(
                    error_type="Runtime.ExitError",
                    error_message=(
                        f"RequestId: {invocation.request_id} Error: Runtime exited "
                        f"with error: exit status {code}"
                    ),
                ),
                logs=log.flush(),
            )
        except BaseException as error:
            return InvocationResult(
                error=ErrorObject(
                    error_type=type(error).__name__,
                    error_message=str(error),
                ),
                logs=log.flush(),
            )
        try:
            payload = json.loads(json.dumps(output))
        except (TypeError, ValueError) as error:
            return InvocationResult(
                error=ErrorObject(
                    error_type="Runtime.MarshalError",
                    error_message=f"Unable to marshal response: {error}",
                ),
                logs=log.flush(),
            )
        return InvocationResult(output=payload, logs=log.flush())

    @staticmethod
    def _event(invocation: Invocation) -> DurableExecutionInvocationInputWithClient:
        service = invocation.service
        client = LambdaClient(client=InProcessLambdaClient(service))
        request = invocation.input
        operations = [
            SdkOperation.from_dict(_operation_dict(op)) for op in request.operations
        ]
        return DurableExecutionInvocationInputWithClient(
            durable_execution_arn=request.durable_execution_arn,
            checkpoint_token=request.checkpoint_token,
            initial_execution_state=InitialExecutionState(
                operations=operations, next_marker=request.next_marker or ""
            ),
            updated_operation_ids=list(request.updated_operation_ids),
            service_client=client,
        )

    def partial_logs(self, request_id: str) -> tuple[LogEntry, ...]:
        """What a still-running invocation has logged so far."""
        with self._lock:
            log = self._logs.get(request_id)
        return log.snapshot() if log is not None else ()

    def fenced(self, request_id: str, why: str) -> None:
        """Note why the service fenced a running invocation off.

        Parameters
        ----------
        request_id:
            The invocation's request id.
        why:
            What happened, completing "it is still running but ...": e.g.
            "its execution timed out".
        """
        with self._lock:
            if request_id in self._logs:
                self._fenced[request_id] = why

    def warn_still_running(self) -> list[str]:
        """Warn about handlers still running (fenced off); return their names.

        Each warning says why the handler was fenced off: its invocation
        timeout passed, or its execution timed out or was stopped.
        """
        with self._lock:
            running = [
                (name, self._fenced.get(request_id))
                for thread, (name, request_id) in self._running.items()
                if thread.is_alive()
            ]
        if running:
            release_hung_handlers_at_exit()
        for name, why in running:
            message = (
                f"handler {name} was still running when the runner closed; "
                f"{why or 'it passed its invocation timeout'}, so it is fenced "
                "off (its later checkpoints are rejected); its thread cannot be "
                "stopped and is left behind when the process exits"
            )
            logger.warning(message)
            warnings.warn(message, HandlerStillRunningWarning, stacklevel=3)
        return [name for name, _ in running]
