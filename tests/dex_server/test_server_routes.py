"""Each route of the durable execution API answers boto3 as the service does."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from aws_durable_execution_sdk_python.config import Duration
from dex_server_helpers import all_events, wait_ended, wait_for_callback_id


def steps_and_wait(event: Any, context: Any) -> Any:
    total = context.step(lambda _: event["a"] + event["b"], name="add")
    context.wait(Duration.from_seconds(30), name="rest")
    doubled = context.step(lambda _: total * 2, name="double")
    return {"total": total, "doubled": doubled}


def failing(event: Any, context: Any) -> Any:
    context.step(lambda _: 1, name="fine")
    raise ValueError(f"no order {event['order']}")


def approval(event: Any, context: Any) -> Any:
    answer = context.wait_for_callback(lambda callback_id, _: None, name="approve")
    return {"answer": answer}


STEPS_AND_WAIT_EVENTS = [
    "ExecutionStarted",
    "StepStarted",
    "StepSucceeded",
    "WaitStarted",
    "InvocationCompleted",
    "WaitSucceeded",
    "StepStarted",
    "StepSucceeded",
    "InvocationCompleted",
    "ExecutionSucceeded",
]

_ARN = re.compile(
    r"^arn:aws:lambda:us-east-1:123456789012:function:calc:\$LATEST/"
    r"durable-execution/first/[0-9a-f-]{36}$"
)


def _start(client: Any, name: str, payload: Any, **options: Any) -> str:
    response = client.invoke(
        FunctionName=name,
        InvocationType="Event",
        Payload=json.dumps(payload),
        **options,
    )
    assert response["StatusCode"] == 202
    arn: str = response["DurableExecutionArn"]
    return arn


def test_an_event_invoke_starts_an_execution_and_answers_its_arn(
    client: Any, serve: Any
) -> None:
    serve("calc", steps_and_wait)

    response = client.invoke(
        FunctionName="calc",
        InvocationType="Event",
        DurableExecutionName="first",
        Payload=b'{"a": 2, "b": 3}',
    )

    assert response["StatusCode"] == 202
    assert _ARN.match(response["DurableExecutionArn"])
    assert response["ExecutedVersion"] == "$LATEST"
    assert response["Payload"].read() == b""


def test_get_durable_execution_reports_the_execution(client: Any, serve: Any) -> None:
    serve("calc", steps_and_wait)
    arn = _start(client, "calc", {"a": 2, "b": 3}, DurableExecutionName="first")

    execution = wait_ended(client, arn)

    assert execution["DurableExecutionArn"] == arn
    assert execution["DurableExecutionName"] == "first"
    assert execution["FunctionArn"] == (
        "arn:aws:lambda:us-east-1:123456789012:function:calc"
    )
    assert execution["Status"] == "SUCCEEDED"
    assert execution["InputPayload"] == '{"a": 2, "b": 3}'
    assert execution["Result"] == '{"total": 5, "doubled": 10}'
    assert execution["Version"] == "$LATEST"
    assert execution["DurableConfig"] == {"ExecutionTimeout": 300}
    assert execution["ExecutionDataIncluded"] is True
    assert execution["StartTimestamp"].tzinfo is not None
    assert execution["EndTimestamp"] - execution["StartTimestamp"] >= dt.timedelta(
        seconds=30
    )


def test_get_durable_execution_without_data_leaves_the_payloads_out(
    client: Any, serve: Any
) -> None:
    serve("calc", steps_and_wait)
    arn = _start(client, "calc", {"a": 2, "b": 3})
    wait_ended(client, arn)

    execution = client.get_durable_execution(
        DurableExecutionArn=arn, IncludeExecutionData=False
    )

    assert "InputPayload" not in execution
    assert "Result" not in execution
    assert execution["ExecutionDataIncluded"] is False
    assert execution["Status"] == "SUCCEEDED"


def test_the_history_holds_every_event_with_modeled_times(
    client: Any, serve: Any
) -> None:
    serve("calc", steps_and_wait)
    arn = _start(client, "calc", {"a": 2, "b": 3})
    wait_ended(client, arn)

    events = all_events(client, arn)

    assert [event["EventType"] for event in events] == STEPS_AND_WAIT_EVENTS
    assert [event["EventId"] for event in events] == list(range(1, 11))
    assert events[2]["Name"] == "add"
    assert events[2]["StepSucceededDetails"]["Result"]["Payload"] == "5"
    assert events[3]["WaitStartedDetails"]["Duration"] == 30
    waited = events[5]["EventTimestamp"] - events[3]["EventTimestamp"]
    assert dt.timedelta(seconds=30) <= waited < dt.timedelta(seconds=31)
    assert events[9]["ExecutionSucceededDetails"]["Result"]["Payload"] == (
        '{"total": 5, "doubled": 10}'
    )


def test_history_pages_follow_markers_and_can_run_in_reverse(
    client: Any, serve: Any
) -> None:
    serve("calc", steps_and_wait)
    arn = _start(client, "calc", {"a": 2, "b": 3})
    wait_ended(client, arn)

    first = client.get_durable_execution_history(DurableExecutionArn=arn, MaxItems=4)
    second = client.get_durable_execution_history(
        DurableExecutionArn=arn, MaxItems=4, Marker=first["NextMarker"]
    )
    third = client.get_durable_execution_history(
        DurableExecutionArn=arn, MaxItems=4, Marker=second["NextMarker"]
    )
    backwards = all_events(client, arn, MaxItems=3, ReverseOrder=True)

    assert [len(first["Events"]), len(second["Events"]), len(third["Events"])] == [
        4,
        4,
        2,
    ]
    assert "NextMarker" not in third
    paged = first["Events"] + second["Events"] + third["Events"]
    assert [event["EventType"] for event in paged] == STEPS_AND_WAIT_EVENTS
    assert [event["EventId"] for event in backwards] == list(range(10, 0, -1))


def test_history_without_execution_data_leaves_payloads_out(
    client: Any, serve: Any
) -> None:
    serve("calc", steps_and_wait)
    arn = _start(client, "calc", {"a": 2, "b": 3})
    wait_ended(client, arn)

    events = all_events(client, arn, IncludeExecutionData=False)

    started = events[0]["ExecutionStartedDetails"]
    step = events[2]["StepSucceededDetails"]
    assert "Payload" not in started.get("Input", {})
    assert "Payload" not in step.get("Result", {})
    assert started["ExecutionTimeout"] == 300


def test_a_request_response_invoke_waits_and_answers_the_result(
    client: Any, serve: Any
) -> None:
    serve("calc", steps_and_wait)

    response = client.invoke(FunctionName="calc", Payload=b'{"a": 1, "b": 1}')

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"total": 2, "doubled": 4}
    execution = client.get_durable_execution(
        DurableExecutionArn=response["DurableExecutionArn"]
    )
    assert execution["Status"] == "SUCCEEDED"


def test_a_request_response_invoke_of_a_failing_function_reports_the_error(
    client: Any, serve: Any
) -> None:
    serve("shop", failing)

    response = client.invoke(FunctionName="shop", Payload=b'{"order": 7}')

    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read()) == {
        "errorType": "ValueError",
        "errorMessage": "no order 7",
    }
    execution = client.get_durable_execution(
        DurableExecutionArn=response["DurableExecutionArn"]
    )
    assert execution["Status"] == "FAILED"
    assert execution["Error"]["ErrorType"] == "ValueError"
    assert execution["Error"]["ErrorMessage"] == "no order 7"


def test_a_dry_run_invoke_starts_nothing(client: Any, serve: Any) -> None:
    serve("calc", steps_and_wait)

    response = client.invoke(FunctionName="calc", InvocationType="DryRun")

    assert response["StatusCode"] == 204
    listed = client.list_durable_executions_by_function(FunctionName="calc")
    assert listed["DurableExecutions"] == []


def test_invoke_with_the_same_name_and_input_is_the_same_execution(
    client: Any, serve: Any
) -> None:
    serve("calc", steps_and_wait)

    first = _start(client, "calc", {"a": 1, "b": 2}, DurableExecutionName="once")
    again = _start(client, "calc", {"a": 1, "b": 2}, DurableExecutionName="once")

    assert again == first
    listed = client.list_durable_executions_by_function(FunctionName="calc")
    assert [row["DurableExecutionArn"] for row in listed["DurableExecutions"]] == [
        first
    ]


def test_invoke_by_function_arn_and_qualifier(client: Any, serve: Any) -> None:
    serve("calc", steps_and_wait)

    arn = _start(
        client,
        "arn:aws:lambda:us-east-1:123456789012:function:calc",
        {"a": 1, "b": 2},
        Qualifier="7",
    )

    assert ":function:calc:7/durable-execution/" in arn
    assert wait_ended(client, arn)["Version"] == "7"


def test_list_by_function_pages_filters_and_orders(client: Any, serve: Any) -> None:
    serve("calc", steps_and_wait)
    serve("shop", failing)
    arns = [
        _start(client, "calc", {"a": n, "b": 0}, DurableExecutionName=f"run-{n}")
        for n in range(3)
    ]
    failed = _start(client, "calc", {"b": 0}, DurableExecutionName="broken")
    _start(client, "shop", {"order": 1})
    for arn in [*arns, failed]:
        wait_ended(client, arn)

    first = client.list_durable_executions_by_function(FunctionName="calc", MaxItems=2)
    rest = client.list_durable_executions_by_function(
        FunctionName="calc", MaxItems=2, Marker=first["NextMarker"]
    )
    oldest_first = client.list_durable_executions_by_function(
        FunctionName="calc", ReverseOrder=True, Statuses=["SUCCEEDED"]
    )
    by_name = client.list_durable_executions_by_function(
        FunctionName="calc", DurableExecutionName="run-1"
    )
    failures = client.list_durable_executions_by_function(
        FunctionName="calc", Statuses=["FAILED"]
    )

    newest_first = [failed, *reversed(arns)]
    assert [row["DurableExecutionArn"] for row in first["DurableExecutions"]] == (
        newest_first[:2]
    )
    assert [row["DurableExecutionArn"] for row in rest["DurableExecutions"]] == (
        newest_first[2:]
    )
    assert "NextMarker" not in rest
    assert [
        row["DurableExecutionArn"] for row in oldest_first["DurableExecutions"]
    ] == (arns)
    assert [row["DurableExecutionArn"] for row in by_name["DurableExecutions"]] == [
        arns[1]
    ]
    assert [row["Status"] for row in failures["DurableExecutions"]] == ["FAILED"]
    row = by_name["DurableExecutions"][0]
    assert row["DurableExecutionName"] == "run-1"
    assert row["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:calc"
    assert row["EndTimestamp"] > row["StartTimestamp"]


def test_list_by_function_filters_on_start_time(client: Any, serve: Any) -> None:
    serve("calc", steps_and_wait)
    arn = _start(client, "calc", {"a": 1, "b": 1})
    started = wait_ended(client, arn)["StartTimestamp"]

    before = client.list_durable_executions_by_function(
        FunctionName="calc", StartedBefore=started - dt.timedelta(seconds=5)
    )
    after = client.list_durable_executions_by_function(
        FunctionName="calc", StartedAfter=started - dt.timedelta(seconds=5)
    )

    assert before["DurableExecutions"] == []
    assert [row["DurableExecutionArn"] for row in after["DurableExecutions"]] == [arn]


def test_a_callback_answered_with_success_completes_the_execution(
    client: Any, serve: Any
) -> None:
    serve("approve", approval)
    arn = _start(client, "approve", {})
    callback_id = wait_for_callback_id(client, arn)

    heartbeat = client.send_durable_execution_callback_heartbeat(CallbackId=callback_id)
    client.send_durable_execution_callback_success(
        CallbackId=callback_id, Result=b"yes"
    )

    assert heartbeat["ResponseMetadata"]["HTTPStatusCode"] == 200
    execution = wait_ended(client, arn)
    assert execution["Status"] == "SUCCEEDED"
    assert execution["Result"] == '{"answer": "yes"}'
    succeeded = [
        event
        for event in all_events(client, arn)
        if event["EventType"] == "CallbackSucceeded"
    ]
    assert succeeded[0]["CallbackSucceededDetails"]["Result"]["Payload"] == "yes"


def test_a_callback_answered_with_failure_fails_the_execution(
    client: Any, serve: Any
) -> None:
    serve("approve", approval)
    arn = _start(client, "approve", {})
    callback_id = wait_for_callback_id(client, arn)

    client.send_durable_execution_callback_failure(
        CallbackId=callback_id,
        Error={"ErrorType": "Rejected", "ErrorMessage": "the manager said no"},
    )

    execution = wait_ended(client, arn)
    assert execution["Status"] == "FAILED"
    assert execution["Error"]["ErrorMessage"] == "the manager said no"
    failed = [
        event
        for event in all_events(client, arn)
        if event["EventType"] == "CallbackFailed"
    ]
    assert failed[0]["CallbackFailedDetails"]["Error"]["Payload"] == {
        "ErrorType": "Rejected",
        "ErrorMessage": "the manager said no",
    }


def test_stop_ends_a_running_execution_with_the_given_error(
    client: Any, serve: Any
) -> None:
    serve("approve", approval)
    arn = _start(client, "approve", {})
    wait_for_callback_id(client, arn)

    stopped = client.stop_durable_execution(
        DurableExecutionArn=arn,
        Error={"ErrorType": "Cancelled", "ErrorMessage": "nobody will approve"},
    )

    assert stopped["StopTimestamp"].tzinfo is not None
    execution = client.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "STOPPED"
    last = all_events(client, arn)[-1]
    assert last["EventType"] == "ExecutionStopped"
    assert last["ExecutionStoppedDetails"]["Error"]["Payload"] == {
        "ErrorType": "Cancelled",
        "ErrorMessage": "nobody will approve",
    }


def test_delete_removes_an_ended_execution(client: Any, serve: Any) -> None:
    serve("calc", steps_and_wait)
    arn = _start(client, "calc", {"a": 1, "b": 1})
    wait_ended(client, arn)

    deleted = client.delete_durable_execution(DurableExecutionArn=arn)

    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert deleted["DeletionRequestTimestamp"].tzinfo is not None
    listed = client.list_durable_executions_by_function(FunctionName="calc")
    assert listed["DurableExecutions"] == []
