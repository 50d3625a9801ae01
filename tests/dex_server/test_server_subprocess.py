"""``dex serve`` in a process of its own, with the SDK's own boto3 client."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from dex_runner import DurableFunctionTestRunner
from dex_server_helpers import (
    all_events,
    lambda_client,
    wait_ended,
    wait_for_callback_id,
)
from dex_store_memory import MemoryExecutionStore
from served_functions import order_flow

HERE = Path(__file__).resolve().parent
DEX = Path(sys.executable).with_name("dex")


class Served:
    def __init__(self, process: subprocess.Popen[str], url: str, banner: list[str]):
        self.process = process
        self.url = url
        self.banner = banner


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One ``dex serve`` for the module: starting Python with boto3 is slow."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "DEX_"))
    }
    env["PYTHONPATH"] = str(HERE)
    process = subprocess.Popen(
        [str(DEX), "serve", "orders=served_functions:order_flow", "--port", "0"],
        cwd=tmp_path_factory.mktemp("serve"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    banner = [process.stdout.readline().rstrip("\n") for _ in range(4)]
    if not banner[0].startswith("dex serve: listening on "):
        process.kill()
        _, err = process.communicate(timeout=10)
        pytest.fail(f"dex serve did not start: {banner} {err}")
    url = banner[0].split()[4]
    try:
        yield Served(process, url, banner)
    finally:
        process.terminate()
        process.communicate(timeout=20)


def _comparable(event: dict[str, Any]) -> dict[str, Any]:
    """An event without what differs from run to run (times, request ids)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: strip(item)
                for key, item in value.items()
                if not key.endswith("Timestamp") and key != "RequestId"
            }
        return value

    kept = strip(event)
    if kept["EventType"].startswith("Execution"):
        del kept["Id"]  # the execution's id is random
    return kept  # type: ignore[no-any-return]


def test_dex_serve_says_where_it_listens_and_what_it_serves(served: Served) -> None:
    assert (
        served.banner[0] == f"dex serve: listening on {served.url} (this machine only)"
    )
    assert served.url.startswith("http://127.0.0.1:")
    assert served.banner[1:] == [
        "dex serve: store memory (kept until this server stops)",
        "dex serve: function orders",
        "dex serve: press Ctrl-C to stop",
    ]


def test_a_handler_without_an_injected_client_checkpoints_over_http(
    served: Served,
) -> None:
    client = lambda_client(served.url)

    response = client.invoke(
        FunctionName="orders",
        InvocationType="Event",
        DurableExecutionName="order-1",
        Payload=b'{"quantity": 3}',
    )
    arn = response["DurableExecutionArn"]
    execution = wait_ended(client, arn)
    events = all_events(client, arn)

    with DurableFunctionTestRunner(order_flow, store=MemoryExecutionStore()) as runner:
        local = runner.run({"quantity": 3}, execution_name="order-1")
    local_events = [json.loads(msgspec.json.encode(event)) for event in local.history]

    assert execution["Status"] == "SUCCEEDED"
    assert (
        execution["Result"]
        == local.result
        == ('{"price": 15, "parcel": "box-15-taped"}')
    )
    assert [_comparable(event) for event in events] == [
        _comparable(event) for event in local_events
    ]
    assert [event["EventType"] for event in events] == [
        "ExecutionStarted",
        "StepStarted",
        "StepSucceeded",
        "WaitStarted",
        "InvocationCompleted",
        "WaitSucceeded",
        "ContextStarted",
        "StepStarted",
        "StepSucceeded",
        "StepStarted",
        "StepSucceeded",
        "ContextSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
    waited = events[5]["EventTimestamp"] - events[3]["EventTimestamp"]
    assert dt.timedelta(seconds=60) <= waited < dt.timedelta(seconds=61)


def test_ctrl_c_answers_a_waiting_invoke_and_exits_without_a_traceback(
    tmp_path: Path,
) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "DEX_"))
    }
    env["PYTHONPATH"] = str(HERE)
    process = subprocess.Popen(
        [str(DEX), "serve", "approval=served_functions:approval", "--port", "0"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(4)]
        url = banner[0].split()[4]
        client = lambda_client(url)
        answers: list[httpx.Response] = []
        waiting = threading.Thread(
            target=lambda: answers.append(
                httpx.post(
                    f"{url}/2015-03-31/functions/approval/invocations",
                    content=b"{}",
                    timeout=60,
                )
            )
        )
        waiting.start()
        arn = _started(client, "approval")
        wait_for_callback_id(client, arn)

        process.send_signal(signal.SIGINT)
        # Prompt: well within the 2 s uvicorn would wait before cancelling.
        out, err = process.communicate(timeout=10)
        waiting.join(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    [answer] = answers
    assert answer.status_code == 500
    assert answer.headers["x-amzn-ErrorType"] == "ServiceException"
    assert answer.json() == {
        "Type": "Service",
        "Message": f"dex serve is shutting down; durable execution {arn} had not "
        "ended (what it did so far is in the store)",
    }
    assert err == "dex serve: interrupted\n"
    assert out == ""
    assert process.returncode == 130


def _started(client: Any, function: str) -> str:
    """The ARN of the function's one execution, once it is listed."""
    deadline = time.monotonic() + 20
    while True:
        rows = client.list_durable_executions_by_function(FunctionName=function)[
            "DurableExecutions"
        ]
        if rows:
            arn: str = rows[0]["DurableExecutionArn"]
            return arn
        assert time.monotonic() < deadline, f"no execution of {function} listed"
        time.sleep(0.02)
