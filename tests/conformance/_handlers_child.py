"""Handlers of the child context suite (cases 3-N), from each case's prose."""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import (
    ChildContextError,
    DurableContext,
    StepContext,
    durable_execution,
    durable_step,
    durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import ChildConfig, Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets

from ._handlers_common import (
    Counter,
    Handler,
    HandlerFactory,
    UppercaseTextSerDes,
    crash,
    fixed_retry,
    replay_logging,
)

LARGE_RESULT_BYTES = 300 * 1024
"""Above the SDK's 256 KiB checkpoint limit, so the child replays its children."""


@durable_step
def return_value(step_context: StepContext, value: Any) -> Any:
    return value


@durable_step
def always_fail(step_context: StepContext) -> Any:
    raise RuntimeError(f"step failed on attempt {step_context.attempt}")


@durable_with_child_context
def step_inside(child: DurableContext, value: Any) -> Any:
    return child.step(return_value(value))


def child_basic() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(step_inside(event))

    return handler


def child_with_name() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(
            step_inside(event["value"]), name=event["name"]
        )

    return handler


def child_sequential_steps() -> Handler:
    @durable_with_child_context
    def two_steps(child: DurableContext, value: str) -> Any:
        first = child.step(return_value(value))
        return child.step(return_value(first))

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(two_steps(event))

    return handler


@durable_with_child_context
def failing_child(child: DurableContext) -> Any:
    return child.step(
        always_fail(), config=StepConfig(retry_strategy=RetryPresets.none())
    )


def child_error() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(failing_child())

    return handler


def child_error_caught() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        try:
            context.run_in_child_context(failing_child())
        except ChildContextError as error:
            context.logger.info(f"child context failed, recovering: {error}")
        return context.step(return_value(event))

    return handler


def nested_children() -> Handler:
    @durable_with_child_context
    def outer(child: DurableContext, value: str) -> Any:
        child.step(return_value(value))
        return child.run_in_child_context(step_inside(value))

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(outer(event))

    return handler


def child_step_retry() -> Handler:
    @durable_step
    def unreliable(step_context: StepContext, value: str) -> str:
        if step_context.attempt == 1:
            raise RuntimeError("first attempt failed")
        return value

    @durable_with_child_context
    def retrying(child: DurableContext, value: str) -> Any:
        return child.step(
            unreliable(value), config=StepConfig(retry_strategy=fixed_retry(3))
        )

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(retrying(event))

    return handler


def child_retry_exhaustion() -> Handler:
    @durable_with_child_context
    def exhausting(child: DurableContext) -> Any:
        return child.step(
            always_fail(), config=StepConfig(retry_strategy=fixed_retry(2))
        )

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(exhausting())

    return handler


def child_then_wait() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        value = context.run_in_child_context(step_inside(event))
        context.wait(Duration.from_seconds(1))
        return value

    return handler


def child_step_and_wait() -> Handler:
    @durable_with_child_context
    def step_and_wait(child: DurableContext, value: str) -> Any:
        child.step(return_value(value))
        child.wait(Duration.from_seconds(1))
        return value

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(step_and_wait(event))

    return handler


def child_large_result() -> Handler:
    @durable_with_child_context
    def build_large(child: DurableContext, value: str) -> Any:
        replay_logging(child.logger).info(f"building a large result for {value}")
        piece = child.step(return_value(value))
        return piece * (LARGE_RESULT_BYTES // len(piece) + 1)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        large = context.run_in_child_context(build_large(event))
        context.wait(Duration.from_seconds(1))
        return len(large)

    return handler


def child_interrupted() -> Handler:
    runs = Counter()

    @durable_step
    def crash_once(step_context: StepContext, value: str) -> str:
        if runs.next() == 1:
            # The at-least-once START is queued, not yet sent; dex's sys.exit
            # lets queued checkpoints out first, as Lambda's process usually does.
            crash()
        return value

    @durable_with_child_context
    def interrupted(child: DurableContext, value: str) -> Any:
        return child.step(crash_once(value))

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(interrupted(event))

    return handler


def child_wait_only() -> Handler:
    @durable_with_child_context
    def wait_only(child: DurableContext, value: str) -> Any:
        child.wait(Duration.from_seconds(1))
        return value

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        context.run_in_child_context(wait_only(event))
        return context.step(return_value(event))

    return handler


def child_custom_serdes() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(
            step_inside(event), config=ChildConfig(serdes=UppercaseTextSerDes())
        )

    return handler


def child_error_without_step() -> Handler:
    @durable_with_child_context
    def raising(child: DurableContext) -> Any:
        raise ValueError("child body failed before any durable operation")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(raising())

    return handler


def child_returning_null() -> Handler:
    @durable_with_child_context
    def nothing(child: DurableContext) -> None:
        return None

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(nothing())

    return handler


def child_logger_only() -> Handler:
    @durable_with_child_context
    def log_only(child: DurableContext, value: str) -> Any:
        replay_logging(child.logger).info(f"child received {value}")
        return value

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        value = context.run_in_child_context(log_only(event))
        context.wait(Duration.from_seconds(1))
        return value

    return handler


def child_mixed_operations() -> Handler:
    @durable_with_child_context
    def step_and_wait(child: DurableContext, value: str) -> Any:
        child.step(return_value(value))
        child.wait(Duration.from_seconds(1))
        return value

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        context.run_in_child_context(step_and_wait(event))
        value = context.step(return_value(event))
        context.wait(Duration.from_seconds(1))
        return value

    return handler


CHILD_HANDLERS: dict[str, HandlerFactory] = {
    "3-1": child_basic,
    "3-2": child_with_name,
    "3-3": child_sequential_steps,
    "3-4": child_error,
    "3-5": child_error_caught,
    "3-6": nested_children,
    "3-7": child_step_retry,
    "3-8": child_retry_exhaustion,
    "3-9": child_then_wait,
    "3-10": child_step_and_wait,
    "3-11": child_large_result,
    "3-12": child_interrupted,
    "3-13": child_wait_only,
    "3-14": child_custom_serdes,
    "3-15": child_error_without_step,
    "3-16": child_returning_null,
    "3-17": child_logger_only,
    "3-18": child_mixed_operations,
}
