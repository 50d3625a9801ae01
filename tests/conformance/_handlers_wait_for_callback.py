"""Handlers of the wait-for-callback suite (cases 7-N), from each case's prose."""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import (
    CallbackError,
    DurableContext,
    StepContext,
    durable_execution,
    durable_step,
    durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import Duration, WaitForCallbackConfig
from aws_durable_execution_sdk_python.types import WaitForCallbackContext

from ._handlers_common import Handler, HandlerFactory, JsonSerDes, fixed_retry

JSON = JsonSerDes()


def submit(callback_id: str, context: WaitForCallbackContext) -> None:
    """Hand the callback id to the external system (nothing durable to do)."""
    context.logger.info(f"submitted callback {callback_id}")


def failing_submitter(callback_id: str, context: WaitForCallbackContext) -> None:
    raise RuntimeError(f"could not submit callback {callback_id}")


def _config(
    *,
    timeout: int = 0,
    heartbeat_timeout: int = 0,
    retry_attempts: int = 0,
    as_json: bool = True,
) -> WaitForCallbackConfig:
    return WaitForCallbackConfig(
        timeout=Duration.from_seconds(timeout),
        heartbeat_timeout=Duration.from_seconds(heartbeat_timeout),
        # Without a serdes the payload text comes back as it is (None if absent).
        serdes=JSON if as_json else None,
        retry_strategy=fixed_retry(retry_attempts) if retry_attempts else None,
    )


def named_after_input(
    *,
    timeout: int = 0,
    heartbeat_timeout: int = 0,
    retry_attempts: int = 0,
    as_json: bool = True,
) -> HandlerFactory:
    """One wait_for_callback named after the input; its result is returned."""

    def build() -> Handler:
        submitter = failing_submitter if retry_attempts else submit

        @durable_execution
        def handler(event: Any, context: DurableContext) -> Any:
            return context.wait_for_callback(
                submitter,
                name=event,
                config=_config(
                    timeout=timeout,
                    heartbeat_timeout=heartbeat_timeout,
                    retry_attempts=retry_attempts,
                    as_json=as_json,
                ),
            )

        return handler

    return build


def static_name() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.wait_for_callback(submit, name="approval", config=_config())

    return handler


def anonymous_submitter() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.wait_for_callback(lambda callback_id, _: None, config=_config())

    return handler


def recovering(*, timeout: int = 0, recovery: str) -> HandlerFactory:
    def build() -> Handler:
        @durable_execution
        def handler(event: Any, context: DurableContext) -> Any:
            try:
                return context.wait_for_callback(
                    submit, name=event, config=_config(timeout=timeout)
                )
            except CallbackError:
                return recovery

        return handler

    return build


def inside_child_context() -> Handler:
    @durable_with_child_context
    def wrapper(child: DurableContext, name: str) -> Any:
        return child.wait_for_callback(submit, name=name, config=_config())

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(wrapper(event), name="wrapper")

    return handler


def two_in_sequence() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        context.wait_for_callback(submit, name="first", config=_config())
        return context.wait_for_callback(submit, name="second", config=_config())

    return handler


@durable_step
def fixed_data(step_context: StepContext) -> dict[str, Any]:
    return {"prepared": True}


def after_wait_and_step() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        context.wait(Duration.from_seconds(1))
        context.step(fixed_data())
        return context.wait_for_callback(submit, name=event, config=_config())

    return handler


def structured_result() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        received = context.wait_for_callback(submit, name=event, config=_config())
        return received["status"]

    return handler


WAIT_FOR_CALLBACK_HANDLERS: dict[str, HandlerFactory] = {
    "7-1": named_after_input(),
    "7-2": static_name,
    "7-3": anonymous_submitter,
    "7-4": named_after_input(),
    "7-5": named_after_input(timeout=3),
    "7-6": recovering(recovery="recovered"),
    "7-7": named_after_input(retry_attempts=2),
    "7-8": inside_child_context,
    "7-9": two_in_sequence,
    "7-10": after_wait_and_step,
    "7-11": structured_result,
    "7-12": named_after_input(heartbeat_timeout=5),
    "7-13": named_after_input(heartbeat_timeout=10),
    "7-14": recovering(timeout=3, recovery="timed-out-handled"),
    "7-15": named_after_input(as_json=False),
}
