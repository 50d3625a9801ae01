"""``DurableFunctionTestRunner``: run a durable handler against the emulated service."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from aws_durable_execution_sdk_python.lambda_service import (
    ErrorObject as SdkErrorObject,
)
from dex_schema import ErrorObject, Event, ExecutionRecord
from dex_store import ExecutionStore, StoreConfig, function_name_of, open_store

from ._functions import FunctionRegistry
from ._handler import NotDurableHandlerError, handler_name, is_durable_handler
from ._inprocess import InProcessInvoker
from ._logs import LogCapture
from ._result import DurableFunctionTestResult
from ._service import (
    NOT_DURABLE_ERROR_TYPE,
    ClockMode,
    DurableExecutionService,
    VirtualClock,
)
from ._service._ids import function_arn as parse_function_arn

__all__ = (
    "DurableFunctionTestRunner",
    "ExecutionWaitTimeoutError",
    "InvalidInputError",
    "RunnerClosedError",
)

logger = logging.getLogger(__name__)

Handler = Callable[[Any, Any], Any]
ErrorLike = ErrorObject | SdkErrorObject | BaseException | Mapping[str, Any] | str

_WAIT_GRACE = 5.0
"""Wall seconds ``run`` waits beyond the execution timeout, for the service to
record a timeout that is due in real time."""


class InvalidInputError(TypeError):
    """The execution input cannot be serialized as JSON."""


class ExecutionWaitTimeoutError(TimeoutError):
    """The execution did not end within the wall-clock wait."""


class RunnerClosedError(RuntimeError):
    """The runner was used after ``close()``."""


class DurableFunctionTestRunner:
    """Runs a durable handler in-process against the emulated service.

    Parameters
    ----------
    handler:
        The function decorated with ``@durable_execution``.
    store:
        Where executions are kept; from ``StoreConfig.from_env()``
        (``AWS_DEX_STORE_TYPE``, ``AWS_DEX_STORE_PATH``) when ``None``, and
        closed with the runner then.
    skip_time:
        ``True`` (the default): timers fire as soon as nothing but a timer can
        change the execution, in virtual time, and the history keeps the
        modeled timestamps; ``False``: real time; ``"manual"``: time moves
        only when ``advance_time`` is called.
    execution_timeout:
        Seconds (of the execution's clock) before an execution times out.
    invocation_timeout:
        Wall seconds one invocation may run before it is timed out and fenced.
    function_name:
        The function name the handler is served as (it appears in ARNs).
    functions:
        More handlers by function name or ARN, for chained invokes and
        ``run(function_name=...)``. A handler made by ``@durable_execution``
        runs as a durable execution of its own, any other callable as a plain
        function called once (see ``register_function``).

    Raises
    ------
    ValueError
        ``skip_time`` is not ``True``, ``False`` or ``"manual"``, or a timeout
        is not positive.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        store: ExecutionStore | None = None,
        skip_time: bool | str = True,
        execution_timeout: int = 300,
        invocation_timeout: float = 900,
        function_name: str = "test-function",
        functions: Mapping[str, Handler] | None = None,
    ) -> None:
        self.clock_mode = ClockMode.of(skip_time)
        if execution_timeout < 1:
            raise ValueError(
                f"execution_timeout must be 1 or more, got {execution_timeout}"
            )
        if invocation_timeout <= 0:
            raise ValueError(
                f"invocation_timeout must be positive, got {invocation_timeout}"
            )
        own_name = _function_name(function_name)
        self.handler = handler
        self.function_name = function_name
        self.execution_timeout = execution_timeout
        self.invocation_timeout = invocation_timeout
        self._owns_store = store is None
        self.store: ExecutionStore = (
            store if store is not None else open_store(StoreConfig.from_env())
        )
        self._capture = LogCapture.acquire()
        self._invoker = InProcessInvoker({own_name: handler}, self._capture)
        self.service = DurableExecutionService(
            self.store, self._invoker, clock_mode=self.clock_mode
        )
        self._functions = FunctionRegistry()
        self._functions.register(function_name, handler, durable=True)
        for name, target in (functions or {}).items():
            self._functions.register(name, target, durable=is_durable_handler(target))
            self._invoker.register(function_name_of(name), target)
        self.service.set_functions(self._functions)
        self._clocks: dict[str, VirtualClock] = {}
        self._lock = threading.Lock()
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------

    def __enter__(self) -> DurableFunctionTestRunner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop every execution's driver and release the store.

        Returns once every thread the runner owns has ended and nothing of
        the runner can write to the store. A handler still running past its
        invocation timeout is fenced (its checkpoints are rejected) and
        named in a ``HandlerStillRunningWarning``. Calling it again does
        nothing.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
        try:
            self.service.close()
            self._invoker.warn_still_running()
        finally:
            self._capture.release()
            if self._owns_store:
                self.store.close()

    def _check_open(self) -> None:
        if self._closed:
            raise RunnerClosedError(
                "this DurableFunctionTestRunner is closed; create a new one"
            )

    def register_function(
        self,
        name_or_arn: str,
        handler: Handler,
        *,
        durable: bool = True,
        execution_timeout: int | None = None,
    ) -> None:
        """Serve ``handler`` as the function ``name_or_arn`` for chained invokes.

        Parameters
        ----------
        name_or_arn:
            A function name or ARN; a chained invoke of the name or of any ARN
            with that name (and any qualifier) reaches ``handler``.
        handler:
            The function: a ``@durable_execution`` handler when ``durable``,
            else any ``handler(event, context)`` callable.
        durable:
            ``True``: each invoke runs as a durable execution of its own,
            linked to the invoking execution and on its clock. ``False``: each
            invoke calls ``handler`` once with the payload; its return value
            is the result, an exception fails the invoke.
        execution_timeout:
            A durable function's own execution timeout in seconds, as its
            durable config would set it; ``None`` (the default): that of the
            execution invoking it.

        Raises
        ------
        InvalidParameterValueError
            ``name_or_arn`` is neither a function name nor a function ARN.
        TypeError
            ``handler`` is not callable.
        ValueError
            ``execution_timeout`` is below 1.
        """
        self._check_open()
        name = self._functions.register(
            name_or_arn, handler, durable=durable, execution_timeout=execution_timeout
        )
        self._invoker.register(name, handler)

    # -- running -------------------------------------------------------------------

    def run(
        self,
        input: Any = None,
        *,
        execution_timeout: int | None = None,
        timeout: int | None = None,
        function_name: str | None = None,
        execution_name: str | None = None,
    ) -> DurableFunctionTestResult:
        """Start an execution and wait for it to end.

        Parameters
        ----------
        input:
            Any JSON value; a ``str`` that is valid JSON is the payload text
            itself, any other ``str`` a string value; ``None`` is no input.
        execution_timeout, timeout:
            The same thing: seconds before the execution times out (default:
            the runner's). It also bounds the wall-clock wait.
        function_name:
            The function to run, by name or ARN: a function registered with
            the runner (``functions=`` or ``register_function``) runs that
            function; any other name runs the runner's handler served under
            that name (the execution's ARN names it). ``None``: the runner's
            handler as the runner's ``function_name``.
        execution_name:
            The durable execution name (random when ``None``). As in Lambda it
            is an idempotency key: the function's execution of that name
            started with the same input is that execution again (its result
            is returned); another input is refused.

        Raises
        ------
        InvalidInputError
            ``input`` is not JSON-serializable (``NaN`` and infinities
            included: JSON has no such numbers).
        ExecutionAlreadyStartedError
            ``execution_name`` is taken by an execution of the function with
            another input.
        InvalidParameterValueError
            ``function_name`` or ``execution_name`` is malformed.
        NotDurableHandlerError
            The handler did not answer as a durable handler does.
        ExecutionWaitTimeoutError
            The execution did not end within the wall-clock bound.
        """
        seconds = self._timeout(execution_timeout, timeout)
        arn = self.run_async(
            input,
            execution_timeout=seconds,
            function_name=function_name,
            execution_name=execution_name,
        )
        return self.wait_for_result(arn, timeout=seconds + _WAIT_GRACE)

    def run_async(
        self,
        input: Any = None,
        *,
        execution_timeout: int | None = None,
        timeout: int | None = None,
        function_name: str | None = None,
        execution_name: str | None = None,
    ) -> str:
        """Start an execution and return its ARN at once; arguments as ``run``.

        With an ``execution_name`` already used with the same input, it
        returns that execution's ARN and starts nothing.
        """
        self._check_open()
        seconds = self._timeout(execution_timeout, timeout)
        payload = _payload(input)
        if function_name is not None:
            name = _function_name(function_name)
            if self._invoker.handler_for(name) is None:
                # Not a function of its own: the runner's handler, served
                # under that name (chained invokes of it still fail).
                self._invoker.register(name, self.handler)
        summary = self.service.start_execution(
            function_name or self.function_name,
            payload,
            execution_name=execution_name,
            execution_timeout=seconds,
            invocation_timeout=self.invocation_timeout,
        )
        return summary.durable_execution_arn

    def _timeout(self, execution_timeout: int | None, timeout: int | None) -> int:
        if (
            execution_timeout is not None
            and timeout is not None
            and execution_timeout != timeout
        ):
            raise ValueError(
                f"timeout={timeout} and execution_timeout={execution_timeout} "
                "mean the same thing; pass one of them"
            )
        chosen = timeout if timeout is not None else execution_timeout
        return self.execution_timeout if chosen is None else chosen

    def wait_for_result(
        self, execution_arn: str, timeout: float | None = 60.0
    ) -> DurableFunctionTestResult:
        """Wait (at most ``timeout`` wall seconds) for the execution to end.

        While this waits, outstanding callbacks no longer hold the clock: with
        ``skip_time=True`` their timeouts fire at once in virtual time.

        Raises
        ------
        ExecutionWaitTimeoutError
            It did not end in time (the execution keeps running).
        NotDurableHandlerError
            The handler did not answer as a durable handler does.
        ResourceNotFoundError
            No execution has this ARN.
        """
        record = self.service.wait_for_completion(execution_arn, timeout)
        if record is None:
            self._check_open()
            current = self.service.load(execution_arn)
            raise ExecutionWaitTimeoutError(
                f"execution {execution_arn} did not end within {timeout:g} wall "
                f"seconds (it is {current.execution.status.value}, "
                f"{len(current.operations) - 1} operations, "
                f"{len(current.invocations)} invocations); raise the timeout or "
                "check for a callback nobody answers"
            )
        error = record.execution.error
        if error is not None and error.error_type == NOT_DURABLE_ERROR_TYPE:
            handler = self._invoker.handler_for(record.execution.function_arn)
            raise NotDurableHandlerError(
                handler_name(handler) if handler else record.execution.function_arn,
                (error.error_message or "").split("; decorate")[0],
            )
        return DurableFunctionTestResult.from_record(record)

    # -- callbacks and stopping ------------------------------------------------------

    def wait_for_callback(
        self, execution_arn: str, name: str | None = None, timeout: float = 60.0
    ) -> str:
        """Wait for a callback the test can answer and return its callback id.

        A callback can be answered once it is started and the function has
        suspended (no invocation running). ``name`` selects it by its name or
        by the name given to ``wait_for_callback``; ``None`` takes any.

        Raises
        ------
        TimeoutError
            No such callback within ``timeout`` wall seconds, or the execution
            ended first; the message lists the callbacks that did appear.
        """
        return self.service.wait_for_callback(execution_arn, name, timeout)

    def send_callback_success(
        self, callback_id: str, result: bytes | str | None = None
    ) -> None:
        """Complete a callback; ``result`` is the payload text as stored.

        Raises
        ------
        TypeError
            ``result`` is neither ``bytes``, ``str`` nor ``None``.
        ResourceNotFoundError
            No callback has this id.
        InvalidParameterValueError
            It was answered already, or its execution has ended.
        CallbackTimeoutError
            It timed out.
        """
        self._check_open()
        if result is not None and not isinstance(result, bytes | str):
            raise TypeError(
                f"a callback result is the payload text (bytes or str), got "
                f"{type(result).__name__}; pass json.dumps(value) for a JSON value"
            )
        payload = result.decode() if isinstance(result, bytes) else result
        self.service.send_callback_success(callback_id, payload)

    def send_callback_failure(
        self, callback_id: str, error: ErrorLike | None = None
    ) -> None:
        """Fail a callback with ``error`` (an ``ErrorObject``, exception, dict or
        message); raises as ``send_callback_success``."""
        self._check_open()
        self.service.send_callback_failure(callback_id, to_error(error))

    def send_callback_heartbeat(self, callback_id: str) -> None:
        """Restart a callback's heartbeat timeout; raises as the success call."""
        self._check_open()
        self.service.send_callback_heartbeat(callback_id)

    def stop_execution(
        self, execution_arn: str, error: ErrorLike | None = None
    ) -> None:
        """Stop a running execution (STOPPED), with an optional error.

        Raises
        ------
        ResourceNotFoundError
            No execution has this ARN.
        InvalidParameterValueError
            The execution has ended already.
        """
        self._check_open()
        self.service.stop_execution(execution_arn, to_error(error))

    def pause_execution(
        self,
        execution_arn: str,
        reason: str | None = None,
        *,
        execution_timeout_paused: bool = True,
    ) -> None:
        """Pause an execution, as PauseDurableExecution does.

        With no invocation running it is PAUSED at once (an ExecutionPaused
        event); otherwise PAUSING until the invocation's next checkpoint.
        While paused the function is not invoked; waits and callbacks still
        complete. ``execution_timeout_paused`` (the default) stops the
        execution timeout while paused.

        Raises
        ------
        ResourceNotFoundError
            No execution has this ARN.
        ResourceConflictError
            The execution is not RUNNING.
        """
        self._check_open()
        self.service.pause_execution(
            execution_arn, reason, execution_timeout_paused=execution_timeout_paused
        )

    def resume_execution(self, execution_arn: str, reason: str | None = None) -> None:
        """Resume a paused execution (an ExecutionResumed event), as
        ResumeDurableExecution does; a PAUSING execution just keeps running.

        Raises
        ------
        ResourceNotFoundError
            No execution has this ARN.
        ResourceConflictError
            The execution is neither PAUSED nor PAUSING.
        """
        self._check_open()
        self.service.resume_execution(execution_arn, reason)

    def advance_time(self, execution_arn: str, seconds: float) -> None:
        """Move the execution's clock forward by ``seconds`` (``skip_time="manual"``).

        Timers that come due fire, as they would when that much time passed.

        Raises
        ------
        ValueError
            ``seconds`` is negative.
        ResourceNotFoundError
            No execution has this ARN.
        """
        self._check_open()
        self.service.advance_time(execution_arn, seconds)

    # -- reading ---------------------------------------------------------------------

    def get_execution(self, execution_arn: str) -> ExecutionRecord:
        """The execution's record as it stands now."""
        return self.service.load(execution_arn)

    def get_execution_history(self, execution_arn: str) -> list[Event]:
        """Every history event of the execution, from ExecutionStarted = 1."""
        return list(self.service.load(execution_arn).events)


