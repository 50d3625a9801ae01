"""PauseDurableExecution and ResumeDurableExecution over HTTP."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dex_server_helpers import all_events, wait_ended, wait_for_callback_id


def approval(event: Any, context: Any) -> Any:
    return context.wait_for_callback(lambda callback_id, _: None, name="approve")


def quick(event: Any, context: Any) -> Any:
    return context.step(lambda _: "done", name="only")


def _start(client: Any, name: str) -> str:
    response = client.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    arn: str = response["DurableExecutionArn"]
    return arn


def _until(client: Any, arn: str, status: str) -> dict[str, Any]:
    """GetDurableExecution once the execution has ``status`` (a pause of a
    running invocation takes effect at its next checkpoint)."""
    deadline = time.monotonic() + 20
    while True:
        execution: dict[str, Any] = client.get_durable_execution(
            DurableExecutionArn=arn
        )
        if execution["Status"] == status:
            return execution
        assert time.monotonic() < deadline, execution["Status"]
        time.sleep(0.02)


def _until_suspended(client: Any, arn: str) -> None:
    """Wait for the invocation to end: a pause then takes effect at once."""
    deadline = time.monotonic() + 20
    while not any(
        event["EventType"] == "InvocationCompleted" for event in all_events(client, arn)
    ):
        assert time.monotonic() < deadline
        time.sleep(0.02)


def _code(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_a_paused_execution_reports_it_and_resumes(client: Any, serve: Any) -> None:
    serve("approve", approval)
    arn = _start(client, "approve")
    callback_id = wait_for_callback_id(client, arn)
    _until_suspended(client, arn)

    paused = client.pause_durable_execution(
        DurableExecutionArn=arn, Reason="audit", ExecutionTimeoutPaused=False
    )
    while_paused = _until(client, arn, "PAUSED")
    without_data = client.get_durable_execution(
        DurableExecutionArn=arn, IncludeExecutionData=False
    )
    resumed = client.resume_durable_execution(DurableExecutionArn=arn, Reason="done")
    after_resume = client.get_durable_execution(DurableExecutionArn=arn)
    client.send_durable_execution_callback_success(CallbackId=callback_id, Result=b"ok")
    execution = wait_ended(client, arn)

    assert paused["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert resumed["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert while_paused["Status"] == "PAUSED"
    assert execution["Status"] == "SUCCEEDED"
    events = {event["EventType"]: event for event in all_events(client, arn)}
    requested = events["ExecutionPaused"]["ExecutionPausedDetails"][
        "PauseRequestTimestamp"
    ]
    assert while_paused["PauseDetails"] == {
        "PauseRequestTimestamp": requested,
        "Reason": "audit",
        "ExecutionTimeoutPaused": False,
    }
    assert without_data["PauseDetails"] == {
        "PauseRequestTimestamp": requested,
        "ExecutionTimeoutPaused": False,
    }
    assert after_resume["Status"] == "RUNNING"
    assert "PauseDetails" not in after_resume
    assert "PauseDetails" not in execution
    assert events["ExecutionPaused"]["ExecutionPausedDetails"]["Reason"] == {
        "Payload": "audit",
        "Truncated": False,
    }
    assert (
        events["ExecutionPaused"]["ExecutionPausedDetails"]["ExecutionTimeoutPaused"]
        is False
    )
    assert events["ExecutionResumed"]["ExecutionResumedDetails"]["Reason"] == {
        "Payload": "done",
        "Truncated": False,
    }


def test_pausing_an_ended_execution_is_a_conflict(client: Any, serve: Any) -> None:
    serve("calc", quick)
    arn = _start(client, "calc")
    wait_ended(client, arn)

    with pytest.raises(ClientError) as raised:
        client.pause_durable_execution(DurableExecutionArn=arn)

    assert _code(raised) == ("ResourceConflictException", 409)


def test_resuming_a_running_execution_is_a_conflict(client: Any, serve: Any) -> None:
    serve("approve", approval)
    arn = _start(client, "approve")
    wait_for_callback_id(client, arn)

    with pytest.raises(ClientError) as raised:
        client.resume_durable_execution(DurableExecutionArn=arn)

    assert _code(raised) == ("ResourceConflictException", 409)
    client.stop_durable_execution(DurableExecutionArn=arn)


def test_a_pause_reason_that_is_not_text_is_invalid(server: Any) -> None:
    import httpx

    arn = (
        "arn:aws:lambda:us-east-1:123456789012:function:calc:$LATEST/"
        "durable-execution/x/00000000-0000-0000-0000-000000000000"
    )
    response = httpx.post(
        f"{server.url}/2025-12-01/durable-executions/{arn}/pause",
        content=json.dumps({"Reason": 7}),
    )

    assert response.status_code == 400
    assert response.json() == {
        "Type": "User",
        "message": "Invalid Reason: expected a string, got a number",
    }


def test_pausing_an_unknown_execution_is_not_found(client: Any) -> None:
    arn = (
        "arn:aws:lambda:us-east-1:123456789012:function:calc:$LATEST/"
        "durable-execution/x/00000000-0000-0000-0000-000000000000"
    )

    with pytest.raises(ClientError) as raised:
        client.pause_durable_execution(DurableExecutionArn=arn)

    assert _code(raised) == ("ResourceNotFoundException", 404)


def test_a_pausing_execution_reports_its_pause_details(client: Any, serve: Any) -> None:
    entered, release = threading.Event(), threading.Event()

    def held(event: Any, context: Any) -> Any:
        def slow(_: Any) -> str:
            entered.set()
            release.wait(20)
            return "slow"

        context.step(slow, name="slow")
        return context.step(lambda _: "done", name="after")

    serve("held", held)
    arn = _start(client, "held")
    assert entered.wait(20)

    client.pause_durable_execution(DurableExecutionArn=arn, Reason="hold")
    pausing = client.get_durable_execution(DurableExecutionArn=arn)
    release.set()
    paused = _until(client, arn, "PAUSED")
    client.stop_durable_execution(DurableExecutionArn=arn)
    stopped = wait_ended(client, arn)

    assert pausing["Status"] == "PAUSING"
    assert pausing["PauseDetails"] == {
        "PauseRequestTimestamp": paused["PauseDetails"]["PauseRequestTimestamp"],
        "Reason": "hold",
        "ExecutionTimeoutPaused": True,
    }
    assert paused["PauseDetails"]["Reason"] == "hold"
    assert stopped["Status"] == "STOPPED"
    assert "PauseDetails" not in stopped
