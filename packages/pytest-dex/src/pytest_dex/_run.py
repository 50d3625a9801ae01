"""One test's runner: built from the settings and marker, torn down cleanly."""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from dex_schema import ErrorObject, ExecutionRecord, ExecutionStatus
from dex_store import ExecutionStore, StoreConfig, StoreError, open_store

from ._marker import MARKER, DurableExecutionOptions
from ._recording import RecordingStore
from ._report import render_execution
from ._settings import DexMode, DexSettings

__all__ = (
    "RUNNER_THREAD_PREFIX",
    "THREAD_GRACE_SECONDS",
    "CloudModeUnavailableError",
    "DexWarning",
    "DurableTestRun",
    "ExecutionLeftRunningWarning",
    "ThreadLeftRunningWarning",
    "start_run",
)

logger = logging.getLogger(__name__)

THREAD_GRACE_SECONDS = 5.0
"""How long teardown waits for the runner's threads to end."""

RUNNER_THREAD_PREFIX = "dex-"
"""The start of the name of every thread dex's runner and service start."""

_UNFINISHED = (
    ExecutionStatus.RUNNING,
    ExecutionStatus.PAUSING,
    ExecutionStatus.PAUSED,
)


class DexWarning(pytest.PytestWarning):
    """Base of the warnings pytest-dex adds to a test's report."""


class ExecutionLeftRunningWarning(DexWarning):
    """A test ended while an execution it started was still running."""


class ThreadLeftRunningWarning(DexWarning):
    """A thread of a test's runner was still alive after the runner closed."""


class CloudModeUnavailableError(Exception):
    """Cloud mode was asked for but dex_runner has no cloud runner yet."""


@dataclass
class DurableTestRun:
    """The runner one test uses, what it started, and how to tear it down.

    Attributes
    ----------
    nodeid:
        The test's node id, named in warnings.
    runner:
        The runner the ``durable_runner`` fixture yields.
    recording:
        The store view that knows which executions the test created.
    owned_store:
        The store the plugin opened for this test and closes after the
        runner; ``None`` when the test brought its own or the runner opened it.
    threads_before:
        The threads alive before the runner was built.
    stopped:
        The ARNs of the executions teardown stopped.
    """

    nodeid: str
    runner: Any
    recording: RecordingStore
    owned_store: ExecutionStore | None = None
    threads_before: frozenset[threading.Thread] = frozenset()
    stopped: list[str] = field(default_factory=list)
    _finished: bool = False

    @property
    def execution_arns(self) -> tuple[str, ...]:
        """The ARNs of every execution the test started, chained ones included."""
        return self.recording.created_arns

    def _records(self) -> Iterator[tuple[str, ExecutionRecord | None, str]]:
        """Each execution the test started, as it stands now, or why not."""
        for arn in self.execution_arns:
            yield (arn, *self._load(arn))

    def _load(self, arn: str) -> tuple[ExecutionRecord | None, str]:
        """One execution from the store, else from the runner.

        The cloud runner saves an execution when it observes it, so one the
        test started and never waited for is only known to the service.
        """
        try:
            return self.recording.load(arn), ""
        except (StoreError, OSError) as exc:
            problem = f"{type(exc).__name__}: {exc}"
        try:
            record: ExecutionRecord = self.runner.get_execution(arn)
        except Exception:  # the store's reason is the one worth showing
            logger.debug("get_execution(%r) failed", arn, exc_info=True)
            return None, problem
        return record, ""

    def _path_for(self, arn: str) -> Path | None:
        path_for: Callable[[str], Any] | None = getattr(
            self.recording, "path_for", None
        )
        if path_for is None:
            return None
        try:
            return Path(path_for(arn))
        except Exception:  # a store's path_for failing must not hide the report
            logger.debug("path_for(%r) failed", arn, exc_info=True)
            return None

    def report_sections(self) -> list[tuple[str, str]]:
        """One report section per execution the test started."""
        sections = []
        for arn, record, problem in self._records():
            title = f"durable execution {arn}"
            if record is None:
                sections.append((title, f"cannot load the execution: {problem}\n"))
            else:
                sections.append((title, render_execution(record, self._path_for(arn))))
        return sections

    def stop_left_running(self) -> list[ExecutionLeftRunningWarning]:
        """Stop every execution the test started that has not ended.

        Runs before the runner closes, whether the test closed it (``with
        durable_runner:``) or teardown does. Returns one warning per execution
        stopped, for the caller to issue once the runner is closed (a warnings
        filter may turn them into errors).
        """
        found: list[ExecutionLeftRunningWarning] = []
        for arn, record, _problem in self._records():
            if record is None or record.execution.status not in _UNFINISHED:
                continue
            status = record.execution.status.value
            try:
                self.runner.stop_execution(
                    arn,
                    error=ErrorObject(
                        error_type="TestEnded",
                        error_message=f"{self.nodeid} ended with the execution "
                        "running; pytest-dex stopped it",
                    ),
                )
            except Exception as exc:  # report it; teardown must go on
                outcome = f"stopping it failed ({type(exc).__name__}: {exc})"
            else:
                outcome = "dex stopped it"
                self._refresh(arn)
            self.stopped.append(arn)
            found.append(
                ExecutionLeftRunningWarning(
                    f"{self.nodeid} left durable execution {arn} {status} when "
                    f"its runner closed; {outcome}. Wait for its result "
                    "(durable_runner.wait_for_result), answer its callbacks, or "
                    "stop it (durable_runner.stop_execution) before the test ends"
                )
            )
        return found

    def _refresh(self, arn: str) -> None:
        """Read a stopped execution, so a cloud runner saves its end too."""
        try:
            self.runner.get_execution(arn)
        except Exception:  # the warning says it was stopped; the store may lag
            logger.debug("reading %s after stopping it failed", arn, exc_info=True)

    def finish(self) -> None:
        """Stop what is left running, close the runner and the store, check threads."""
        if self._finished:
            return
        self._finished = True
        try:
            self.runner.close()
        finally:
            if self.owned_store is not None:
                self.owned_store.close()
            self._check_threads()

    def _check_threads(self) -> None:
        """Warn about the runner's threads still alive after it closed.

        dex names the threads its runner and service start ``dex-...``; other
        threads started during the test (the test's own, a library's worker
        pool) are not the runner's to end.
        """
        deadline = time.monotonic() + THREAD_GRACE_SECONDS
        alive = [
            t
            for t in threading.enumerate()
            if t not in self.threads_before and t.name.startswith(RUNNER_THREAD_PREFIX)
        ]
        for thread in alive:
            thread.join(max(0.0, deadline - time.monotonic()))
        left = [t for t in alive if t.is_alive()]
        if left:
            names = ", ".join(sorted(repr(t.name) for t in left))
            warnings.warn(
                ThreadLeftRunningWarning(
                    f"{self.nodeid}: {len(left)} thread(s) of the durable runner "
                    f"were still alive {THREAD_GRACE_SECONDS:g} s after it closed: "
                    f"{names}; a handler did not return"
                ),
                stacklevel=2,
            )


