"""``DurableFunctionCloudTestRunner``: the local runner's API for a deployed function.

It drives the function through the Lambda API with boto3 (any endpoint:
AWS, or ``dex serve``): starts a durable execution with an ``Event`` Invoke,
polls GetDurableExecution, reads every page of GetDurableExecutionHistory,
answers callbacks and stops the execution when a run passes its timeout.
Each execution it observes is saved to the configured store as an
``ExecutionRecord`` rebuilt from the history.
"""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import msgspec
from botocore.exceptions import ClientError
from dex_schema import ErrorObject, Event, ExecutionRecord, ExecutionStatus
from dex_store import (
    ExecutionNotFoundError,
    ExecutionStore,
    StoreConfig,
    StoreNotFoundError,
    open_store,
)

from ._cloud_client import CloudLambda
from ._cloud_record import events_from_wire, record_from_history, summary_from_wire
from ._result import DurableFunctionTestResult
from ._runner import (
    ErrorLike,
    ExecutionWaitTimeoutError,
    RunnerClosedError,
    _payload,
    to_error,
)

__all__ = ("DurableFunctionCloudTestRunner", "DurableFunctionCloudTestRunnerConfig")

logger = logging.getLogger(__name__)

_HISTORY_PAGE = 1000
_ENDED = frozenset(
    {
        ExecutionStatus.SUCCEEDED,
        ExecutionStatus.FAILED,
        ExecutionStatus.TIMED_OUT,
        ExecutionStatus.STOPPED,
    }
)
_ANSWERED = frozenset({"CallbackSucceeded", "CallbackFailed", "CallbackTimedOut"})


class DurableFunctionCloudTestRunnerConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Where the deployed function is and how the cloud runner drives it.

    Attributes
    ----------
    function_name:
        The function's name or ARN (with a qualifier, if any).
    region:
        The AWS region; ``None`` lets boto3 decide (``AWS_REGION`` and so on).
    lambda_endpoint:
        The Lambda API endpoint URL, such as a ``dex serve`` address;
        ``None`` is the region's AWS endpoint. For a loopback URL
        (``127.0.0.1``, ``localhost``, ``::1``) dummy credentials are used
        when boto3 finds none.
    store_type:
        Where observed executions are saved (``"memory"``, ``"filesystem"``,
        ...); ``None``: ``AWS_DEX_STORE_TYPE``, memory by default.
    store_path:
        The store directory; ``None``: ``AWS_DEX_STORE_PATH``, then
        ``.durable_executions``.
    poll_interval:
        Seconds between two polls of the execution's status.
    timeout:
        Wall seconds ``run`` waits for an execution before stopping it.
    max_attempts:
        Attempts per API call when throttled or failing transiently.
    history_page_size:
        Events asked for per GetDurableExecutionHistory page (1-1000).
    """

    function_name: str
    region: str | None
    lambda_endpoint: str | None = None
    store_type: str | None = None
    store_path: str | Path | None = None
    poll_interval: float = 1.0
    timeout: float = 300.0
    max_attempts: int = 6
    history_page_size: int = 1000

    def __post_init__(self) -> None:
        if not self.function_name:
            raise ValueError("function_name must name the deployed function")
        if self.poll_interval <= 0 or self.timeout <= 0 or self.max_attempts < 1:
            raise ValueError(
                f"poll_interval ({self.poll_interval}) and timeout ({self.timeout}) "
                f"must be positive and max_attempts ({self.max_attempts}) at least 1"
            )
        if not 1 <= self.history_page_size <= _HISTORY_PAGE:
            raise ValueError(
                f"history_page_size must be 1 to {_HISTORY_PAGE}, got "
                f"{self.history_page_size}"
            )

    def store_config(self) -> StoreConfig:
        """The store to open: these settings over the environment's."""
        config = StoreConfig.from_env()
        if self.store_type is not None:
            config = msgspec.structs.replace(config, store_type=self.store_type)
        if self.store_path is not None:
            config = msgspec.structs.replace(config, path=Path(self.store_path))
        return config


