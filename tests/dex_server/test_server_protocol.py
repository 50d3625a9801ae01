"""CheckpointDurableExecution and GetDurableExecutionState, spoken by hand.

The handler here is no SDK handler: it speaks the service's protocol itself
through boto3, so each answer of the two routes can be checked as sent.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from dex_server import DexServer
from dex_server_helpers import all_events, lambda_client, wait_ended


def _by_hand(url: str, seen: dict[str, Any]) -> Any:
    client = lambda_client(url)

    def handler(event: Any, context: Any) -> Any:
        arn = event["DurableExecutionArn"]
        seen["event"] = event
        token = event["CheckpointToken"]
        for step in ("a", "b", "c"):
            started = client.checkpoint_durable_execution(
                DurableExecutionArn=arn,
                CheckpointToken=token,
                Updates=[{"Id": step, "Type": "STEP", "Action": "START", "Name": step}],
            )
            done = client.checkpoint_durable_execution(
                DurableExecutionArn=arn,
                CheckpointToken=started["CheckpointToken"],
                Updates=[
                    {
                        "Id": step,
                        "Type": "STEP",
                        "Action": "SUCCEED",
                        "Payload": f'"{step}!"',
                    }
                ],
            )
            seen.setdefault("answers", []).append(done)
            old, token = token, done["CheckpointToken"]
        try:
            client.checkpoint_durable_execution(
                DurableExecutionArn=arn, CheckpointToken=old, Updates=[]
            )
        except ClientError as error:
            seen["stale"] = error.response["Error"]
        pages = []
        marker = None
        while True:
            extra = {"Marker": marker} if marker else {}
            page = client.get_durable_execution_state(
                DurableExecutionArn=arn, CheckpointToken=token, MaxItems=2, **extra
            )
            pages.append([operation["Id"] for operation in page["Operations"]])
            seen.setdefault("statuses", []).extend(
                operation["Status"] for operation in page["Operations"]
            )
            marker = page.get("NextMarker")
            if not marker:
                break
        seen["pages"] = pages
        return {"Status": "SUCCEEDED", "Result": '"by hand"'}

    return handler


def test_checkpoints_and_state_pages_answer_as_the_model_says(
    server: DexServer, client: Any
) -> None:
    seen: dict[str, Any] = {}
    server.add_handler("manual", _by_hand(server.url, seen))

    response = client.invoke(
        FunctionName="manual", InvocationType="Event", Payload=b'{"n": 1}'
    )
    arn = response["DurableExecutionArn"]
    execution = wait_ended(client, arn)

    assert execution["Status"] == "SUCCEEDED"
    assert execution["Result"] == '"by hand"'
    event = seen["event"]
    assert event["DurableExecutionArn"] == arn
    assert [op["Type"] for op in event["InitialExecutionState"]["Operations"]] == [
        "EXECUTION"
    ]
    first = seen["answers"][0]
    [operation] = first["NewExecutionState"]["Operations"]
    assert operation["Id"] == "a"
    assert operation["Status"] == "SUCCEEDED"
    assert operation["StepDetails"]["Result"] == '"a!"'
    assert operation["StartTimestamp"] <= operation["EndTimestamp"]
    tokens = [answer["CheckpointToken"] for answer in seen["answers"]]
    assert len(set(tokens)) == 3
    assert seen["stale"]["Code"] == "InvalidParameterValueException"
    assert seen["stale"]["Message"].startswith("Invalid checkpoint token: ")
    execution_id = arn.rsplit("/", 1)[1]
    assert seen["pages"] == [[execution_id, "a"], ["b", "c"]]
    assert seen["statuses"] == ["STARTED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]
    assert [event["EventType"] for event in all_events(client, arn)] == [
        "ExecutionStarted",
        "StepStarted",
        "StepSucceeded",
        "StepStarted",
        "StepSucceeded",
        "StepStarted",
        "StepSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
