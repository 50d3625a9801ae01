"""Throttling and transient failures are retried; an Invoke never runs twice."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_durable_execution_sdk_python.execution import InvocationStatus
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from dex_cloud_helpers import boto3_lambda
from dex_runner import (
    AmbiguousInvokeError,
    DurableFunctionCloudTestRunner,
    DurableFunctionCloudTestRunnerConfig,
)
from dex_runner._cloud_client import is_retryable
from dex_store_filesystem import FilesystemExecutionStore

App = Callable[..., Any]


def greet(event: Any, context: Any) -> Any:
    return context.step(lambda _: f"hello {event['name']}", name="greet")


def _is_invoke(scope: Any) -> bool:
    return bool(scope["type"] == "http" and scope["path"].endswith("/invocations"))


def _is_get_execution(scope: Any) -> bool:
    return bool(
        scope["type"] == "http"
        and scope["method"] == "GET"
        and "/durable-executions/" in scope["path"]
        and not scope["path"].endswith(("/history", "/state"))
    )


async def _error(send: Any, status: int, code: str, message: str) -> None:
    body = json.dumps({"message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"x-amzn-errortype", code.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _executions(server: Any, function: str) -> list[Any]:
    client = boto3_lambda(server.url)
    rows: list[Any] = client.list_durable_executions_by_function(FunctionName=function)[
        "DurableExecutions"
    ]
    return rows


def test_throttled_polls_are_retried(cloud: Any, deploy: Any, server: Any) -> None:
    inner = server.app
    seen = {"throttled": 0, "polls": 0}

    async def throttling(scope: Any, receive: Any, send: Any) -> None:
        if _is_get_execution(scope):
            seen["polls"] += 1
            if seen["throttled"] < 2:
                seen["throttled"] += 1
                await _error(send, 429, "TooManyRequestsException", "Rate exceeded")
                return
        await inner(scope, receive, send)

    server.app = throttling
    deploy("greet", greet)

    result = cloud("greet").run({"name": "Ada"})

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == '"hello Ada"'
    assert seen["throttled"] == 2
    assert seen["polls"] >= 3


def test_a_throttled_invoke_is_sent_again_and_starts_one_execution(
    cloud: Any, deploy: Any, server: Any
) -> None:
    inner = server.app
    invokes: list[str] = []

    async def throttling(scope: Any, receive: Any, send: Any) -> None:
        if _is_invoke(scope):
            invokes.append(scope["path"])
            if len(invokes) == 1:
                await _error(send, 429, "TooManyRequestsException", "Rate exceeded")
                return
        await inner(scope, receive, send)

    server.app = throttling
    deploy("greet", greet)

    result = cloud("greet").run({"name": "Bo"})

    assert result.result == '"hello Bo"'
    assert len(invokes) == 2
    assert len(_executions(server, "greet")) == 1


def test_an_invoke_whose_answer_times_out_is_found_not_repeated(
    cloud: Any, deploy: Any, server: Any
) -> None:
    inner = server.app
    invokes: list[str] = []

    async def slow_answer(scope: Any, receive: Any, send: Any) -> None:
        if not _is_invoke(scope):
            await inner(scope, receive, send)
            return
        invokes.append(scope["path"])

        async def late(message: Any) -> None:
            if message["type"] == "http.response.start":
                await asyncio.sleep(1.5)
            await send(message)

        await inner(scope, receive, late)

    server.app = slow_answer
    deploy("greet", greet)
    server.start()
    client = boto3_lambda(server.url, read_timeout=0.5)

    result = cloud("greet", client=client).run({"name": "Cy"}, execution_name="once")

    assert result.result == '"hello Cy"'
    assert len(invokes) == 1
    [row] = _executions(server, "greet")
    assert row["DurableExecutionArn"] == result.execution_arn
    assert row["DurableExecutionName"] == "once"


def test_an_invoke_that_may_have_run_but_cannot_be_found_is_not_repeated(
    cloud: Any, deploy: Any, server: Any
) -> None:
    inner = server.app
    invokes: list[str] = []

    async def failing(scope: Any, receive: Any, send: Any) -> None:
        if _is_invoke(scope):
            invokes.append(scope["path"])
            await _error(send, 500, "ServiceException", "internal failure")
            return
        await inner(scope, receive, send)

    server.app = failing
    deploy("greet", greet)
    runner = cloud("greet", max_attempts=2)

    with pytest.raises(AmbiguousInvokeError) as raised:
        runner.run({"name": "Di"}, execution_name="maybe")

    assert len(invokes) == 1
    assert raised.value.execution_name == "maybe"
    assert str(raised.value) == (
        "Invoke of greet (DurableExecutionName 'maybe') failed after the request "
        "may have been sent (ServiceException), and no execution of that name "
        "could be found; dex does not invoke again, to not start the function twice: "
        "look the name up with ListDurableExecutionsByFunction, or run again with "
        "a new name"
    )


def test_an_error_of_the_caller_is_raised_at_once(
    cloud: Any, deploy: Any, server: Any
) -> None:
    deploy("greet", greet)
    runner = cloud("greet")

    with pytest.raises(ClientError) as raised:
        runner.get_execution(
            "arn:aws:lambda:us-east-1:123456789012:function:x:$LATEST/"
            "durable-execution/nobody/0"
        )

    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def _client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": "m"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        "Op",
    )


@pytest.mark.parametrize(
    ("error", "for_reads", "for_invoke"),
    [
        (_client_error("TooManyRequestsException", 429), True, True),
        (_client_error("ThrottlingException", 400), True, True),
        (_client_error("ServiceException", 500), True, False),
        (_client_error("InvalidParameterValueException", 400), False, False),
        (_client_error("ResourceNotFoundException", 404), False, False),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), True, True),
        (ConnectTimeoutError(endpoint_url="http://127.0.0.1:1"), True, True),
        (ReadTimeoutError(endpoint_url="http://127.0.0.1:1"), True, False),
    ],
)
def test_which_failures_are_retried(
    error: Exception, for_reads: bool, for_invoke: bool
) -> None:
    assert is_retryable(error, sent_is_safe=True) is for_reads
    assert is_retryable(error, sent_is_safe=False) is for_invoke


def test_without_a_store_the_environment_decides(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "filesystem")
    monkeypatch.setenv("AWS_DEX_STORE_PATH", str(tmp_path / "env-store"))
    config = DurableFunctionCloudTestRunnerConfig(
        function_name="greet", region="us-east-1", lambda_endpoint="http://127.0.0.1:1"
    )

    with DurableFunctionCloudTestRunner(config) as runner:
        assert isinstance(runner.store, FilesystemExecutionStore)

    assert config.store_config().path == tmp_path / "env-store"


def test_a_config_with_a_bad_page_size_says_what_is_allowed() -> None:
    with pytest.raises(ValueError) as raised:
        DurableFunctionCloudTestRunnerConfig(
            function_name="greet", region=None, history_page_size=5000
        )

    assert str(raised.value) == "history_page_size must be 1 to 1000, got 5000"


def test_a_runner_without_a_region_says_how_to_give_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    config = DurableFunctionCloudTestRunnerConfig(function_name="greet", region=None)

    with pytest.raises(ValueError) as raised:
        DurableFunctionCloudTestRunner(config)

    assert str(raised.value) == (
        "no AWS region for function 'greet': pass region= to "
        "DurableFunctionCloudTestRunnerConfig or set AWS_REGION"
    )


def test_an_ambiguous_invoke_whose_lookup_fails_is_ambiguous(
    cloud: Any, deploy: Any, server: Any
) -> None:
    inner = server.app

    async def failing(scope: Any, receive: Any, send: Any) -> None:
        if _is_invoke(scope):
            await _error(send, 500, "ServiceException", "internal failure")
            return
        if scope["type"] == "http" and scope["path"].endswith("/durable-executions"):
            await _error(send, 403, "AccessDeniedException", "no ListDurable...")
            return
        await inner(scope, receive, send)

    server.app = failing
    deploy("greet", greet)
    runner = cloud("greet", max_attempts=2)

    with pytest.raises(AmbiguousInvokeError) as raised:
        runner.run({"name": "Ed"}, execution_name="unsure")

    assert str(raised.value) == (
        "Invoke of greet (DurableExecutionName 'unsure') failed after the request "
        "may have been sent (ServiceException; looking it up failed too: "
        "AccessDeniedException), and no execution of that name could be found; "
        "dex does not invoke again, to not start the function twice: look the "
        "name up with ListDurableExecutionsByFunction, or run again with a new name"
    )
    cause = raised.value.__cause__
    assert isinstance(cause, ClientError)
    assert cause.response["Error"]["Code"] == "AccessDeniedException"


def _no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # boto3's default session keeps the credentials an earlier test found.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


def test_without_credentials_a_loopback_endpoint_gets_dummy_ones(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, deploy: Any, server: Any
) -> None:
    _no_credentials(monkeypatch, tmp_path)
    deploy("greet", greet)
    server.start()
    config = DurableFunctionCloudTestRunnerConfig(
        function_name="greet",
        region="us-east-1",
        lambda_endpoint=server.url,
        poll_interval=0.02,
    )

    with DurableFunctionCloudTestRunner(config) as runner:
        result = runner.run({"name": "Flo"})

    assert result.result == '"hello Flo"'
    credentials = runner.client._request_signer._credentials
    assert (credentials.access_key, credentials.secret_key) == ("dex", "dex")


@pytest.mark.parametrize(
    ("endpoint", "where"),
    [
        ("https://lambda.example.com", "https://lambda.example.com"),
        (None, "the AWS Lambda endpoint"),
    ],
)
def test_without_credentials_elsewhere_the_error_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    endpoint: str | None,
    where: str,
) -> None:
    _no_credentials(monkeypatch, tmp_path)
    config = DurableFunctionCloudTestRunnerConfig(
        function_name="greet", region="us-east-1", lambda_endpoint=endpoint
    )

    with pytest.raises(ValueError) as raised:
        DurableFunctionCloudTestRunner(config)

    assert str(raised.value) == (
        f"no AWS credentials for function 'greet' at {where}: set "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (a profile "
        "of ~/.aws/credentials or ~/.aws/config), or pass client="
    )