class DurableFunctionCloudTestRunner:
    """Runs a deployed durable function through the Lambda API.

    Parameters
    ----------
    config:
        The function, endpoint, store and timing.
    client:
        A boto3 ``lambda`` client to use instead of one made from ``config``.
    store:
        A store to save to instead of the one ``config`` names (not closed
        with the runner).

    Raises
    ------
    StoreConfigError
        The configured store type names no installed store.
    ValueError
        No region is given and boto3 finds none, or boto3 finds no
        credentials for an endpoint that is not on this machine (for a
        loopback ``lambda_endpoint``, such as ``dex serve``, dummy
        credentials are used then).
    """

    def __init__(
        self,
        config: DurableFunctionCloudTestRunnerConfig,
        *,
        client: Any = None,
        store: ExecutionStore | None = None,
    ) -> None:
        self.config = config
        self.client = client if client is not None else _boto3_client(config)
        self._owns_store = store is None
        self.store: ExecutionStore = (
            store if store is not None else open_store(config.store_config())
        )
        self.api = CloudLambda(self.client, max_attempts=config.max_attempts)
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------

    def __enter__(self) -> DurableFunctionCloudTestRunner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the store (if the runner opened it). Calling again does nothing."""
        if self._closed:
            return
        self._closed = True
        if self._owns_store:
            self.store.close()

    def _check_open(self) -> None:
        if self._closed:
            raise RunnerClosedError(
                "this DurableFunctionCloudTestRunner is closed; create a new one"
            )

    # -- running -------------------------------------------------------------------

    def run(
        self,
        input: Any = None,
        *,
        execution_timeout: float | None = None,
        timeout: float | None = None,
        function_name: str | None = None,
        execution_name: str | None = None,
    ) -> DurableFunctionTestResult:
        """Start an execution, wait for it to end, save and return its result.

        Parameters
        ----------
        input:
            Any JSON value; a ``str`` that is valid JSON is the payload text,
            any other ``str`` a string value.
        execution_timeout, timeout:
            The same thing: wall seconds to wait (default: the config's).
            Past it the execution is stopped. The execution's own timeout is
            the deployed function's setting.
        function_name:
            Another deployed function to run instead of the config's.
        execution_name:
            The durable execution name (a fresh UUID when ``None``).

        Raises
        ------
        InvalidInputError
            ``input`` is not JSON-serializable.
        ExecutionWaitTimeoutError
            The execution did not end in time; it was stopped and saved.
        AmbiguousInvokeError
            The Invoke may have been processed but its execution cannot be
            found (dex does not invoke twice).
        botocore.exceptions.ClientError
            The Lambda API refused a call.
        """
        seconds = _one_timeout(execution_timeout, timeout, self.config.timeout)
        arn = self.run_async(
            input, function_name=function_name, execution_name=execution_name
        )
        try:
            return self.wait_for_result(arn, timeout=seconds)
        except ExecutionWaitTimeoutError:
            self._stop_after_timeout(arn, seconds)
            raise

    def run_async(
        self,
        input: Any = None,
        *,
        execution_timeout: float | None = None,
        timeout: float | None = None,
        function_name: str | None = None,
        execution_name: str | None = None,
    ) -> str:
        """Start an execution and return its ARN; arguments as ``run``."""
        self._check_open()
        # XXX: the execution timeout is the deployed function's DurableConfig;
        # Invoke cannot set it, so these only bound run()'s wait.
        del execution_timeout, timeout
        function = function_name or self.config.function_name
        name = execution_name or str(uuid.uuid4())
        payload = _payload(input)
        body = payload.encode() if payload is not None else b""
        arn = self.api.invoke(function, name, body, lambda: self._find(function, name))
        logger.debug("started %s", arn)
        return arn

    def _find(self, function: str, name: str) -> str | None:
        listed = self.api.call(
            "list_durable_executions_by_function",
            FunctionName=function,
            DurableExecutionName=name,
        )
        for row in listed.get("DurableExecutions", []):
            arn: str = row["DurableExecutionArn"]
            return arn
        return None

    def wait_for_result(
        self, execution_arn: str, timeout: float | None = None
    ) -> DurableFunctionTestResult:
        """Poll until the execution ends; save its record and return its result.

        Raises
        ------
        ExecutionWaitTimeoutError
            It did not end within ``timeout`` wall seconds (default: the
            config's); it keeps running, and what was seen is saved.
        botocore.exceptions.ClientError
            The Lambda API refused a call (``ResourceNotFoundException`` for
            an unknown ARN).
        """
        self._check_open()
        seconds = self.config.timeout if timeout is None else timeout
        deadline = time.monotonic() + seconds
        while True:
            summary = self.api.call(
                "get_durable_execution", DurableExecutionArn=execution_arn
            )
            if ExecutionStatus(summary["Status"]) in _ENDED:
                record = self._save(summary, execution_arn)
                return DurableFunctionTestResult.from_record(record)
            if time.monotonic() >= deadline:
                record = self._save(summary, execution_arn)
                raise ExecutionWaitTimeoutError(
                    f"execution {execution_arn} did not end within {seconds:g} wall "
                    f"seconds (it is {summary['Status']}, "
                    f"{len(record.operations) - 1} operations, "
                    f"{len(record.invocations)} invocations so far); raise the "
                    "timeout or check for a callback nobody answers"
                )
            time.sleep(self.config.poll_interval)

    def _stop_after_timeout(self, arn: str, seconds: float) -> None:
        error = ErrorObject(
            error_type="dex.RunTimedOut",
            error_message=f"stopped by the cloud runner after {seconds:g} seconds",
        )
        try:
            self.stop_execution(arn, error)
        except ClientError as problem:
            # It may have ended between the last poll and the stop.
            logger.info("stopping %s after its timeout failed: %s", arn, problem)
        self.get_execution(arn)

    # -- callbacks and stopping ------------------------------------------------------

    def wait_for_callback(
        self, execution_arn: str, name: str | None = None, timeout: float = 60.0
    ) -> str:
        """Wait for a callback that can be answered and return its callback id.

        ``name`` selects it by its name or the name of the
        ``wait_for_callback`` that made it; ``None`` takes any.

        Raises
        ------
        TimeoutError
            No such callback within ``timeout`` wall seconds, or the execution
            ended first; the message lists the callbacks that did appear.
        """
        self._check_open()
        deadline = time.monotonic() + timeout
        while True:
            events = self._history(execution_arn)
            found, seen = _open_callback(events, name)
            if found is not None:
                return found
            ended = any(
                (event.event_type is not None)
                and event.event_type.value.startswith("Execution")
                and event.event_type.value != "ExecutionStarted"
                for event in events
            )
            why = "the execution ended" if ended else f"{timeout:g} seconds passed"
            if ended or time.monotonic() >= deadline:
                wanted = f"named {name!r} " if name is not None else ""
                raise TimeoutError(
                    f"no callback {wanted}could be answered in execution "
                    f"{execution_arn} before {why}; callbacks that appeared: "
                    f"{', '.join(map(repr, seen)) or 'none'}"
                )
            time.sleep(self.config.poll_interval)

    def send_callback_success(
        self, callback_id: str, result: bytes | str | None = None
    ) -> None:
        """Complete a callback; ``result`` is the payload text as stored.

        Raises
        ------
        botocore.exceptions.ClientError
            ``ResourceNotFoundException``, ``InvalidParameterValueException``
            (answered already, execution ended), ``CallbackTimeoutException``.
        """
        self._check_open()
        payload = result.encode() if isinstance(result, str) else result
        params: dict[str, Any] = {"CallbackId": callback_id}
        if payload is not None:
            params["Result"] = payload
        self.api.call("send_durable_execution_callback_success", **params)

    def send_callback_failure(
        self, callback_id: str, error: ErrorLike | None = None
    ) -> None:
        """Fail a callback with ``error``; raises as ``send_callback_success``."""
        self._check_open()
        params: dict[str, Any] = {"CallbackId": callback_id}
        wire = to_error(error)
        if wire is not None:
            params["Error"] = msgspec.to_builtins(wire)
        self.api.call("send_durable_execution_callback_failure", **params)

    def send_callback_heartbeat(self, callback_id: str) -> None:
        """Restart a callback's heartbeat timeout; raises as the success call."""
        self._check_open()
        self.api.call(
            "send_durable_execution_callback_heartbeat", CallbackId=callback_id
        )

    def stop_execution(
        self, execution_arn: str, error: ErrorLike | None = None
    ) -> None:
        """Stop a running execution (STOPPED), with an optional error.

        Raises
        ------
        botocore.exceptions.ClientError
            ``ResourceNotFoundException``, or ``InvalidParameterValueException``
            when it has ended already.
        """
        self._check_open()
        params: dict[str, Any] = {"DurableExecutionArn": execution_arn}
        wire = to_error(error)
        if wire is not None:
            params["Error"] = msgspec.to_builtins(wire)
        self.api.call("stop_durable_execution", **params)

    # -- reading ---------------------------------------------------------------------

    def get_execution(self, execution_arn: str) -> ExecutionRecord:
        """The execution as the API reports it now, saved to the store."""
        self._check_open()
        summary = self.api.call(
            "get_durable_execution", DurableExecutionArn=execution_arn
        )
        return self._save(summary, execution_arn)

    def get_execution_history(self, execution_arn: str) -> list[Event]:
        """Every history event of the execution, all pages read."""
        self._check_open()
        return self._history(execution_arn)

    def _history(self, arn: str) -> list[Event]:
        raw: list[dict[str, Any]] = []
        marker: str | None = None
        while True:
            params: dict[str, Any] = {
                "DurableExecutionArn": arn,
                "MaxItems": self.config.history_page_size,
            }
            if marker:
                params["Marker"] = marker
            page = self.api.call("get_durable_execution_history", **params)
            raw.extend(page.get("Events", []))
            marker = page.get("NextMarker")
            if not marker:
                return events_from_wire(raw)

    def _save(self, summary: dict[str, Any], arn: str) -> ExecutionRecord:
        record = record_from_history(summary_from_wire(summary), self._history(arn))
        try:
            current = self.store.load(arn)
        except (ExecutionNotFoundError, StoreNotFoundError):
            # A new filesystem store has no directory until its first write.
            return self.store.create(record)
        return self.store.update(
            msgspec.structs.replace(record, revision=current.revision)
        )


def _open_callback(
    events: list[Event], name: str | None
) -> tuple[str | None, list[str]]:
    names: dict[str, str | None] = {}
    started: dict[str, str] = {}
    answered: set[str] = set()
    seen: list[str] = []
    parents: dict[str, str | None] = {}
    for event in events:
        if event.id is not None and event.name is not None:
            names.setdefault(event.id, event.name)
        kind = event.event_type.value if event.event_type else ""
        if kind == "CallbackStarted" and event.callback_started_details and event.id:
            started[event.id] = event.callback_started_details.callback_id
            parents[event.id] = event.parent_id
            seen.append(event.name or event.id)
        elif kind in _ANSWERED and event.id:
            answered.add(event.id)
    for op_id, callback_id in started.items():
        if op_id in answered:
            continue
        parent = parents.get(op_id)
        candidates = {names.get(op_id), names.get(parent) if parent else None}
        if name is None or name in candidates:
            return callback_id, seen
    return None, seen


def _one_timeout(
    execution_timeout: float | None, timeout: float | None, default: float
) -> float:
    if (
        execution_timeout is not None
        and timeout is not None
        and execution_timeout != timeout
    ):
        raise ValueError(
            f"timeout={timeout} and execution_timeout={execution_timeout} mean "
            "the same thing; pass one of them"
        )
    chosen = timeout if timeout is not None else execution_timeout
    return default if chosen is None else chosen


_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})

