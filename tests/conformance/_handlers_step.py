"""Handlers of the step suite (cases 1-N), written from each case's prose."""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import (
    DurableContext,
    StepContext,
    StepError,
    durable_execution,
    durable_step,
)
from aws_durable_execution_sdk_python.config import (
    Duration,
    JitterStrategy,
    StepConfig,
    StepSemantics,
)
from aws_durable_execution_sdk_python.retries import (
    RetryDecision,
    RetryPresets,
    RetryStrategyConfig,
    create_retry_strategy,
)

from ._handlers_common import (
    Handler,
    HandlerFactory,
    TransientError,
    UppercaseJsonSerDes,
    crash,
    fixed_retry,
)


@durable_step
def greet(step_context: StepContext, name: str) -> str:
    return f"Hello, {name}!"


def step_basic() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(greet(event))

    return handler


def step_with_name() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(lambda _: f"Hello, {event}!", name="custom_step_name")

    return handler


def sequential_steps() -> Handler:
    @durable_step
    def step_one(step_context: StepContext) -> str:
        return "first"

    @durable_step
    def step_two(step_context: StepContext, previous: str) -> str:
        return f"{previous}_second"

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        result1 = context.step(step_one())
        return context.step(step_two(result1))

    return handler


def complex_object() -> Handler:
    @durable_step
    def build_response(step_context: StepContext, user: dict[str, Any]) -> Any:
        tags = list(user["tags"])
        return {"user": {"name": user["name"], "tags": tags}, "count": len(tags)}

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(build_response(event))

    return handler


def null_result() -> Handler:
    @durable_step
    def do_nothing(step_context: StepContext) -> None:
        return None

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(do_nothing())

    return handler


def custom_serdes() -> Handler:
    @durable_step
    def return_input(step_context: StepContext, value: str) -> str:
        return value

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(
            return_input(event), config=StepConfig(serdes=UppercaseJsonSerDes())
        )

    return handler


def step_context_logger() -> Handler:
    @durable_step
    def greet_and_log(step_context: StepContext, name: str) -> str:
        step_context.logger.info(f"Greeting step started for: {name}")
        greeting = f"Hello, {name}!"
        step_context.logger.info(f"Greeting step completed with: {greeting}")
        return greeting

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(greet_and_log(event))

    return handler


def step_then_wait(result: str, wait_seconds: int) -> HandlerFactory:
    def build() -> Handler:
        @durable_step
        def func(step_context: StepContext) -> str:
            step_context.logger.info("step executed")
            return result

        @durable_execution
        def handler(event: Any, context: DurableContext) -> Any:
            value = context.step(func())
            context.wait(Duration.from_seconds(wait_seconds))
            return value

        return handler

    return build


def replay_rethrows_failed_step() -> Handler:
    @durable_step
    def func(step_context: StepContext) -> str:
        step_context.logger.info("step executed")
        raise RuntimeError("permanent failure")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        outcome = "step succeeded"
        try:
            context.step(func(), config=StepConfig(retry_strategy=RetryPresets.none()))
        except StepError as error:
            outcome = f"caught: {error}"
        context.wait(Duration.from_seconds(1))
        return outcome

    return handler


def fails_until_attempt(succeeds_on: int, strategy: Any, result: str) -> HandlerFactory:
    """A step that raises on every attempt before ``succeeds_on``."""

    def build() -> Handler:
        @durable_step
        def unreliable_func(step_context: StepContext) -> str:
            if step_context.attempt < succeeds_on:
                raise RuntimeError(f"attempt {step_context.attempt} failed")
            return result

        @durable_execution
        def handler(event: Any, context: DurableContext) -> Any:
            config = None if strategy is None else StepConfig(retry_strategy=strategy)
            return context.step(unreliable_func(), config=config)

        return handler

    return build


def retry_exhaustion() -> Handler:
    @durable_step
    def always_fail(step_context: StepContext) -> str:
        raise RuntimeError(f"attempt {step_context.attempt} failed")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(
            always_fail(), config=StepConfig(retry_strategy=fixed_retry(4))
        )

    return handler