def _function_name(name_or_arn: str) -> str:
    """The ``NAME`` of a function name or ARN (``InvalidParameterValueError``)."""
    return function_name_of(parse_function_arn(name_or_arn)[0])


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _payload(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        try:
            # Python reads NaN and Infinity, JSON has neither: such a text is
            # a string value like any other text that is not JSON.
            json.loads(value, parse_constant=_not_json)
        except ValueError:
            return json.dumps(value)
        return value
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        hint = (
            "JSON has no NaN or infinity: pass None or a string for such a number"
            if "Out of range float" in str(error)
            else "pass dicts, lists, str, numbers, bools or None, or a str of JSON text"
        )
        raise InvalidInputError(
            f"the execution input must be JSON-serializable: {error} (got "
            f"{type(value).__name__}); {hint}"
        ) from None


def to_error(error: ErrorLike | None) -> ErrorObject | None:
    """A wire ``ErrorObject`` from what a test may pass as an error.

    Raises
    ------
    TypeError
        ``error`` is none of the accepted kinds.
    """
    if error is None or isinstance(error, ErrorObject):
        return error
    if isinstance(error, SdkErrorObject):
        return ErrorObject(
            error_message=error.message,
            error_type=error.type,
            error_data=error.data,
            stack_trace=tuple(error.stack_trace) if error.stack_trace else None,
        )
    if isinstance(error, BaseException):
        return ErrorObject(error_type=type(error).__name__, error_message=str(error))
    if isinstance(error, str):
        return ErrorObject(error_message=error)
    if isinstance(error, Mapping):
        import msgspec

        try:
            return msgspec.convert(dict(error), ErrorObject)
        except msgspec.ValidationError as problem:
            raise TypeError(
                f"an error mapping needs the keys ErrorMessage, ErrorType, "
                f"ErrorData, StackTrace: {problem}"
            ) from None
    raise TypeError(
        f"expected an ErrorObject, an exception, a mapping or a message, got "
        f"{type(error).__name__}"
    )