_DUMMY_KEY = "dex"
"""The access key and secret used for a loopback endpoint without credentials."""


def _is_loopback(url: str | None) -> bool:
    if not url:
        return False
    host = urlsplit(url).hostname or ""
    return host in _LOOPBACK_HOSTS or host.startswith("127.")


def _boto3_client(config: DurableFunctionCloudTestRunnerConfig) -> Any:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import NoRegionError

    session = boto3.Session()
    credentials: dict[str, str] = {}
    if session.get_credentials() is None:
        if not _is_loopback(config.lambda_endpoint):
            raise ValueError(
                f"no AWS credentials for function {config.function_name!r} at "
                f"{config.lambda_endpoint or 'the AWS Lambda endpoint'}: set "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (a "
                "profile of ~/.aws/credentials or ~/.aws/config), or pass client="
            )
        # A local endpoint (dex serve) checks no signature, but botocore
        # refuses to send a request it cannot sign.
        credentials = {
            "aws_access_key_id": _DUMMY_KEY,
            "aws_secret_access_key": _DUMMY_KEY,
        }
    try:
        return session.client(
            "lambda",
            region_name=config.region,
            endpoint_url=config.lambda_endpoint,
            # dex retries by its own rules (see _cloud_client), so botocore's
            # retries, which would repeat an Invoke after a read timeout, are off.
            config=Config(
                retries={"total_max_attempts": 1},
                connect_timeout=5,
                read_timeout=60,
            ),
            **credentials,
        )
    except NoRegionError:
        raise ValueError(
            f"no AWS region for function {config.function_name!r}: pass region= "
            "to DurableFunctionCloudTestRunnerConfig or set AWS_REGION"
        ) from None
