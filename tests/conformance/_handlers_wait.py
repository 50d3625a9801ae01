"""Handlers of the wait suite (cases 2-N), written from each case's prose."""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration

from ._handlers_common import Handler, HandlerFactory


def single_wait(duration: Duration, name: str | None = None) -> HandlerFactory:
    def build() -> Handler:
        @durable_execution
        def handler(event: Any, context: DurableContext) -> Any:
            context.wait(duration, name=name)
            return None

        return handler

    return build


def sequential_waits() -> Handler:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        context.wait(Duration.from_seconds(2), name="wait-1")
        context.wait(Duration.from_seconds(2), name="wait-2")
        return {"completedWaits": 2}

    return handler


WAIT_HANDLERS: dict[str, HandlerFactory] = {
    "2-1": single_wait(Duration.from_seconds(2)),
    "2-2": single_wait(Duration.from_seconds(2), name="custom_wait_name"),
    "2-3": sequential_waits,
    "2-4": single_wait(Duration.from_minutes(1)),
    "2-5": single_wait(Duration.from_hours(1)),
}
