"""Step retries: RETRY makes the step PENDING until its delay passes, then READY."""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration, StepConfig, StepSemantics
from aws_durable_execution_sdk_python.execution import InvocationStatus
from aws_durable_execution_sdk_python.retries import (
    JitterStrategy,
    RetryStrategyConfig,
    create_retry_strategy,
)
from dex_schema import ErrorObject, RetryDetails


def _retry(max_attempts: int) -> StepConfig:
    return StepConfig(
        retry_strategy=create_retry_strategy(
            RetryStrategyConfig(
                max_attempts=max_attempts,
                initial_delay=Duration.from_seconds(60),
                backoff_rate=2,
                jitter_strategy=JitterStrategy.NONE,
            )
        )
    )


def _flaky(failures: int, max_attempts: int) -> Any:
    calls = {"n": 0}

    def attempt(_: Any) -> str:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise RuntimeError(f"boom {calls['n']}")
        return "ok"

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(attempt, name="flaky", config=_retry(max_attempts))

    return handler


def test_failed_attempts_are_retried_after_their_delays(make_runner: Any) -> None:
    result = make_runner(_flaky(failures=2, max_attempts=5)).run()

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == '"ok"'
    step_events = [
        (
            event.event_type.value,
            event.step_failed_details or event.step_succeeded_details,
        )
        for event in result.history
        if event.event_type.value.startswith("Step")
    ]
    assert [
        (kind, details.retry_details if details else None)
        for kind, details in step_events
    ] == [
        ("StepStarted", None),
        ("StepFailed", RetryDetails(current_attempt=1, next_attempt_delay_seconds=60)),
        ("StepStarted", None),
        ("StepFailed", RetryDetails(current_attempt=2, next_attempt_delay_seconds=120)),
        ("StepStarted", None),
        ("StepSucceeded", RetryDetails(current_attempt=3)),
    ]
    failed = result.history[2].step_failed_details
    assert failed is not None
    assert failed.error.payload == ErrorObject(
        error_type="RuntimeError", error_message="boom 1"
    )
    assert result.get_step("flaky").attempt == 3


def test_each_retry_waits_its_delay_in_virtual_time(make_runner: Any) -> None:
    result = make_runner(_flaky(failures=2, max_attempts=5)).run()

    starts = [
        event.event_timestamp
        for event in result.history
        if event.event_type.value == "StepStarted"
    ]
    gaps = [
        (later - earlier).total_seconds()
        for earlier, later in itertools.pairwise(starts)
    ]
    assert [round(gap) for gap in gaps] == [60, 120]


def test_exhausted_retries_fail_the_execution_with_the_last_error(
    make_runner: Any,
) -> None:
    result = make_runner(_flaky(failures=9, max_attempts=2)).run()

    assert result.status is InvocationStatus.FAILED
    assert result.error is not None
    assert result.error.message == "boom 2"
    last = [e for e in result.history if e.event_type.value == "StepFailed"][-1]
    assert last.step_failed_details is not None
    assert last.step_failed_details.retry_details == RetryDetails(current_attempt=2)
    assert [event.event_type.value for event in result.history][-2:] == [
        "InvocationCompleted",
        "ExecutionFailed",
    ]


def test_a_pending_retry_records_its_next_attempt_time(
    make_runner: Any, store: Any
) -> None:
    runner = make_runner(_flaky(failures=1, max_attempts=3), skip_time="manual")
    arn = runner.run_async()
    _wait_until(
        lambda: (
            len(store.load(arn).invocations) == 1
            and store.load(arn).invocations[0].end_timestamp
        )
    )

    step = next(op for op in store.load(arn).operations if op.name == "flaky")
    assert step.status.value == "PENDING"
    assert step.step_details is not None
    assert step.step_details.attempt == 1
    assert step.step_details.next_attempt_timestamp == _failed_at(
        store, arn
    ) + dt.timedelta(seconds=60)

    runner.advance_time(arn, 60)
    assert runner.wait_for_result(arn).result == '"ok"'


def test_an_interrupted_at_most_once_step_is_not_run_again(make_runner: Any) -> None:
    runs = {"n": 0}

    def crash_once(_: Any) -> str:
        runs["n"] += 1
        sys.exit(1)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(
            crash_once,
            name="once",
            config=StepConfig(
                step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY,
                retry_strategy=create_retry_strategy(
                    RetryStrategyConfig(max_attempts=1)
                ),
            ),
        )

    result = make_runner(handler).run()

    assert runs["n"] == 1
    assert result.status is InvocationStatus.FAILED
    types = [event.event_type.value for event in result.history]
    assert types == [
        "ExecutionStarted",
        "StepStarted",
        "InvocationCompleted",
        "StepFailed",
        "InvocationCompleted",
        "ExecutionFailed",
    ]
    crashed = result.history[2].invocation_completed_details
    assert crashed is not None and crashed.error is not None
    assert crashed.error.payload is not None
    assert crashed.error.payload.error_type == "Runtime.ExitError"


def _failed_at(store: Any, arn: str) -> dt.datetime:
    failed = [e for e in store.load(arn).events if e.event_type.value == "StepFailed"]
    stamp = failed[0].event_timestamp
    assert stamp is not None
    return stamp


def _wait_until(condition: Any) -> None:
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("condition never held")
