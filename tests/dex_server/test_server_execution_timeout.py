"""A served function's durable ExecutionTimeout: the server's default or its own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration
from dex_runner import InvalidParameterValueError
from dex_server import DexServer
from dex_server_helpers import lambda_client, wait_ended
from dex_store_memory import MemoryExecutionStore


def _two_hours(event: Any, context: DurableContext) -> str:
    context.wait(Duration.from_hours(2), name="two-hours")
    return "done"


def _invoke(client: Any, function: str) -> dict[str, Any]:
    started = client.invoke(
        FunctionName=function,
        InvocationType="Event",
        Payload=b"{}",
        DurableExecutionName=f"{function}-run",
    )
    return wait_ended(client, started["DurableExecutionArn"])


def _serve(server: DexServer, name: str, **options: Any) -> None:
    handler = durable_execution(_two_hours, boto3_client=lambda_client(server.url))
    server.add_handler(name, handler, **options)


def test_the_default_execution_timeout_is_300_seconds() -> None:
    with DexServer(MemoryExecutionStore()) as server:
        _serve(server, "short")

        ended = _invoke(lambda_client(server.url), "short")

    assert ended["Status"] == "TIMED_OUT"
    assert ended["Error"]["ErrorMessage"] == "Execution timed out after 300 seconds"


def test_the_server_and_a_function_can_set_a_longer_one() -> None:
    with DexServer(MemoryExecutionStore(), execution_timeout=3 * 3600) as server:
        _serve(server, "by-server")
        _serve(server, "own", execution_timeout=60)
        client = lambda_client(server.url)

        by_server = _invoke(client, "by-server")
        own = _invoke(client, "own")

    assert (by_server["Status"], json.loads(by_server["Result"])) == (
        "SUCCEEDED",
        "done",
    )
    assert own["Status"] == "TIMED_OUT"
    assert own["Error"]["ErrorMessage"] == "Execution timed out after 60 seconds"


@pytest.mark.parametrize("seconds", [0, 31_622_401, True])
def test_an_execution_timeout_out_of_range_is_refused(seconds: Any) -> None:
    with pytest.raises(InvalidParameterValueError) as caught:
        DexServer(MemoryExecutionStore(), execution_timeout=seconds)

    assert str(caught.value) == (
        f"Invalid execution timeout {seconds!r}: expected whole seconds from 1 to "
        "31622400"
    )