def _wrap_close(run: DurableTestRun) -> None:
    """Make the runner stop what the test left running before it closes."""
    runner = run.runner
    close = runner.close
    closed = threading.Event()

    def close_after_stopping() -> None:
        left: list[ExecutionLeftRunningWarning] = []
        try:
            if not closed.is_set():
                left = run.stop_left_running()
        finally:
            close()
            closed.set()
        for warning in left:
            warnings.warn(warning, stacklevel=2)

    runner.close = close_after_stopping


def _store_for(
    settings: DexSettings, options: DurableExecutionOptions
) -> tuple[ExecutionStore, bool]:
    """The test's store and whether the plugin owns (and closes) it."""
    if options.store is not None and not isinstance(options.store, str):
        return options.store, False
    store_type = options.store or settings.store_type
    path = _store_path(settings, options)
    return open_store(StoreConfig(store_type=store_type, path=path)), True


def _store_path(settings: DexSettings, options: DurableExecutionOptions) -> Path:
    """The marker's store directory (from the invocation directory), or the run's."""
    if options.store_path is None:
        return settings.store_path
    if options.store_path.is_absolute():
        return options.store_path
    return settings.invocation_dir / options.store_path


def _start_local(
    settings: DexSettings,
    options: DurableExecutionOptions,
    nodeid: str,
) -> DurableTestRun:
    if options.handler is None:
        pytest.fail(
            f"@pytest.mark.{MARKER} on {nodeid} gives no handler: add "
            f"handler=<your durable handler> to the marker (on the test, its "
            "class or its module)",
            pytrace=False,
        )
    from dex_runner import DurableFunctionTestRunner, ServiceError

    store, owned = _store_for(settings, options)
    recording = RecordingStore(store)
    kwargs: dict[str, Any] = {"store": recording, "skip_time": options.skip_time}
    if options.execution_timeout is not None:
        kwargs["execution_timeout"] = options.execution_timeout
    if options.lambda_function_name is not None:
        kwargs["function_name"] = options.lambda_function_name
    if options.functions:
        kwargs["functions"] = dict(options.functions)

    before = frozenset(threading.enumerate())
    refused: str | None = None
    try:
        runner = DurableFunctionTestRunner(options.handler, **kwargs)
    except (ValueError, TypeError, ServiceError) as exc:
        refused = _refused(nodeid, "DurableFunctionTestRunner", exc)
    except BaseException:
        if owned:
            store.close()
        raise
    if refused is not None:
        if owned:
            store.close()
        pytest.fail(refused, pytrace=False)
    return DurableTestRun(
        nodeid=nodeid,
        runner=runner,
        recording=recording,
        owned_store=store if owned else None,
        threads_before=before,
    )