def custom_backoff() -> Handler:
    strategy = create_retry_strategy(
        RetryStrategyConfig(
            max_attempts=5,
            initial_delay=Duration.from_seconds(2),
            backoff_rate=3,
            jitter_strategy=JitterStrategy.NONE,
        )
    )
    return fails_until_attempt(3, strategy, "succeeded on third attempt")()


def retry_on_transient(error: Exception, attempts_made: int) -> RetryDecision:
    if isinstance(error, TransientError) and attempts_made < 3:
        return RetryDecision.retry(Duration.from_seconds(1))
    return RetryDecision.no_retry()


def no_retry_on_transient(error: Exception, attempts_made: int) -> RetryDecision:
    if isinstance(error, TransientError):
        return RetryDecision.no_retry()
    return RetryDecision.retry(Duration.from_seconds(1))


def retry_specific_exception() -> Handler:
    @durable_step
    def func(step_context: StepContext) -> str:
        if step_context.attempt == 1:
            raise TransientError("temporarily unavailable")
        return "recovered from transient error"

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(
            func(), config=StepConfig(retry_strategy=retry_on_transient)
        )

    return handler


def non_retryable_exception() -> Handler:
    @durable_step
    def func(step_context: StepContext) -> str:
        raise TransientError("not retried by this strategy")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(
            func(), config=StepConfig(retry_strategy=no_retry_on_transient)
        )

    return handler


def at_most_once_no_retry() -> Handler:
    def at_most_once_flaky_step(step_context: StepContext, value: str) -> str:
        step_context.logger.info(value)
        crash()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(
            lambda step_context: at_most_once_flaky_step(step_context, event),
            name="at_most_once_flaky_step",
            config=StepConfig(
                retry_strategy=RetryPresets.none(),
                step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY,
            ),
        )

    return handler


def at_most_once_with_retry() -> Handler:
    @durable_step
    def flaky_step(step_context: StepContext, value: str) -> str:
        step_context.logger.info(value)
        if step_context.attempt == 1:
            crash()
        return "succeeded on second attempt"

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(
            flaky_step(event),
            config=StepConfig(
                retry_strategy=fixed_retry(2),
                step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY,
            ),
        )

    return handler


def fails_permanently() -> Handler:
    @durable_step
    def failing_func(step_context: StepContext) -> str:
        raise RuntimeError("step failed permanently")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(
            failing_func(), config=StepConfig(retry_strategy=RetryPresets.none())
        )

    return handler


def error_caught() -> Handler:
    @durable_step
    def failing_func(step_context: StepContext) -> str:
        raise RuntimeError("step failed")

    @durable_step
    def use_fallback(step_context: StepContext, fallback: str) -> str:
        return fallback

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        try:
            value = context.step(
                failing_func(), config=StepConfig(retry_strategy=RetryPresets.none())
            )
        except StepError:
            value = "fallback_result"
        return context.step(use_fallback(value))

    return handler


STEP_HANDLERS: dict[str, HandlerFactory] = {
    "1-1": step_basic,
    "1-2": step_with_name,
    "1-3": sequential_steps,
    "1-4": complex_object,
    "1-5": null_result,
    "1-6": custom_serdes,
    "1-7": step_context_logger,
    "1-8": step_then_wait("computed", 2),
    "1-9": step_then_wait("cached_value", 1),
    "1-10": replay_rethrows_failed_step,
    "1-11": fails_until_attempt(2, fixed_retry(3), "Operation succeeded"),
    "1-12": retry_exhaustion,
    "1-13": fails_until_attempt(3, None, "succeeded with the default strategy"),
    "1-14": custom_backoff,
    "1-15": retry_specific_exception,
    "1-16": non_retryable_exception,
    "1-17": at_most_once_no_retry,
    "1-18": at_most_once_with_retry,
    "1-19": fails_permanently,
    "1-20": error_caught,
}
