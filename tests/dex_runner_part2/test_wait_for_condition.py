"""wait_for_condition: each poll a step attempt, its delays in virtual time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration, JitterStrategy
from aws_durable_execution_sdk_python.execution import InvocationStatus
from aws_durable_execution_sdk_python.lambda_service import OperationStatus
from aws_durable_execution_sdk_python.waits import (
    WaitForConditionConfig,
    WaitForConditionDecision,
    WaitStrategyConfig,
    create_wait_strategy,
)
from dex_schema import ErrorObject, EventType, RetryDetails

from .conftest import outline


def _every_seven_seconds(state: int, attempt: int) -> WaitForConditionDecision:
    if state >= 3:
        return WaitForConditionDecision.stop_polling()
    return WaitForConditionDecision.continue_waiting(Duration.from_seconds(7))


@durable_execution
def count_to_three(event: Any, context: DurableContext) -> int:
    config = WaitForConditionConfig(wait_strategy=_every_seven_seconds, initial_state=0)
    return context.wait_for_condition(lambda state, _: state + 1, config, name="poll")


def backoff(max_attempts: int, max_delay: int = 300) -> Any:
    strategy = create_wait_strategy(
        WaitStrategyConfig(
            should_continue_polling=lambda state: state < 4,
            max_attempts=max_attempts,
            initial_delay=Duration.from_seconds(5),
            max_delay=Duration.from_seconds(max_delay),
            backoff_rate=2,
            jitter_strategy=JitterStrategy.NONE,
        )
    )

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        config = WaitForConditionConfig(wait_strategy=strategy, initial_state=0)
        return context.wait_for_condition(
            lambda state, _: state + 1, config, name="poll"
        )

    return handler


POLL = [
    ("StepStarted", "WaitForCondition", "poll", None),
    ("StepSucceeded", "WaitForCondition", "poll", None),
    ("InvocationCompleted", None, None, None),
]


def _polls(result: Any) -> list[tuple[float, str | None, RetryDetails]]:
    start = result.history[0].event_timestamp
    rows = []
    for event in result.history:
        details = event.step_succeeded_details or event.step_failed_details
        if details is None:
            continue
        payload = (
            event.step_succeeded_details.result.payload
            if event.step_succeeded_details is not None
            else None
        )
        offset = (event.event_timestamp - start).total_seconds()
        rows.append((round(offset), payload, details.retry_details))
    return rows


def test_each_poll_is_an_attempt_of_one_step(make_runner: Any) -> None:
    result = make_runner(count_to_three).run()

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == "3"
    assert outline(result.history) == [
        ("ExecutionStarted", None, None, None),
        *POLL,
        *POLL,
        *POLL,
        ("ExecutionSucceeded", None, None, None),
    ]


def test_the_state_and_delay_of_each_poll_are_recorded(make_runner: Any) -> None:
    result = make_runner(count_to_three).run()

    assert _polls(result) == [
        (0, "1", RetryDetails(current_attempt=1, next_attempt_delay_seconds=7)),
        (7, "2", RetryDetails(current_attempt=2, next_attempt_delay_seconds=7)),
        (14, "3", RetryDetails(current_attempt=3)),
    ]
    poll = result.get_step("poll")
    assert poll.status is OperationStatus.SUCCEEDED
    assert poll.attempt == 3
    assert poll.end_timestamp - poll.start_timestamp >= dt.timedelta(seconds=14)


def test_an_exponential_strategy_doubles_the_delay(make_runner: Any) -> None:
    result = make_runner(backoff(max_attempts=10)).run()

    assert result.result == "4"
    assert [(offset, retry) for offset, _, retry in _polls(result)] == [
        (0, RetryDetails(current_attempt=1, next_attempt_delay_seconds=5)),
        (5, RetryDetails(current_attempt=2, next_attempt_delay_seconds=10)),
        (15, RetryDetails(current_attempt=3, next_attempt_delay_seconds=20)),
        (35, RetryDetails(current_attempt=4)),
    ]


def test_the_delay_stops_growing_at_the_max_delay(make_runner: Any) -> None:
    result = make_runner(backoff(max_attempts=10, max_delay=8)).run()

    assert [retry.next_attempt_delay_seconds for _, _, retry in _polls(result)] == [
        5,
        8,
        8,
        None,
    ]


def test_running_out_of_attempts_fails_the_step_and_the_execution(
    make_runner: Any,
) -> None:
    result = make_runner(backoff(max_attempts=2)).run()

    assert result.status is InvocationStatus.FAILED
    assert outline(result.history) == [
        ("ExecutionStarted", None, None, None),
        *POLL,
        ("StepStarted", "WaitForCondition", "poll", None),
        ("StepFailed", "WaitForCondition", "poll", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionFailed", None, None, None),
    ]
    failed = result.history[5]
    assert failed.event_type is EventType.STEP_FAILED
    assert failed.step_failed_details is not None
    assert failed.step_failed_details.retry_details == RetryDetails(current_attempt=2)
    message = "wait_for_condition exhausted 2 attempts before the condition was met"
    assert failed.step_failed_details.error.payload == ErrorObject(
        error_type="aws_durable_execution_sdk_python.exceptions.WaitForConditionError",
        error_message=message,
    )
    assert result.error is not None
    assert result.error.message == message


@durable_execution
def broken_check(event: Any, context: DurableContext) -> int:
    def check(state: int, _: Any) -> int:
        raise ConnectionError("probe down")

    config = WaitForConditionConfig(wait_strategy=_every_seven_seconds, initial_state=0)
    return context.wait_for_condition(check, config, name="poll")


def test_a_check_that_raises_fails_the_step_with_its_error(make_runner: Any) -> None:
    result = make_runner(broken_check).run()

    assert result.status is InvocationStatus.FAILED
    assert outline(result.history) == [
        ("ExecutionStarted", None, None, None),
        ("StepStarted", "WaitForCondition", "poll", None),
        ("StepFailed", "WaitForCondition", "poll", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionFailed", None, None, None),
    ]
    failed = result.history[2].step_failed_details
    assert failed is not None
    assert failed.error.payload is not None
    assert failed.error.payload.error_message == "probe down"
