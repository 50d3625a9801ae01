"""Invocation outcomes: crashes, failed-invocation retries, timeouts, non-durable."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.execution import InvocationStatus
from dex_runner import (
    HandlerStillRunningWarning,
    NotDurableHandlerError,
    is_durable_handler,
)
from dex_runner._handler import handler_name
from dex_runner._service import MAX_INVOCATION_ATTEMPTS
from dex_schema import ErrorObject, ExecutionStatus, InvocationOutcome


def test_a_crash_ends_the_invocation_with_runtime_exit_error_and_reinvokes(
    make_runner: Any,
) -> None:
    crashes = {"n": 0}

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        value = context.step(lambda _: "kept", name="before")
        if crashes["n"] == 0:
            crashes["n"] += 1
            sys.exit(2)
        return value

    result = make_runner(handler).run()

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == '"kept"'
    outcomes = [invocation.outcome for invocation in result.invocations]
    assert outcomes == [InvocationOutcome.ERROR, InvocationOutcome.SUCCEEDED]
    error = result.invocations[0].error
    assert error is not None
    assert error.error_type == "Runtime.ExitError"
    assert error.error_message == (
        f"RequestId: {result.invocations[0].request_id} Error: Runtime exited "
        "with error: exit status 2"
    )
    completed = result.history[3].invocation_completed_details
    assert completed is not None
    assert completed.request_id == result.invocations[0].request_id
    assert completed.error is not None and completed.error.payload == error


def test_invocations_failing_in_a_row_fail_the_execution_with_the_last_error(
    make_runner: Any,
) -> None:
    exits = {"n": 0}

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        exits["n"] += 1
        sys.exit(exits["n"])

    result = make_runner(handler).run()

    assert MAX_INVOCATION_ATTEMPTS == 3
    assert exits["n"] == 3
    assert result.execution_status is ExecutionStatus.FAILED
    assert result.error is not None
    assert result.error.type == "Runtime.ExitError"
    assert result.error.message is not None
    assert result.error.message.endswith("exit status 3")


def test_a_handler_exception_fails_the_execution(make_runner: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        raise KeyError("missing")

    result = make_runner(handler).run()

    assert result.status is InvocationStatus.FAILED
    assert result.error is not None
    assert (result.error.type, result.error.message) == ("KeyError", "'missing'")
    assert [i.outcome for i in result.invocations] == [InvocationOutcome.FAILED]


def test_a_result_that_is_not_json_fails_the_execution(make_runner: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> object:
        return object()

    result = make_runner(handler).run()

    assert result.status is InvocationStatus.FAILED
    assert result.error is not None
    assert result.error.type == "TypeError"
    assert result.error.message == "Object of type object is not JSON serializable"


def plain_handler(event: Any, context: Any) -> dict[str, int]:
    return {"hello": 1}


def test_a_plain_function_is_reported_as_not_durable(make_runner: Any) -> None:
    runner = make_runner(plain_handler)

    with pytest.raises(NotDurableHandlerError) as caught:
        runner.run()

    assert str(caught.value) == (
        "test_invocations.plain_handler is not a durable handler: the function "
        "returned dict {'hello': 1} instead of a durable execution output "
        "({'Status': 'SUCCEEDED' | 'FAILED' | 'PENDING', ...}); decorate it with "
        "@durable_execution from aws_durable_execution_sdk_python"
    )
    record = runner.store.query().rows[0]
    assert record.status is ExecutionStatus.FAILED


def test_is_durable_handler_tells_decorated_handlers_from_plain_ones() -> None:
    @durable_execution
    def durable(event: Any, context: DurableContext) -> None:
        return None

    assert is_durable_handler(durable) is True
    assert is_durable_handler(plain_handler) is False
    assert is_durable_handler(print) is False
    assert is_durable_handler("durable") is False


def test_an_invocation_past_its_timeout_is_fenced_and_named_at_close(
    make_runner: Any,
) -> None:
    release = threading.Event()
    attempts = {"n": 0}

    @durable_execution
    def stuck(event: Any, context: DurableContext) -> str:
        attempts["n"] += 1
        if attempts["n"] == 1:
            print("stuck on the first try")
            release.wait(10)
            context.step(lambda _: "late", name="late")
        return "second try"

    runner = make_runner(stuck, invocation_timeout=1.5)
    result = runner.run()

    assert result.result == '"second try"'
    first = result.invocations[0]
    assert first.outcome is InvocationOutcome.ERROR
    assert first.error == ErrorObject(
        error_type="Sandbox.Timedout", error_message="Task timed out after 1.50 seconds"
    )
    assert [entry.message for entry in first.logs] == ["stuck on the first try"]
    with pytest.warns(HandlerStillRunningWarning) as warned:
        runner.close()
    assert [str(warning.message) for warning in warned] == [
        f"handler {handler_name(stuck)} was still running when the runner closed; "
        "it passed its invocation timeout of 1.5 seconds, so it is fenced off (its "
        "later checkpoints are rejected); its thread cannot be stopped and is left "
        "behind when the process exits"
    ]
    release.set()
    time.sleep(0.3)
    assert [op.name for op in runner.store.load(result.execution_arn).operations][
        1:
    ] == []


def _slow_step(
    entered: threading.Event,
    release: threading.Event,
    threads: list[threading.Thread],
) -> Any:
    @durable_execution
    def slow(event: Any, context: DurableContext) -> str:
        def work(_: Any) -> str:
            threads.append(threading.current_thread())
            print("working")
            entered.set()
            release.wait(10)
            return "late"

        return context.step(work, name="work")

    return slow


@pytest.mark.parametrize(
    ("ends", "status", "why"),
    [("timeout", "TIMED_OUT", "timed out"), ("stop", "STOPPED", "was stopped")],
)
def test_an_invocation_cut_off_by_the_end_of_its_execution_ends_with_it(
    make_runner: Any, store: Any, ends: str, status: str, why: str
) -> None:
    entered, release = threading.Event(), threading.Event()
    handler_threads: list[threading.Thread] = []
    runner = make_runner(_slow_step(entered, release, handler_threads))
    try:
        if ends == "timeout":
            result = runner.run(timeout=1)
        else:
            arn = runner.run_async()
            assert entered.wait(10)
            _wait_until_started(runner, arn, "work")
            runner.stop_execution(arn)
            result = runner.wait_for_result(arn)

        assert result.execution_status.value == status
        assert [event.event_type.value for event in result.history] == [
            "ExecutionStarted",
            "StepStarted",
            "InvocationCompleted",
            "ExecutionTimedOut" if ends == "timeout" else "ExecutionStopped",
        ]
        error = ErrorObject(
            error_type="dex.ExecutionEnded",
            error_message=(
                f"The execution ended ({status}) while this invocation was "
                "running; the invocation was cut off and its later checkpoints "
                "are rejected"
            ),
        )
        end = result.record.execution.end_timestamp
        (invocation,) = store.load(result.execution_arn).invocations
        assert invocation.outcome is InvocationOutcome.ERROR
        assert invocation.error == error
        assert invocation.end_timestamp == end
        assert [entry.message for entry in invocation.logs] == ["working"]
        completed = result.history[2].invocation_completed_details
        assert completed is not None
        assert completed.request_id == invocation.request_id
        assert completed.end_timestamp == end == result.history[3].event_timestamp
        assert completed.error is not None and completed.error.payload == error

        with pytest.warns(HandlerStillRunningWarning) as warned:
            runner.close()
        assert [str(warning.message) for warning in warned] == [
            f"handler {handler_name(runner.handler)} was still running when the "
            f"runner closed; its execution {why}, so it is fenced off (its later "
            "checkpoints are rejected); its thread cannot be stopped and is left "
            "behind when the process exits"
        ]
    finally:
        release.set()
        # The released handler fails its late checkpoint and logs a
        # traceback; let it end here, not while pytest rewrites a module
        # (Python 3.11's traceback parses source with ``ast``, whose state is
        # not thread-safe).
        for thread in handler_threads:
            thread.join(10)


def _wait_until_started(runner: Any, arn: str, name: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if any(op.name == name for op in runner.get_execution(arn).operations):
            return
        time.sleep(0.01)
    raise AssertionError(f"operation {name} never started")
