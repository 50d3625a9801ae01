"""Callbacks: answered from outside, timed out, heartbeats, and user mistakes."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from typing import Any

import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
from aws_durable_execution_sdk_python.exceptions import CallbackError
from aws_durable_execution_sdk_python.execution import InvocationStatus
from aws_durable_execution_sdk_python.lambda_service import OperationStatus
from dex_runner import (
    CallbackTimeoutError,
    InvalidParameterValueError,
    OperationNotFoundError,
    ResourceNotFoundError,
)
from dex_schema import ErrorObject, EventType, ExecutionStatus


@durable_execution
def approval(event: Any, context: DurableContext) -> Any:
    callback = context.create_callback(
        name="approval",
        config=CallbackConfig(
            timeout=Duration.from_seconds(event.get("timeout", 0)),
            heartbeat_timeout=Duration.from_seconds(event.get("heartbeat", 0)),
        ),
    )
    return {"answer": callback.result()}


def _events(result: Any) -> list[str]:
    return [event.event_type.value for event in result.history]


def test_a_callback_answered_with_success_resumes_the_execution(
    make_runner: Any,
) -> None:
    runner = make_runner(approval)
    arn = runner.run_async({})

    callback_id = runner.wait_for_callback(arn, name="approval")
    runner.send_callback_success(callback_id, "yes")
    result = runner.wait_for_result(arn)

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == '{"answer": "yes"}'
    assert _events(result) == [
        "ExecutionStarted",
        "CallbackStarted",
        "InvocationCompleted",
        "CallbackSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
    callback = result.get_callback("approval")
    assert callback.callback_id == callback_id
    assert callback.result == "yes"
    assert callback.status is OperationStatus.SUCCEEDED
    succeeded = result.history[3].callback_succeeded_details
    assert succeeded is not None and succeeded.result.payload == "yes"


def test_bytes_are_taken_as_the_payload_text(make_runner: Any) -> None:
    runner = make_runner(approval)
    arn = runner.run_async({})

    runner.send_callback_success(runner.wait_for_callback(arn), b"n=1")

    assert runner.wait_for_result(arn).result == '{"answer": "n=1"}'


def test_a_callback_failure_fails_the_execution_with_that_error(
    make_runner: Any,
) -> None:
    runner = make_runner(approval)
    arn = runner.run_async({})

    runner.send_callback_failure(
        runner.wait_for_callback(arn),
        {"ErrorType": "RejectedError", "ErrorMessage": "not approved"},
    )
    result = runner.wait_for_result(arn)

    assert result.status is InvocationStatus.FAILED
    assert result.error is not None
    assert result.error.message == "not approved"
    failed = result.history[3].callback_failed_details
    assert failed is not None
    assert failed.error.payload == ErrorObject(
        error_type="RejectedError", error_message="not approved"
    )


def test_callback_start_records_its_timeouts(make_runner: Any) -> None:
    runner = make_runner(approval)
    arn = runner.run_async({"timeout": 30, "heartbeat": 10})
    callback_id = runner.wait_for_callback(arn)

    started = runner.get_execution_history(arn)[1]

    assert started.event_type is EventType.CALLBACK_STARTED
    assert started.callback_started_details is not None
    assert started.callback_started_details.callback_id == callback_id
    assert started.callback_started_details.timeout == 30
    assert started.callback_started_details.heartbeat_timeout == 10


def test_a_callback_times_out_once_the_test_waits_for_the_result(
    make_runner: Any,
) -> None:
    runner = make_runner(approval)
    arn = runner.run_async({"timeout": 3600}, execution_timeout=7200)

    result = runner.wait_for_result(arn, timeout=10)

    assert result.execution_status is ExecutionStatus.FAILED
    timed_out = result.history[3]
    assert timed_out.event_type is EventType.CALLBACK_TIMED_OUT
    assert timed_out.callback_timed_out_details is not None
    error = timed_out.callback_timed_out_details.error.payload
    assert error == ErrorObject(
        error_type="Callback.Timeout", error_message="Callback timed out"
    )
    callback = result.get_callback("approval")
    assert callback.status is OperationStatus.TIMED_OUT
    assert callback.end_timestamp is not None
    assert (callback.end_timestamp - callback.start_timestamp).total_seconds() == 3600


def test_an_outstanding_callback_holds_the_clock_until_the_test_waits(
    make_runner: Any,
) -> None:
    runner = make_runner(approval)
    arn = runner.run_async({"timeout": 60})
    callback_id = runner.wait_for_callback(arn)

    time.sleep(0.2)
    assert runner.get_execution(arn).execution.status is ExecutionStatus.RUNNING

    runner.send_callback_success(callback_id, "in time")
    assert runner.wait_for_result(arn).result == '{"answer": "in time"}'


def test_a_missed_heartbeat_times_the_callback_out(make_runner: Any) -> None:
    runner = make_runner(approval)
    arn = runner.run_async({"heartbeat": 5})

    result = runner.wait_for_result(arn)

    details = result.history[3].callback_timed_out_details
    assert details is not None
    assert details.error.payload is not None
    assert details.error.payload.error_type == "Callback.Heartbeat"
    assert result.execution_status is ExecutionStatus.FAILED


def test_a_heartbeat_restarts_the_heartbeat_timeout(
    make_runner: Any, store: Any
) -> None:
    runner = make_runner(approval, skip_time="manual")
    arn = runner.run_async({"heartbeat": 10})
    callback_id = runner.wait_for_callback(arn)

    runner.advance_time(arn, 8)
    runner.send_callback_heartbeat(callback_id)
    runner.advance_time(arn, 8)
    time.sleep(0.2)
    assert _status(runner, arn, "approval") == "STARTED"
    timer = store.load(arn).service_state.callbacks[0]
    assert timer.last_heartbeat_timestamp == timer.started_timestamp + dt.timedelta(
        seconds=8
    )

    runner.advance_time(arn, 3)
    _wait_for_status(runner, arn, "approval", OperationStatus.TIMED_OUT)
    result = runner.wait_for_result(arn)
    timed_out = result.get_callback("approval")
    assert timed_out.end_timestamp == timer.started_timestamp + dt.timedelta(seconds=18)


def test_an_unknown_callback_id_is_reported(make_runner: Any) -> None:
    runner = make_runner(approval)

    with pytest.raises(ResourceNotFoundError) as caught:
        runner.send_callback_success("no-such-callback", '"x"')

    assert str(caught.value) == (
        "Callback 'no-such-callback' not found: this service did not issue it; "
        "use the CallbackId of a CallbackStarted event"
    )
    assert caught.value.code == "ResourceNotFoundException"
    assert caught.value.status == 404


def test_answering_a_callback_twice_is_refused(make_runner: Any) -> None:
    runner = make_runner(approval)
    arn = runner.run_async({})
    callback_id = runner.wait_for_callback(arn)
    runner.send_callback_success(callback_id, '"first"')
    runner.wait_for_result(arn)

    with pytest.raises(InvalidParameterValueError) as caught:
        runner.send_callback_success(callback_id, '"second"')

    assert str(caught.value) == (
        f"Callback {callback_id!r} can no longer be answered: execution {arn} "
        "has ended (SUCCEEDED)"
    )


def test_answering_an_answered_callback_of_a_running_execution_is_refused(
    make_runner: Any,
) -> None:
    @durable_execution
    def two(event: Any, context: DurableContext) -> Any:
        first = context.create_callback(name="first")
        second = context.create_callback(name="second")
        return [first.result(), second.result()]

    runner = make_runner(two)
    arn = runner.run_async()
    first = runner.wait_for_callback(arn, name="first")
    runner.send_callback_success(first, "a")

    with pytest.raises(InvalidParameterValueError) as caught:
        runner.send_callback_failure(first, "too late")

    assert str(caught.value) == (
        f"Callback {first!r} was already completed (SUCCEEDED); a callback is "
        "answered once"
    )
    runner.send_callback_success(runner.wait_for_callback(arn, "second"), "b")
    assert runner.wait_for_result(arn).result == '["a", "b"]'


def test_answering_a_timed_out_callback_is_a_callback_timeout(
    make_runner: Any,
) -> None:
    @durable_execution
    def tolerant(event: Any, context: DurableContext) -> str:
        callback = context.create_callback(
            name="late", config=CallbackConfig(timeout=Duration.from_seconds(5))
        )
        with contextlib.suppress(CallbackError):
            callback.result()
        context.wait(Duration.from_seconds(60))
        return "done"

    runner = make_runner(tolerant, skip_time="manual")
    arn = runner.run_async()
    callback_id = runner.wait_for_callback(arn)
    runner.service.advance_time(arn, 6)
    _wait_for_status(runner, arn, "late", OperationStatus.TIMED_OUT)

    with pytest.raises(CallbackTimeoutError) as caught:
        runner.send_callback_success(callback_id, '"x"')

    assert caught.value.code == "CallbackTimeoutException"
    assert str(caught.value).startswith(f"Callback {callback_id!r} timed out at ")


def test_wait_for_callback_timeout_names_the_callbacks_that_appeared(
    make_runner: Any,
) -> None:
    runner = make_runner(approval)
    arn = runner.run_async({})
    runner.wait_for_callback(arn)

    with pytest.raises(TimeoutError) as caught:
        runner.wait_for_callback(arn, name="payment", timeout=0.2)

    assert str(caught.value) == (
        f"no callback named 'payment' could be answered in execution {arn} "
        "before 0.2 seconds passed; callbacks that appeared: 'approval'"
    )


def test_wait_for_callback_finds_a_callback_by_its_wait_for_callback_name(
    make_runner: Any,
) -> None:
    submitted: list[str] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.wait_for_callback(
            lambda callback_id, _ctx: submitted.append(callback_id), name="ticket"
        )

    runner = make_runner(handler)
    arn = runner.run_async()
    callback_id = runner.wait_for_callback(arn, name="ticket")
    runner.send_callback_success(callback_id, "closed")
    result = runner.wait_for_result(arn)

    assert submitted == [callback_id]
    assert result.result == '"closed"'
    assert _events(result) == [
        "ExecutionStarted",
        "ContextStarted",
        "CallbackStarted",
        "StepStarted",
        "StepSucceeded",
        "InvocationCompleted",
        "CallbackSucceeded",
        "ContextSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
    context = result.get_context("ticket")
    assert [child.operation_type.value for child in context.child_operations] == [
        "CALLBACK",
        "STEP",
    ]


def test_get_callback_finds_the_callback_of_a_wait_for_callback_by_its_name(
    make_runner: Any,
) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.wait_for_callback(lambda callback_id, _ctx: None, name="ext")

    runner = make_runner(handler)
    arn = runner.run_async()
    callback_id = runner.wait_for_callback(arn, name="ext")
    runner.send_callback_success(callback_id, '"granted"')
    result = runner.wait_for_result(arn)

    callback = result.get_callback("ext")
    assert callback.callback_id == callback_id
    assert callback.operation_type.value == "CALLBACK"
    assert callback.parent_id == result.get_context("ext").id
    assert callback.result == '"granted"'


def test_get_callback_prefers_a_callback_of_the_exact_name(make_runner: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        context.wait_for_callback(lambda callback_id, _ctx: None, name="ext")
        return context.create_callback(name="ext").result()

    runner = make_runner(handler)
    arn = runner.run_async()
    inner = runner.wait_for_callback(arn, name="ext")
    runner.send_callback_success(inner, '"first"')
    outer = runner.wait_for_callback(arn, name="ext")
    runner.send_callback_success(outer, "second")
    result = runner.wait_for_result(arn)

    assert result.result == '"second"'
    assert result.get_callback("ext").callback_id == outer


def test_get_callback_of_an_unknown_name_lists_the_names(make_runner: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        context.step(lambda _: None, name="prepare")
        return context.wait_for_callback(lambda callback_id, _ctx: None, name="ext")

    runner = make_runner(handler)
    arn = runner.run_async()
    runner.send_callback_success(runner.wait_for_callback(arn), '"ok"')
    result = runner.wait_for_result(arn)

    with pytest.raises(OperationNotFoundError) as caught:
        result.get_callback("other")

    assert str(caught.value) == (
        "no CallbackOperation named 'other'; named operations: 'ext', 'ext create "
        "callback id', 'ext submitter', 'prepare'"
    )


def _status(runner: Any, arn: str, name: str) -> str:
    for op in runner.get_execution(arn).operations:
        if op.name == name:
            return str(op.status.value)
    raise AssertionError(f"no operation named {name}")


def _wait_for_status(runner: Any, arn: str, name: str, status: OperationStatus) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for op in runner.get_execution(arn).operations:
            if op.name == name and op.status.value == status.value:
                return
        time.sleep(0.01)
    raise AssertionError(f"{name} never became {status.value}")


def test_wait_for_callback_reports_an_execution_that_ended_without_one(
    make_runner: Any,
) -> None:
    @durable_execution
    def no_callback(event: Any, context: DurableContext) -> str:
        return "done"

    runner = make_runner(no_callback)
    arn = runner.run_async()
    runner.wait_for_result(arn)

    with pytest.raises(TimeoutError) as caught:
        runner.wait_for_callback(arn, timeout=5)

    assert str(caught.value) == (
        f"no callback could be answered in execution {arn} before the execution "
        "ended; callbacks that appeared: none"
    )


def test_each_answer_gets_its_own_invocation_when_the_test_waits_in_between(
    make_runner: Any,
) -> None:
    @durable_execution
    def two(event: Any, context: DurableContext) -> Any:
        first = context.create_callback(name="a")
        second = context.create_callback(name="b")
        return [first.result(), second.result()]

    runner = make_runner(two)
    arn = runner.run_async()
    runner.send_callback_success(runner.wait_for_callback(arn, "a"), "1")
    runner.send_callback_success(runner.wait_for_callback(arn, "b"), "2")
    result = runner.wait_for_result(arn)

    assert result.result == '["1", "2"]'
    assert _events(result) == [
        "ExecutionStarted",
        "CallbackStarted",
        "CallbackStarted",
        "InvocationCompleted",
        "CallbackSucceeded",
        "InvocationCompleted",
        "CallbackSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
