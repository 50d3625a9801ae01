"""Handlers of the callback suite (cases 4-N), from each case's prose."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aws_durable_execution_sdk_python import (
    CallbackError,
    DurableContext,
    StepContext,
    durable_execution,
    durable_step,
)
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
from aws_durable_execution_sdk_python.serdes import SerDes, SerDesContext

from ._handlers_common import Handler, HandlerFactory, JsonSerDes

JSON = JsonSerDes()


def _config(
    *, timeout: int = 0, heartbeat_timeout: int = 0, serdes: SerDes[Any] = JSON
) -> CallbackConfig:
    return CallbackConfig(
        timeout=Duration.from_seconds(timeout),
        heartbeat_timeout=Duration.from_seconds(heartbeat_timeout),
        serdes=serdes,
    )


@durable_step
def record_request(step_context: StepContext, callback_id: str) -> str:
    return f"requested approval through {callback_id}"


def await_callback(
    *, name: str | None = None, timeout: int = 0, heartbeat_timeout: int = 0
) -> HandlerFactory:
    """Create one callback (named ``name`` or after the input) and return its result."""

    def build() -> Handler:
        @durable_execution
        def handler(event: Any, context: DurableContext) -> Any:
            callback = context.create_callback(
                name=name or event,
                config=_config(timeout=timeout, heartbeat_timeout=heartbeat_timeout),
            )
            return callback.result()

        return handler

    return build


def callback_step_result(*, timeout: int = 0) -> HandlerFactory:
    def build() -> Handler:
        @durable_execution
        def handler(event: Any, context: DurableContext) -> Any:
            callback = context.create_callback(
                name=event, config=_config(timeout=timeout)
            )
            context.step(record_request(callback.callback_id))
            return callback.result()

        return handler

    return build


def callback_wait_result(*, timeout: int = 0, wait_seconds: int) -> HandlerFactory:
    def build() -> Handler:
        @durable_execution
        def handler(event: Any, context: DurableContext) -> Any:
            callback = context.create_callback(
                name=event, config=_config(timeout=timeout)
            )
            context.wait(Duration.from_seconds(wait_seconds))
            return callback.result()

        return handler

    return build


def callback_then_wait() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        callback = context.create_callback(name=event, config=_config())
        value = callback.result()
        context.wait(Duration.from_seconds(2))
        return value

    return handler


def callback_error_caught_then_wait(*, timeout: int = 0) -> HandlerFactory:
    def build() -> Handler:
        @durable_execution
        def handler(event: Any, context: DurableContext) -> Any:
            callback = context.create_callback(
                name=event, config=_config(timeout=timeout)
            )
            try:
                message = f"callback returned {callback.result()!r}"
            except CallbackError as error:
                message = f"callback error caught: {error}"
            context.wait(Duration.from_seconds(2))
            return message

        return handler

    return build


class ReceivedSerDes(SerDes[dict[str, Any]]):
    """Reads the JSON payload and turns its RFC 3339 timestamp into epoch seconds."""

    def serialize(self, value: dict[str, Any], serdes_context: SerDesContext) -> str:
        return json.dumps(value)

    def deserialize(self, data: str, serdes_context: SerDesContext) -> dict[str, Any]:
        received = json.loads(data)
        moment = datetime.fromisoformat(received["timestamp"].replace("Z", "+00:00"))
        return {**received, "timestamp": int(moment.timestamp())}


class CountSerDes(SerDes[int]):
    """Reads the payload text as a whole number."""

    def serialize(self, value: int, serdes_context: SerDesContext) -> str:
        return str(value)

    def deserialize(self, data: str, serdes_context: SerDesContext) -> int:
        return int(json.loads(data))


def typed_payload() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        callback = context.create_callback(
            name=event, config=_config(serdes=ReceivedSerDes())
        )
        return {"received": callback.result()}

    return handler


def numeric_payload() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        callback = context.create_callback(
            name=event, config=_config(serdes=CountSerDes())
        )
        count = callback.result()
        if count is None:
            raise ValueError("the callback succeeded without a count")
        return {"count": count, "doubled": count * 2}

    return handler


def two_sequential_callbacks() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        first = context.create_callback(name=event[0], config=_config()).result()
        second = context.create_callback(name=event[1], config=_config()).result()
        return [first, second]

    return handler


def two_callbacks(*, reverse: bool) -> HandlerFactory:
    def build() -> Handler:
        @durable_execution
        def handler(event: Any, context: DurableContext) -> Any:
            callback_a = context.create_callback(name=event[0], config=_config())
            callback_b = context.create_callback(name=event[1], config=_config())
            if reverse:
                result_b = callback_b.result()
                result_a = callback_a.result()
            else:
                result_a = callback_a.result()
                result_b = callback_b.result()
            return [result_a, result_b]

        return handler

    return build


CALLBACK_HANDLERS: dict[str, HandlerFactory] = {
    "4-1": await_callback(),
    "4-2": await_callback(name="approval"),
    "4-3": await_callback(timeout=5),
    "4-4": await_callback(heartbeat_timeout=5),
    "4-5": await_callback(heartbeat_timeout=10),
    "4-6": await_callback(),
    "4-7": callback_step_result(),
    "4-8": callback_step_result(timeout=5),
    "4-9": callback_wait_result(wait_seconds=5),
    "4-10": callback_wait_result(wait_seconds=5),
    "4-11": callback_wait_result(timeout=3, wait_seconds=6),
    "4-12": callback_then_wait,
    "4-13": callback_error_caught_then_wait(),
    "4-14": callback_error_caught_then_wait(timeout=3),
    "4-15": typed_payload,
    "4-16": numeric_payload,
    "4-17": two_sequential_callbacks,
    "4-18": two_callbacks(reverse=False),
    "4-19": two_callbacks(reverse=True),
}
