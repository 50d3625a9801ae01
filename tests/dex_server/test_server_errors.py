"""Every error a route can return reaches boto3 as ClientError with its code."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
from aws_durable_execution_sdk_python.exceptions import CallbackError
from botocore.exceptions import ClientError
from dex_server import DexServer
from dex_server_helpers import (
    all_events,
    lambda_client,
    wait_ended,
    wait_for_callback_id,
)
from dex_store_memory import MemoryExecutionStore

MISSING = (
    "arn:aws:lambda:us-east-1:123456789012:function:calc:$LATEST/"
    "durable-execution/nobody/00000000-0000-0000-0000-000000000000"
)


def quick(event: Any, context: Any) -> Any:
    return context.step(lambda _: "done", name="only")


def approval(event: Any, context: Any) -> Any:
    return context.wait_for_callback(lambda callback_id, _: None, name="approve")


def two_callbacks(event: Any, context: Any) -> Any:
    short = context.create_callback(
        name="short", config=CallbackConfig(timeout=Duration.from_seconds(1))
    )
    with contextlib.suppress(CallbackError):
        short.result()
    return context.wait_for_callback(lambda callback_id, _: None, name="long")


def _error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def _start(client: Any, name: str, payload: Any = None, **options: Any) -> str:
    response = client.invoke(
        FunctionName=name,
        InvocationType="Event",
        Payload=json.dumps(payload if payload is not None else {}),
        **options,
    )
    arn: str = response["DurableExecutionArn"]
    return arn


# -- ResourceNotFoundException -------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        "get_durable_execution",
        "get_durable_execution_history",
        "stop_durable_execution",
        "delete_durable_execution",
    ],
)
def test_an_unknown_execution_is_resource_not_found(client: Any, call: str) -> None:
    with pytest.raises(ClientError) as raised:
        getattr(client, call)(DurableExecutionArn=MISSING)

    assert _error(raised) == (
        "ResourceNotFoundException",
        404,
        f"Durable execution {MISSING!r} not found",
    )


@pytest.mark.parametrize(
    ("call", "options"),
    [
        ("send_durable_execution_callback_success", {"Result": b"1"}),
        ("send_durable_execution_callback_failure", {}),
        ("send_durable_execution_callback_heartbeat", {}),
    ],
)
def test_an_unknown_callback_is_resource_not_found(
    client: Any, call: str, options: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as raised:
        getattr(client, call)(CallbackId="bm90LWEtY2FsbGJhY2s", **options)

    assert _error(raised) == (
        "ResourceNotFoundException",
        404,
        "Callback 'bm90LWEtY2FsbGJhY2s' not found: this service did not issue it; "
        "use the CallbackId of a CallbackStarted event",
    )


def test_invoking_a_function_the_server_does_not_serve_is_not_found(
    client: Any, serve: Any
) -> None:
    serve("calc", quick)

    with pytest.raises(ClientError) as raised:
        client.invoke(FunctionName="orders", Payload=b"{}")

    assert _error(raised) == (
        "ResourceNotFoundException",
        404,
        "Function not found: orders; this server serves calc",
    )


# -- InvalidParameterValueException --------------------------------------------


def test_a_checkpoint_with_a_stale_token_is_an_invalid_checkpoint_token(
    client: Any, serve: Any
) -> None:
    serve("calc", quick)
    arn = _start(client, "calc")
    wait_ended(client, arn)

    with pytest.raises(ClientError) as raised:
        client.checkpoint_durable_execution(
            DurableExecutionArn=arn, CheckpointToken="stale", Updates=[]
        )

    code, status, message = _error(raised)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == (
        f"Invalid checkpoint token: execution {arn} accepts no checkpoint now: the "
        "invocation that held this token has ended, was timed out or the "
        "execution is over"
    )


def test_checkpoint_and_state_of_an_unknown_execution_are_invalid(
    client: Any,
) -> None:
    with pytest.raises(ClientError) as checkpoint:
        client.checkpoint_durable_execution(
            DurableExecutionArn=MISSING, CheckpointToken="t", Updates=[]
        )
    with pytest.raises(ClientError) as state:
        client.get_durable_execution_state(
            DurableExecutionArn=MISSING, CheckpointToken="t"
        )

    expected = (
        "InvalidParameterValueException",
        400,
        f"Durable execution {MISSING!r} not found",
    )
    assert _error(checkpoint) == expected
    assert _error(state) == expected


def test_a_page_size_over_1000_is_invalid(client: Any, serve: Any) -> None:
    serve("calc", quick)
    arn = _start(client, "calc")
    wait_ended(client, arn)

    with pytest.raises(ClientError) as raised:
        client.get_durable_execution_history(DurableExecutionArn=arn, MaxItems=1001)

    assert _error(raised) == (
        "InvalidParameterValueException",
        400,
        "Invalid MaxItems 1001: must be 0 (the default page size) to 1000",
    )


def test_a_marker_from_another_listing_is_invalid(client: Any, serve: Any) -> None:
    serve("calc", quick)
    arn = _start(client, "calc")
    wait_ended(client, arn)

    with pytest.raises(ClientError) as raised:
        client.get_durable_execution_history(DurableExecutionArn=arn, Marker="bogus")

    assert _error(raised) == (
        "InvalidParameterValueException",
        400,
        "Invalid marker 'bogus': pass the NextMarker of the previous history page "
        "unchanged",
    )


def test_an_unknown_status_filter_is_invalid(client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        client.list_durable_executions_by_function(
            FunctionName="calc", Statuses=["DONE"]
        )

    code, status, message = _error(raised)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith("Invalid Statuses member 'DONE': expected one of RUNNING")


def test_an_unknown_invocation_type_is_invalid(client: Any, serve: Any) -> None:
    serve("calc", quick)

    with pytest.raises(ClientError) as raised:
        client.invoke(FunctionName="calc", InvocationType="Later", Payload=b"{}")

    assert _error(raised) == (
        "InvalidParameterValueException",
        400,
        "Invalid InvocationType 'Later': expected one of RequestResponse, Event, "
        "DryRun",
    )


def test_stopping_an_ended_execution_is_invalid(client: Any, serve: Any) -> None:
    serve("calc", quick)
    arn = _start(client, "calc")
    wait_ended(client, arn)

    with pytest.raises(ClientError) as raised:
        client.stop_durable_execution(DurableExecutionArn=arn)

    assert _error(raised) == (
        "InvalidParameterValueException",
        400,
        f"Execution {arn} has already ended (SUCCEEDED) and cannot be stopped",
    )


def test_answering_a_callback_twice_is_invalid(client: Any, serve: Any) -> None:
    serve("approve", approval)
    arn = _start(client, "approve")
    callback_id = wait_for_callback_id(client, arn)
    client.send_durable_execution_callback_success(CallbackId=callback_id, Result=b"1")
    wait_ended(client, arn)

    with pytest.raises(ClientError) as raised:
        client.send_durable_execution_callback_success(
            CallbackId=callback_id, Result=b"2"
        )

    assert _error(raised) == (
        "InvalidParameterValueException",
        400,
        f"Callback {callback_id!r} can no longer be answered: execution {arn} has "
        "ended (SUCCEEDED)",
    )


# -- CallbackTimeoutException --------------------------------------------------


def test_answering_a_timed_out_callback_is_a_callback_timeout(
    client: Any, serve: Any
) -> None:
    serve("two", two_callbacks)
    arn = _start(client, "two")
    deadline = time.monotonic() + 20
    while not any(
        event["EventType"] == "CallbackTimedOut" for event in all_events(client, arn)
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    started = [
        event
        for event in all_events(client, arn)
        if event["EventType"] == "CallbackStarted"
    ]
    short_id = started[0]["CallbackStartedDetails"]["CallbackId"]

    with pytest.raises(ClientError) as raised:
        client.send_durable_execution_callback_success(CallbackId=short_id, Result=b"1")

    code, status, message = _error(raised)
    assert (code, status) == ("CallbackTimeoutException", 400)
    assert message.startswith(f"Callback {short_id!r} timed out at ")
    assert message.endswith("and can no longer be answered")
    client.stop_durable_execution(DurableExecutionArn=arn)


# -- 409s ----------------------------------------------------------------------


def test_deleting_a_running_execution_is_a_conflict(client: Any, serve: Any) -> None:
    serve("approve", approval)
    arn = _start(client, "approve")
    wait_for_callback_id(client, arn)

    with pytest.raises(ClientError) as raised:
        client.delete_durable_execution(DurableExecutionArn=arn)

    assert _error(raised) == (
        "ResourceConflictException",
        409,
        f"Execution {arn} is RUNNING and cannot be deleted; stop it first "
        "(StopDurableExecution)",
    )
    client.stop_durable_execution(DurableExecutionArn=arn)


def test_a_taken_execution_name_with_another_input_is_already_started(
    client: Any, serve: Any
) -> None:
    serve("calc", quick)
    arn = _start(client, "calc", {"n": 1}, DurableExecutionName="nightly")

    with pytest.raises(ClientError) as raised:
        _start(client, "calc", {"n": 2}, DurableExecutionName="nightly")

    assert _error(raised) == (
        "DurableExecutionAlreadyStartedException",
        409,
        "Durable execution 'nightly' of "
        "arn:aws:lambda:us-east-1:123456789012:function:calc:$LATEST was already "
        f"started ({arn}) with another input; use a new DurableExecutionName",
    )


# -- request size and content --------------------------------------------------


def test_an_event_payload_over_1_mb_is_too_large(client: Any, serve: Any) -> None:
    serve("calc", quick)
    payload = json.dumps("x" * (1024 * 1024))

    with pytest.raises(ClientError) as raised:
        client.invoke(FunctionName="calc", InvocationType="Event", Payload=payload)

    assert _error(raised) == (
        "RequestTooLargeException",
        413,
        "Request must be smaller than 1048576 bytes for this operation; got "
        f"{len(payload)} bytes or more",
    )


def test_a_checkpoint_body_over_6_mb_is_too_large(server: DexServer) -> None:
    body = b'{"CheckpointToken": "t", "Updates": [], "x": "' + b"y" * 6_300_000 + b'"}'

    response = httpx.post(
        f"{server.url}/2025-12-01/durable-executions/{MISSING}/checkpoint",
        content=body,
    )

    assert response.status_code == 413
    assert response.headers["x-amzn-ErrorType"] == "RequestTooLargeException"
    assert response.json() == {
        "Type": "User",
        "message": "Request must be smaller than 6291456 bytes for this operation; "
        f"got {len(body)} bytes or more",
    }


def test_an_invoke_payload_that_is_not_json_is_invalid_content(
    client: Any, serve: Any
) -> None:
    serve("calc", quick)

    with pytest.raises(ClientError) as raised:
        client.invoke(FunctionName="calc", Payload=b"{not json")

    code, status, message = _error(raised)
    assert (code, status) == ("InvalidRequestContentException", 400)
    assert message.startswith("Could not parse request body into json: Expecting")


def test_a_malformed_checkpoint_body_is_invalid_content(server: DexServer) -> None:
    response = httpx.post(
        f"{server.url}/2025-12-01/durable-executions/{MISSING}/checkpoint",
        content=b'{"CheckpointToken": ',
    )

    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidRequestContentException"
    assert response.json()["message"].startswith(
        "Could not parse the CheckpointDurableExecution request body as JSON"
    )


def test_a_malformed_update_is_invalid(server: DexServer) -> None:
    response = httpx.post(
        f"{server.url}/2025-12-01/durable-executions/{MISSING}/checkpoint",
        json={"CheckpointToken": "t", "Updates": [{"Id": "1", "Type": "STEP"}]},
    )

    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidParameterValueException"
    assert response.json()["message"] == (
        "Invalid Updates[0]: Object missing required field `Action`"
    )


def test_an_unknown_path_is_an_unknown_operation(server: DexServer) -> None:
    response = httpx.get(f"{server.url}/2025-12-01/nothing-here")

    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert response.json() == {
        "Type": "User",
        "Message": "No operation of the durable execution API at GET "
        "/2025-12-01/nothing-here (HTTP 404)",
    }


# -- ServiceException ----------------------------------------------------------


class _BrokenQueries(MemoryExecutionStore):
    def query(self, query: Any) -> Any:
        raise RuntimeError("the disk is on fire")


@pytest.fixture
def broken_server() -> Iterator[DexServer]:
    with DexServer(_BrokenQueries()) as running:
        yield running


def test_an_unexpected_failure_is_a_service_exception(broken_server: DexServer) -> None:
    client = lambda_client(broken_server.url)

    with pytest.raises(ClientError) as raised:
        client.list_durable_executions_by_function(FunctionName="calc")

    assert _error(raised) == (
        "ServiceException",
        500,
        "dex-server failed on GET /2025-12-01/functions/calc/durable-executions: "
        "RuntimeError: the disk is on fire",
    )
