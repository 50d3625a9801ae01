"""The runner's public API: input, results from records, stop, timeouts, logs."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Any

import dex_runner.service
import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration
from aws_durable_execution_sdk_python.execution import InvocationStatus
from dex_runner import (
    DurableFunctionTestResult,
    DurableFunctionTestRunner,
    ExecutionAlreadyStartedError,
    ExecutionWaitTimeoutError,
    InvalidInputError,
    InvalidParameterValueError,
    OperationNotFoundError,
    RunnerClosedError,
)
from dex_schema import ExecutionStatus
from dex_store_filesystem import FilesystemExecutionStore


@durable_execution
def echo(event: Any, context: DurableContext) -> Any:
    return context.step(lambda _: event, name="echo")


@durable_execution
def waits_for_approval(event: Any, context: DurableContext) -> Any:
    return context.create_callback(name="approval").result()


@pytest.mark.parametrize(
    ("given", "handler_sees"),
    [
        ({"a": [1, 2]}, {"a": [1, 2]}),
        ('{"a": 1}', {"a": 1}),
        ("plain words", "plain words"),
        ("42", 42),
        (7, 7),
    ],
)
def test_input_is_any_json_value(
    make_runner: Any, given: Any, handler_sees: Any
) -> None:
    result = make_runner(echo).run(given)

    assert json.loads(result.result) == handler_sees


def test_input_that_is_not_json_is_refused(make_runner: Any) -> None:
    with pytest.raises(InvalidInputError) as caught:
        make_runner(echo).run({"when": object()})

    assert str(caught.value) == (
        "the execution input must be JSON-serializable: Object of type object is "
        "not JSON serializable (got dict); pass dicts, lists, str, numbers, bools "
        "or None, or a str of JSON text"
    )


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_refused_as_input(make_runner: Any, number: float) -> None:
    runner = make_runner(echo)

    with pytest.raises(InvalidInputError) as caught:
        runner.run({"ratio": [1.5, number]})

    assert str(caught.value) == (
        "the execution input must be JSON-serializable: Out of range float values "
        "are not JSON compliant (got dict); JSON has no NaN or infinity: pass None "
        "or a string for such a number"
    )
    assert runner.service.list_executions_by_function("test-function") == (
        runner.service.list_executions_by_function("no-such-function")
    )


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
def test_a_str_python_reads_as_a_number_but_json_does_not_is_a_string(
    make_runner: Any, text: str
) -> None:
    result = make_runner(echo).run(text)

    assert result.history[0].execution_started_details.input.payload == f'"{text}"'
    assert result.result == f'"{text}"'


def test_a_callback_result_must_be_payload_text(make_runner: Any) -> None:
    runner = make_runner(waits_for_approval)
    arn = runner.run_async()
    callback_id = runner.wait_for_callback(arn)

    with pytest.raises(TypeError) as caught:
        runner.send_callback_success(callback_id, {"approved": True})

    assert str(caught.value) == (
        "a callback result is the payload text (bytes or str), got dict; pass "
        "json.dumps(value) for a JSON value"
    )
    runner.stop_execution(arn)


def test_run_with_a_function_name_serves_the_handler_under_that_name(
    make_runner: Any,
) -> None:
    runner = make_runner(echo)

    result = runner.run("hi", function_name="nope")

    assert result.execution_status is ExecutionStatus.SUCCEEDED
    assert result.result == '"hi"'
    assert result.execution_arn.startswith(
        "arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST/durable-execution/"
    )
    assert [inv.outcome.value for inv in result.invocations] == ["SUCCEEDED"]


def test_a_runner_served_under_a_function_arn_runs_its_handler(
    make_runner: Any,
) -> None:
    runner = make_runner(
        echo, function_name="arn:aws:lambda:us-east-1:123456789012:function:orders"
    )

    result = runner.run("hi")

    assert result.result == '"hi"'
    assert result.execution_arn.startswith(
        "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/"
    )


def test_run_with_a_registered_function_name_runs_that_function(
    make_runner: Any,
) -> None:
    @durable_execution
    def shout(event: Any, context: DurableContext) -> str:
        return str(event).upper()

    runner = make_runner(echo, functions={"shout": shout})

    assert runner.run("hi", function_name="shout").result == '"HI"'
    assert runner.run("hi", function_name="other").result == '"hi"'
    assert runner.run("hi").result == '"hi"'


def test_an_execution_name_with_the_same_input_is_the_same_execution(
    make_runner: Any,
) -> None:
    calls: list[Any] = []

    @durable_execution
    def counted(event: Any, context: DurableContext) -> Any:
        return context.step(lambda _: calls.append(event) or len(calls), name="n")

    runner = make_runner(counted)

    first = runner.run({"order": 1}, execution_name="nightly")
    again = runner.run({"order": 1}, execution_name="nightly")
    arn = runner.run_async({"order": 1}, execution_name="nightly")

    assert again.execution_arn == first.execution_arn == arn
    assert again.result == first.result == "1"
    assert calls == [{"order": 1}]
    other_function = runner.run(
        {"order": 1}, execution_name="nightly", function_name="b"
    )
    assert other_function.execution_arn != first.execution_arn


def test_an_execution_name_with_another_input_is_refused(make_runner: Any) -> None:
    runner = make_runner(echo)
    arn = runner.run({"order": 1}, execution_name="nightly").execution_arn

    with pytest.raises(ExecutionAlreadyStartedError) as caught:
        runner.run({"order": 2}, execution_name="nightly")

    assert str(caught.value) == (
        "Durable execution 'nightly' of test-function was already started "
        f"({arn}) with another input; use a new DurableExecutionName"
    )
    assert caught.value.code == "DurableExecutionAlreadyStartedException"
    assert caught.value.status == 409
    assert (
        dex_runner.service.ExecutionAlreadyStartedError is ExecutionAlreadyStartedError
    )


def test_an_execution_name_of_a_running_execution_is_taken_too(
    make_runner: Any,
) -> None:
    runner = make_runner(waits_for_approval)
    arn = runner.run_async("a", execution_name="pending")

    assert runner.run_async("a", execution_name="pending") == arn
    with pytest.raises(ExecutionAlreadyStartedError):
        runner.run_async("b", execution_name="pending")
    runner.wait_for_callback(arn)
    runner.stop_execution(arn)


def test_the_execution_started_event_holds_input_and_timeout(make_runner: Any) -> None:
    result = make_runner(echo).run({"x": 1}, timeout=120)

    started = result.history[0].execution_started_details
    assert started is not None
    assert started.input.payload == '{"x": 1}'
    assert started.execution_timeout == 120


def test_timeout_and_execution_timeout_must_agree(make_runner: Any) -> None:
    with pytest.raises(ValueError, match="mean the same thing; pass one of them"):
        make_runner(echo).run(timeout=10, execution_timeout=20)


def test_an_execution_past_its_timeout_times_out(make_runner: Any) -> None:
    result = make_runner(waits_for_approval).run(timeout=60)

    assert result.execution_status is ExecutionStatus.TIMED_OUT
    assert result.status is InvocationStatus.FAILED
    assert result.error is not None
    assert result.error.type == "Execution.TimedOut"
    last = result.history[-1]
    assert last.event_type.value == "ExecutionTimedOut"
    start = result.record.execution.start_timestamp
    assert last.event_timestamp == start + dt.timedelta(seconds=60)


def test_stop_execution_stops_it_with_the_error(make_runner: Any) -> None:
    runner = make_runner(waits_for_approval)
    arn = runner.run_async()
    runner.wait_for_callback(arn)

    runner.stop_execution(arn, RuntimeError("operator said no"))
    result = runner.wait_for_result(arn)

    assert result.execution_status is ExecutionStatus.STOPPED
    assert result.status is InvocationStatus.FAILED
    stopped = result.history[-1].execution_stopped_details
    assert stopped is not None and stopped.error.payload is not None
    assert stopped.error.payload.error_message == "operator said no"
    with pytest.raises(InvalidParameterValueError) as caught:
        runner.stop_execution(arn)
    assert str(caught.value) == (
        f"Execution {arn} has already ended (STOPPED) and cannot be stopped"
    )


def test_wait_for_result_gives_up_after_its_wall_timeout(make_runner: Any) -> None:
    runner = make_runner(waits_for_approval, skip_time="manual")
    arn = runner.run_async()

    with pytest.raises(ExecutionWaitTimeoutError) as caught:
        runner.wait_for_result(arn, timeout=0.2)

    assert str(caught.value) == (
        f"execution {arn} did not end within 0.2 wall seconds (it is RUNNING, 1 "
        "operations, 1 invocations); raise the timeout or check for a callback "
        "nobody answers"
    )


def test_a_result_is_rebuilt_from_the_stored_record_alone(
    make_runner: Any, store: Any
) -> None:
    result = make_runner(echo).run("hi")

    rebuilt = DurableFunctionTestResult.from_record(store.load(result.execution_arn))

    assert rebuilt.status is result.status
    assert rebuilt.result == result.result == '"hi"'
    assert rebuilt.history == result.history
    assert rebuilt.get_step("echo").result == '"hi"'


def test_an_unknown_operation_name_lists_the_names_there_are(make_runner: Any) -> None:
    result = make_runner(echo).run("hi")

    with pytest.raises(OperationNotFoundError) as caught:
        result.get_step("missing")

    assert (
        str(caught.value)
        == "no StepOperation named 'missing'; named operations: 'echo'"
    )


def test_logs_are_captured_per_invocation_and_stored(
    make_runner: Any, store: Any
) -> None:
    @durable_execution
    def chatty(event: Any, context: DurableContext) -> str:
        context.logger.info("before the wait")
        context.wait(Duration.from_seconds(1))
        print("after the wait")
        logging.getLogger("orders").warning("low stock")
        return "done"

    result = make_runner(chatty).run()

    first, second = result.invocations
    assert [(e.level, e.logger, e.message) for e in first.logs] == [
        ("INFO", "root", "before the wait")
    ]
    assert [(e.level, e.logger, e.message) for e in second.logs] == [
        ("INFO", "stdout", "after the wait"),
        ("WARNING", "orders", "low stock"),
    ]
    assert [e.message for e in result.logs] == [
        "before the wait",
        "after the wait",
        "low stock",
    ]
    assert store.load(result.execution_arn).invocations[1].logs == second.logs


def test_the_filesystem_store_shows_the_truth_while_waiting_and_after(
    tmp_path: Path,
) -> None:
    store = FilesystemExecutionStore(tmp_path / "store")
    with DurableFunctionTestRunner(waits_for_approval, store=store) as runner:
        arn = runner.run_async()
        callback_id = runner.wait_for_callback(arn)

        reader = FilesystemExecutionStore(tmp_path / "store")
        waiting = reader.load(arn)
        assert waiting.execution.status is ExecutionStatus.RUNNING
        assert [op.status.value for op in waiting.operations] == ["STARTED", "STARTED"]

        runner.send_callback_success(callback_id, "yes")
        runner.wait_for_result(arn)
    done = FilesystemExecutionStore(tmp_path / "store").load(arn)
    assert done.execution.status is ExecutionStatus.SUCCEEDED
    assert done.execution.result == '"yes"'


def test_without_a_store_the_environment_chooses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "filesystem")
    monkeypatch.setenv("AWS_DEX_STORE_PATH", str(tmp_path / "env-store"))

    with DurableFunctionTestRunner(echo) as runner:
        arn = runner.run("x").execution_arn

    assert FilesystemExecutionStore(tmp_path / "env-store").load(arn).arn == arn


def test_skip_time_false_waits_in_real_time(make_runner: Any) -> None:
    @durable_execution
    def short_wait(event: Any, context: DurableContext) -> str:
        context.wait(Duration.from_seconds(1))
        return "waited"

    started = time.monotonic()
    result = make_runner(short_wait, skip_time=False).run()

    assert result.result == '"waited"'
    assert time.monotonic() - started >= 1.0


def test_a_closed_runner_refuses_to_run(make_runner: Any) -> None:
    runner = make_runner(echo)
    runner.close()
    runner.close()

    with pytest.raises(RunnerClosedError) as caught:
        runner.run("x")

    assert str(caught.value) == (
        "this DurableFunctionTestRunner is closed; create a new one"
    )


def test_skip_time_takes_only_the_three_modes(make_runner: Any) -> None:
    with pytest.raises(ValueError) as caught:
        make_runner(echo, skip_time="fast")

    assert str(caught.value) == "skip_time must be True, False or 'manual', got 'fast'"


def test_executions_are_listed_by_function(make_runner: Any) -> None:
    runner = make_runner(echo, function_name="orders")
    arns = {runner.run(str(n)).execution_arn for n in range(3)}

    page = runner.service.list_executions_by_function("orders")

    assert {row.durable_execution_arn for row in page.durable_executions} == arns
    assert all(
        row.status is ExecutionStatus.SUCCEEDED for row in page.durable_executions
    )
    assert all(
        arn.startswith(
            "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/"
            "durable-execution/"
        )
        for arn in arns
    )


def test_the_tests_own_logging_is_not_taken_for_the_functions(
    make_runner: Any,
) -> None:
    running = threading.Event()
    release = threading.Event()

    @durable_execution
    def blocking(event: Any, context: DurableContext) -> str:
        running.set()
        release.wait(10)
        return "done"

    runner = make_runner(blocking)
    arn = runner.run_async()
    assert running.wait(10)
    logging.getLogger("the-test").warning("from the test")
    release.set()
    result = runner.wait_for_result(arn)

    assert result.logs == []


def test_stdout_keeps_its_file_descriptor_while_a_runner_is_open(
    make_runner: Any,
) -> None:
    def fileno() -> object:
        try:
            return sys.stdout.fileno()
        except Exception as error:
            return type(error)

    before = fileno()
    make_runner(echo)

    assert fileno() == before


def test_close_leaves_no_thread_of_the_runner_running() -> None:
    @durable_execution
    def steps(event: Any, context: DurableContext) -> int:
        context.wait(Duration.from_seconds(1))
        return context.step(lambda _: 1, name="one")

    before = set(threading.enumerate())
    with DurableFunctionTestRunner(steps) as runner:
        for _ in range(3):
            runner.run()

    assert [t.name for t in set(threading.enumerate()) - before] == []
