"""One operation's checkpointed payload is limited to 256 KB, as in the service."""

from __future__ import annotations

import re
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.execution import InvocationStatus

LIMIT = 256 * 1024


def _returning(size: int) -> Any:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        # The step's payload is the JSON string: the text and its two quotes.
        text = context.step(lambda _: "x" * (size - 2), name="big")
        return len(text)

    return handler


def test_a_step_result_at_the_limit_is_checkpointed(make_runner: Any) -> None:
    result = make_runner(_returning(LIMIT)).run()

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == str(LIMIT - 2)
    assert result.get_step("big").result == '"' + "x" * (LIMIT - 2) + '"'


def test_a_step_result_over_the_limit_fails_the_execution(make_runner: Any) -> None:
    result = make_runner(_returning(LIMIT + 1)).run()

    assert result.status is InvocationStatus.FAILED
    assert result.error is not None
    # The step's START and SUCCEED went in one checkpoint, refused whole.
    assert result.operations == []
    assert re.fullmatch(
        r"An error occurred \(InvalidParameterValueException\) when calling the "
        r"CheckpointDurableExecution operation: Updates\[\d\] \(Id '\w+'\): the "
        rf"payload is {LIMIT + 1} bytes, over the limit of {LIMIT} bytes for one "
        r"operation's payload; return less from the operation, or keep large data "
        r"elsewhere and return a reference to it",
        result.error.message or "",
    ), result.error.message
