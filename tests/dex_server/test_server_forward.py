"""Invoke forwarded to a Lambda runtime endpoint (a stand-in served on loopback)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest
from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import Duration
from dex_server import DexServer
from dex_server_helpers import all_events, lambda_client, wait_ended


class StandInRuntime:
    """Answers Lambda's Invoke path by calling one handler, as a runtime does.

    An exception from the handler is answered the way the runtime interface
    emulator answers it: ``X-Amz-Function-Error: Unhandled`` and a JSON body
    with ``errorType`` and ``errorMessage``.
    """

    def __init__(self, handler: Callable[[Any, Any], Any]) -> None:
        self.handler = handler
        self.requests: list[tuple[str, dict[str, Any]]] = []
        runtime = self

        class Answer(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers["Content-Length"])
                event = json.loads(self.rfile.read(size))
                runtime.requests.append((self.path, event))
                context = SimpleNamespace(aws_request_id="stand-in")
                try:
                    body, error = runtime.handler(event, context), None
                except Exception as raised:
                    body = {
                        "errorType": type(raised).__name__,
                        "errorMessage": str(raised),
                    }
                    error = "Unhandled"
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if error:
                    self.send_header("X-Amz-Function-Error", error)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.thread.join(5)


@pytest.fixture
def runtime_for(server: DexServer) -> Iterator[Callable[..., StandInRuntime]]:
    runtimes: list[StandInRuntime] = []

    def start(handler: Callable[[Any, Any], Any]) -> StandInRuntime:
        runtime = StandInRuntime(handler)
        runtimes.append(runtime)
        return runtime

    yield start
    for runtime in runtimes:
        runtime.close()


def test_invoke_is_forwarded_and_the_runtime_checkpoints_back(
    server: DexServer, client: Any, runtime_for: Any
) -> None:
    def shipping(event: Any, context: Any) -> Any:
        label = context.step(lambda _: f"label-{event['to']}", name="label")
        context.wait(Duration.from_seconds(5), name="courier")
        return {"label": label}

    runtime = runtime_for(
        durable_execution(shipping, boto3_client=lambda_client(server.url))
    )
    server.add_runtime("shipping", runtime.url)

    response = client.invoke(
        FunctionName="shipping", InvocationType="Event", Payload=b'{"to": "Oslo"}'
    )
    arn = response["DurableExecutionArn"]
    execution = wait_ended(client, arn)

    assert execution["Status"] == "SUCCEEDED"
    assert execution["Result"] == '{"label": "label-Oslo"}'
    assert [path for path, _ in runtime.requests] == [
        "/2015-03-31/functions/shipping/invocations",
        "/2015-03-31/functions/shipping/invocations",
    ]
    first = runtime.requests[0][1]
    assert first["DurableExecutionArn"] == arn
    assert first["CheckpointToken"]
    assert first["InitialExecutionState"]["Operations"][0]["Type"] == "EXECUTION"
    assert [event["EventType"] for event in all_events(client, arn)] == [
        "ExecutionStarted",
        "StepStarted",
        "StepSucceeded",
        "WaitStarted",
        "InvocationCompleted",
        "WaitSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]


def test_a_full_invocations_url_is_used_as_given(
    server: DexServer, client: Any, runtime_for: Any
) -> None:
    runtime = runtime_for(
        durable_execution(
            lambda event, context: "ok", boto3_client=lambda_client(server.url)
        )
    )
    server.add_runtime(
        "rie", f"{runtime.url}/2015-03-31/functions/function/invocations"
    )

    response = client.invoke(FunctionName="rie", Payload=b"{}")

    assert response["Payload"].read() == b'"ok"'
    assert [path for path, _ in runtime.requests] == [
        "/2015-03-31/functions/function/invocations"
    ]


def test_a_function_error_from_the_runtime_fails_the_invocation(
    server: DexServer, client: Any, runtime_for: Any
) -> None:
    def crashing(event: Any, context: Any) -> Any:
        raise MemoryError("Runtime exited: out of memory")

    runtime = runtime_for(crashing)
    server.add_runtime("crashing", runtime.url)

    response = client.invoke(FunctionName="crashing", InvocationType="Event")
    execution = wait_ended(client, response["DurableExecutionArn"])

    assert execution["Status"] == "FAILED"
    assert execution["Error"] == {
        "ErrorType": "MemoryError",
        "ErrorMessage": "Runtime exited: out of memory",
    }
    assert len(runtime.requests) == 3
    completed = [
        event["InvocationCompletedDetails"]["Error"]["Payload"]["ErrorType"]
        for event in all_events(client, response["DurableExecutionArn"])
        if event["EventType"] == "InvocationCompleted"
    ]
    assert completed == ["MemoryError", "MemoryError", "MemoryError"]


def test_a_runtime_that_cannot_be_reached_fails_the_execution(
    server: DexServer, client: Any
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{closed_port}"
    server.add_runtime("gone", url)

    response = client.invoke(FunctionName="gone", InvocationType="Event")
    execution = wait_ended(client, response["DurableExecutionArn"])

    assert execution["Status"] == "FAILED"
    assert execution["Error"]["ErrorType"] == "dex.RuntimeUnreachable"
    assert execution["Error"]["ErrorMessage"].startswith(
        f"the Lambda runtime at {url}/2015-03-31/functions/gone/invocations failed: "
    )


def test_a_runtime_url_must_be_http(server: DexServer) -> None:
    from dex_runner import InvalidParameterValueError

    with pytest.raises(InvalidParameterValueError) as raised:
        server.add_runtime("ftp", "ftp://127.0.0.1:21")

    assert str(raised.value) == (
        "Invalid runtime URL 'ftp://127.0.0.1:21' for function 'ftp': expected "
        "http://HOST:PORT"
    )