def _refused(nodeid: str, runner: str, exc: BaseException) -> str:
    return (
        f"{runner} refused what @pytest.mark.{MARKER} on {nodeid} asks for: "
        f"{type(exc).__name__}: {exc}"
    )


def _start_cloud(
    settings: DexSettings,
    options: DurableExecutionOptions,
    nodeid: str,
) -> DurableTestRun:
    try:
        from dex_runner import (
            DurableFunctionCloudTestRunner,
            DurableFunctionCloudTestRunnerConfig,
        )
    except ImportError:
        raise CloudModeUnavailableError(
            f"{nodeid}: cloud mode (--dex-mode cloud) is not available yet: the "
            "installed dex-runner has no DurableFunctionCloudTestRunner. Run in "
            "local mode (--dex-mode local, the default) or upgrade dex-runner"
        ) from None

    name = options.lambda_function_name
    if name is None:
        pytest.fail(
            f"@pytest.mark.{MARKER} on {nodeid} gives no lambda_function_name, "
            "which cloud mode needs to find the deployed function: add "
            "lambda_function_name=... to the marker",
            pytrace=False,
        )
    config_options: dict[str, Any] = {}
    if options.execution_timeout is not None:
        # The deployed function's own setting is its execution timeout; here
        # it bounds the wait, and the runner stops the execution past it.
        config_options["timeout"] = float(options.execution_timeout)
    store, owned = _store_for(settings, options)
    recording = RecordingStore(store)
    before = frozenset(threading.enumerate())
    refused: str | None = None
    try:
        config = DurableFunctionCloudTestRunnerConfig(
            function_name=settings.function_map.get(name, name),
            region=settings.region,
            lambda_endpoint=settings.endpoint,
            **config_options,
        )
        runner = DurableFunctionCloudTestRunner(config, store=recording)
    except (ValueError, TypeError) as exc:
        refused = _refused(nodeid, "DurableFunctionCloudTestRunner", exc)
    except BaseException:
        if owned:
            store.close()
        raise
    if refused is not None:
        if owned:
            store.close()
        pytest.fail(refused, pytrace=False)
    _note_started(runner, recording)
    return DurableTestRun(
        nodeid=nodeid,
        runner=runner,
        recording=recording,
        owned_store=store if owned else None,
        threads_before=before,
    )


def _note_started(runner: Any, recording: RecordingStore) -> None:
    """Note the ARNs a runner starts before it saves them (the cloud runner)."""
    run, run_async = runner.run, runner.run_async

    def noting_run_async(*args: Any, **kwargs: Any) -> Any:
        arn = run_async(*args, **kwargs)
        recording.note(str(arn))
        return arn

    def noting_run(*args: Any, **kwargs: Any) -> Any:
        result = run(*args, **kwargs)
        recording.note(str(result.execution_arn))
        return result

    runner.run_async, runner.run = noting_run_async, noting_run


def start_run(
    settings: DexSettings,
    options: DurableExecutionOptions,
    nodeid: str,
) -> DurableTestRun:
    """Build the runner for one test from the run's settings and its marker.

    Parameters
    ----------
    settings:
        The run's effective settings.
    options:
        The test's merged marker.
    nodeid:
        The test's node id, for messages.

    Raises
    ------
    CloudModeUnavailableError
        In cloud mode, when dex_runner has no cloud runner.
    pytest.fail.Exception
        When the marker lacks what the mode needs (a handler, a function name).
    """
    if settings.mode is DexMode.CLOUD:
        run = _start_cloud(settings, options, nodeid)
    else:
        run = _start_local(settings, options, nodeid)
    _wrap_close(run)
    return run
