"""The virtual clock: one per execution, held by callbacks, manual in hand."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import (
    CallbackConfig,
    Duration,
    JitterStrategy,
    StepConfig,
)
from aws_durable_execution_sdk_python.exceptions import CallbackError
from aws_durable_execution_sdk_python.execution import InvocationStatus
from aws_durable_execution_sdk_python.lambda_service import OperationStatus
from aws_durable_execution_sdk_python.retries import (
    RetryStrategyConfig,
    create_retry_strategy,
)
from dex_schema import ErrorObject, EventType, ExecutionStatus, RetryDetails

from .conftest import outline

DAY = 86_400
HOUR = 3_600


@durable_execution
def approval(event: Any, context: DurableContext) -> str:
    callback = context.create_callback(
        name="approve",
        config=CallbackConfig(
            timeout=Duration.from_seconds(event.get("timeout", 0)),
            heartbeat_timeout=Duration.from_seconds(event.get("heartbeat", 0)),
        ),
    )
    return f"approved: {callback.result()}"


@durable_execution
def nap(event: Any, context: DurableContext) -> str:
    context.wait(Duration.from_seconds(event), name="nap")
    return "rested"


def _offset(result: Any, index: int) -> float:
    start = result.history[0].event_timestamp
    return float((result.history[index].event_timestamp - start).total_seconds())


def _status(runner: Any, arn: str) -> ExecutionStatus:
    status: ExecutionStatus = runner.get_execution(arn).execution.status
    return status


# -- the execution timeout ------------------------------------------------------


def test_an_execution_past_its_timeout_is_timed_out(make_runner: Any) -> None:
    result = make_runner(approval).run({}, timeout=120)

    assert result.execution_status is ExecutionStatus.TIMED_OUT
    assert result.status is InvocationStatus.FAILED
    assert outline(result.history) == [
        ("ExecutionStarted", None, None, None),
        ("CallbackStarted", "Callback", "approve", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionTimedOut", None, None, None),
    ]
    timed_out = result.history[3]
    assert timed_out.execution_timed_out_details is not None
    assert timed_out.execution_timed_out_details.error.payload == ErrorObject(
        error_type="Execution.TimedOut",
        error_message="Execution timed out after 120 seconds",
    )
    assert _offset(result, 3) == pytest.approx(120, abs=0.001)
    assert result.error is not None
    assert result.error.type == "Execution.TimedOut"
    started = result.history[0].execution_started_details
    assert started is not None
    assert started.execution_timeout == 120


def test_the_execution_timeout_fires_before_a_longer_wait(make_runner: Any) -> None:
    result = make_runner(nap).run(DAY, timeout=300)

    assert result.execution_status is ExecutionStatus.TIMED_OUT
    assert [row[0] for row in outline(result.history)] == [
        "ExecutionStarted",
        "WaitStarted",
        "InvocationCompleted",
        "ExecutionTimedOut",
    ]
    assert _offset(result, 3) == pytest.approx(300, abs=0.001)


# -- manual time ------------------------------------------------------------------


def test_manual_time_stands_still_until_advanced(make_runner: Any) -> None:
    runner = make_runner(nap, skip_time="manual")
    arn = runner.run_async(30)
    deadline = time.monotonic() + 10
    while len(runner.get_execution_history(arn)) < 3:
        assert time.monotonic() < deadline, "the first invocation never ended"
        time.sleep(0.005)

    runner.advance_time(arn, 29)
    assert _status(runner, arn) is ExecutionStatus.RUNNING
    assert runner.get_execution_history(arn)[-1].event_type is (
        EventType.INVOCATION_COMPLETED
    )
    runner.advance_time(arn, 1)

    result = runner.wait_for_result(arn, timeout=10)
    assert result.result == '"rested"'
    assert result.get_wait("nap").status is OperationStatus.SUCCEEDED
    assert _offset(result, 3) == pytest.approx(30, abs=0.001)


def test_manual_time_just_before_and_just_after_the_execution_timeout(
    make_runner: Any,
) -> None:
    runner = make_runner(approval, skip_time="manual")
    arn = runner.run_async({}, timeout=60)
    runner.wait_for_callback(arn)

    runner.advance_time(arn, 59.999)
    assert _status(runner, arn) is ExecutionStatus.RUNNING
    runner.advance_time(arn, 0.001)
    assert _status(runner, arn) is ExecutionStatus.TIMED_OUT

    result = runner.wait_for_result(arn, timeout=10)
    assert result.history[-1].event_type is EventType.EXECUTION_TIMED_OUT
    assert _offset(result, 3) == pytest.approx(60, abs=0.001)


def test_manual_time_just_before_and_just_after_a_callback_timeout(
    make_runner: Any,
) -> None:
    runner = make_runner(approval, skip_time="manual", execution_timeout=DAY)
    arn = runner.run_async({"timeout": HOUR})
    callback_id = runner.wait_for_callback(arn)

    runner.advance_time(arn, HOUR - 1)
    assert runner.get_execution_history(arn)[-1].event_type is (
        EventType.INVOCATION_COMPLETED
    )
    runner.advance_time(arn, 1)

    result = runner.wait_for_result(arn, timeout=10)
    assert [row[0] for row in outline(result.history)] == [
        "ExecutionStarted",
        "CallbackStarted",
        "InvocationCompleted",
        "CallbackTimedOut",
        "InvocationCompleted",
        "ExecutionFailed",
    ]
    assert _offset(result, 3) == pytest.approx(HOUR, abs=0.001)
    assert result.get_callback("approve").callback_id == callback_id


def test_a_heartbeat_keeps_a_callback_alive_in_manual_time(make_runner: Any) -> None:
    runner = make_runner(approval, skip_time="manual")
    arn = runner.run_async({"heartbeat": 10})
    callback_id = runner.wait_for_callback(arn)

    runner.advance_time(arn, 9)
    runner.send_callback_heartbeat(callback_id)
    runner.advance_time(arn, 9)
    runner.send_callback_success(callback_id, "late but alive")

    result = runner.wait_for_result(arn, timeout=10)
    assert result.result == '"approved: late but alive"'
    assert _offset(result, 3) == pytest.approx(18, abs=0.001)


def test_advance_time_rejects_going_back(make_runner: Any) -> None:
    runner = make_runner(approval, skip_time="manual")
    arn = runner.run_async({})

    with pytest.raises(ValueError, match="time only moves forward: got seconds=-1"):
        runner.advance_time(arn, -1)


# -- a callback holds the clock -----------------------------------------------------


def test_a_pending_callback_holds_the_clock_while_it_can_be_answered(
    make_runner: Any,
) -> None:
    runner = make_runner(approval)
    arn = runner.run_async({"timeout": HOUR})
    callback_id = runner.wait_for_callback(arn)
    time.sleep(0.2)

    record = runner.get_execution(arn)
    assert record.execution.status is ExecutionStatus.RUNNING
    assert [event.event_type for event in record.events][-1] is (
        EventType.INVOCATION_COMPLETED
    )
    runner.send_callback_success(callback_id, "in time")
    result = runner.wait_for_result(arn, timeout=10)
    assert result.result == '"approved: in time"'
    assert _offset(result, 3) < 60


def test_the_callback_lets_the_clock_go_once_the_test_waits_for_the_result(
    make_runner: Any,
) -> None:
    runner = make_runner(approval, execution_timeout=DAY)
    arn = runner.run_async({"timeout": HOUR})
    runner.wait_for_callback(arn)

    result = runner.wait_for_result(arn, timeout=10)

    assert result.history[3].event_type is EventType.CALLBACK_TIMED_OUT
    assert _offset(result, 3) == pytest.approx(HOUR, abs=0.5)


# -- one clock per execution ---------------------------------------------------------


def test_one_executions_long_wait_never_expires_anothers_callback(
    make_runner: Any,
) -> None:
    runner = make_runner(approval, execution_timeout=2 * DAY)
    runner.register_function("nap", nap)
    waiting = runner.run_async({"timeout": HOUR})
    callback_id = runner.wait_for_callback(waiting)

    napped = runner.run(DAY, function_name="nap")
    runner.send_callback_success(callback_id, "still here")

    assert napped.result == '"rested"'
    assert _offset(napped, 3) == pytest.approx(DAY, abs=0.5)
    result = runner.wait_for_result(waiting, timeout=10)
    assert result.result == '"approved: still here"'


# -- a day, two retries and an hour, in virtual time ---------------------------------


class FlakyStep:
    def __init__(self) -> None:
        self.attempts = 0

    def __call__(self, _: Any) -> str:
        self.attempts += 1
        if self.attempts <= 2:
            raise ConnectionError(f"attempt {self.attempts} failed")
        return "charged"


def long_story(step: FlakyStep) -> Any:
    retry = create_retry_strategy(
        RetryStrategyConfig(
            max_attempts=3,
            initial_delay=Duration.from_seconds(60),
            backoff_rate=1,
            jitter_strategy=JitterStrategy.NONE,
        )
    )

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        context.wait(Duration.from_days(1), name="a day")
        charged = context.step(step, name="charge", config=StepConfig(retry))
        callback = context.create_callback(
            name="receipt", config=CallbackConfig(timeout=Duration.from_hours(1))
        )
        try:
            return f"{charged}, {callback.result()}"
        except CallbackError:
            return f"{charged}, no receipt"

    return handler


def test_a_day_two_retries_and_an_hour_keep_their_modeled_times(
    make_runner: Any,
) -> None:
    step = FlakyStep()
    result = make_runner(long_story(step), execution_timeout=2 * DAY).run()

    assert result.result == '"charged, no receipt"'
    assert step.attempts == 3
    rows = outline(result.history)
    assert rows == [
        ("ExecutionStarted", None, None, None),
        ("WaitStarted", "Wait", "a day", None),
        ("InvocationCompleted", None, None, None),
        ("WaitSucceeded", "Wait", "a day", None),
        ("StepStarted", "Step", "charge", None),
        ("StepFailed", "Step", "charge", None),
        ("InvocationCompleted", None, None, None),
        ("StepStarted", "Step", "charge", None),
        ("StepFailed", "Step", "charge", None),
        ("InvocationCompleted", None, None, None),
        ("StepStarted", "Step", "charge", None),
        ("StepSucceeded", "Step", "charge", None),
        ("CallbackStarted", "Callback", "receipt", None),
        ("InvocationCompleted", None, None, None),
        ("CallbackTimedOut", "Callback", "receipt", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionSucceeded", None, None, None),
    ]
    waited = result.history[1].wait_started_details
    assert waited is not None
    assert waited.duration == DAY
    assert _offset(result, 3) == pytest.approx(DAY, abs=0.5)
    failures = [result.history[5], result.history[8]]
    assert [
        event.step_failed_details.retry_details
        for event in failures
        if event.step_failed_details is not None
    ] == [
        RetryDetails(current_attempt=1, next_attempt_delay_seconds=60),
        RetryDetails(current_attempt=2, next_attempt_delay_seconds=60),
    ]
    assert _offset(result, 7) - _offset(result, 5) == pytest.approx(60, abs=0.5)
    assert _offset(result, 10) - _offset(result, 8) == pytest.approx(60, abs=0.5)
    assert _offset(result, 14) - _offset(result, 12) == pytest.approx(HOUR, abs=0.001)
    callback = result.get_callback("receipt")
    assert callback.status is OperationStatus.TIMED_OUT
    assert callback.end_timestamp - callback.start_timestamp == dt.timedelta(
        seconds=HOUR
    )
