"""Malformed ARNs and paths, oversized callback results, foreign functions,
aliases, error bodies in the model's shapes, and the server's own error log."""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import botocore
import httpx
import pytest
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
from botocore.exceptions import ClientError
from dex_runner import (
    CallbackTimeoutError,
    InvalidCheckpointTokenError,
    InvalidParameterValueError,
    ResourceConflictError,
    ResourceNotFoundError,
    ServiceError,
)
from dex_runner.service import ExecutionAlreadyStartedError, ServiceInternalError
from dex_server import DexServer
from dex_server._errors import (
    InvalidRequestContentError,
    RequestTooLargeError,
    error_response,
)
from dex_server._server import own_log_to_stderr
from dex_server_helpers import all_events, lambda_client, wait_ended
from dex_store_memory import MemoryExecutionStore

MODEL = json.loads(
    gzip.decompress(
        (
            Path(botocore.__file__).parent
            / "data"
            / "lambda"
            / "2015-03-31"
            / "service-2.json.gz"
        ).read_bytes()
    )
)

ARN_SHAPE = (
    "expected arn:aws:lambda:REGION:ACCOUNT:function:NAME:VERSION/"
    "durable-execution/EXECUTION_NAME/EXECUTION_ID (VERSION $LATEST, "
    "$LATEST.PUBLISHED or a number; at most 1024 characters), as Invoke answers it"
)
UNKNOWN_CALLBACK = "bm90LWEtY2FsbGJhY2s"
CALC_ARN = "arn:aws:lambda:us-east-1:123456789012:function:calc"


def quick(event: Any, context: Any) -> Any:
    return context.step(lambda _: "done", name="only")


def short_approval(event: Any, context: Any) -> Any:
    """Fails when its one-second callback times out."""
    callback = context.create_callback(
        name="approve", config=CallbackConfig(timeout=Duration.from_seconds(1))
    )
    return callback.result()


def _error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


# -- malformed execution ARNs and paths ----------------------------------------

_ARN_CALLS = [
    ("get_durable_execution", {}),
    ("get_durable_execution_history", {}),
    ("get_durable_execution_state", {"CheckpointToken": "t"}),
    ("checkpoint_durable_execution", {"CheckpointToken": "t", "Updates": []}),
    ("stop_durable_execution", {}),
    ("pause_durable_execution", {}),
    ("resume_durable_execution", {}),
    ("delete_durable_execution", {}),
]


@pytest.mark.parametrize(("call", "options"), _ARN_CALLS)
@pytest.mark.parametrize(
    "arn",
    [
        "bogus",
        # an alias in place of the version
        "arn:aws:lambda:us-east-1:123456789012:function:calc:live/"
        "durable-execution/x/0000",
        # no version at all
        "arn:aws:lambda:us-east-1:123456789012:function:calc/durable-execution/x/0",
    ],
)
def test_a_malformed_execution_arn_is_an_invalid_parameter(
    client: Any, call: str, options: dict[str, Any], arn: str
) -> None:
    with pytest.raises(ClientError) as raised:
        getattr(client, call)(DurableExecutionArn=arn, **options)

    assert _error(raised) == (
        "InvalidParameterValueException",
        400,
        f"Invalid DurableExecutionArn {arn!r}: {ARN_SHAPE}",
    )


def _raw_get(url: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` byte for byte (HTTP clients repair bad escapes)."""
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: dex\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize(
    "path",
    ["/2025-12-01/durable-executions/arn%zz", "/2025-12-01/nothing%2"],
)
def test_a_bad_percent_escape_in_the_path_is_an_invalid_parameter(
    server: DexServer, path: str
) -> None:
    status, headers, body = _raw_get(server.url, path)

    assert status == 400
    assert headers["x-amzn-errortype"] == "InvalidParameterValueException"
    bad = path[path.index("%") : path.index("%") + 3].encode()
    assert json.loads(body) == {
        "Type": "User",
        "message": f"Invalid percent-encoding {bad!r} in the path {path!r}: '%' "
        "must be followed by two hex digits (percent-encode ARNs and callback ids)",
    }


# -- callbacks ------------------------------------------------------------------


def test_a_callback_result_over_1_mb_is_an_invalid_parameter(client: Any) -> None:
    with pytest.raises(ClientError) as over:
        client.send_durable_execution_callback_success(
            CallbackId=UNKNOWN_CALLBACK, Result=b"x" * (1024 * 1024 + 1)
        )
    with pytest.raises(ClientError) as at_limit:
        client.send_durable_execution_callback_success(
            CallbackId=UNKNOWN_CALLBACK, Result=b"x" * (1024 * 1024)
        )

    assert _error(over) == (
        "InvalidParameterValueException",
        400,
        "Invalid Result: 1048577 bytes, the most is 1048576 bytes (1 MB)",
    )
    # At the limit the size passes: the unknown id is what is refused.
    assert _error(at_limit)[:2] == ("ResourceNotFoundException", 404)


def test_a_timed_out_callback_says_so_after_its_execution_ended(
    client: Any, serve: Any
) -> None:
    serve("approve", short_approval)
    arn = client.invoke(FunctionName="approve", InvocationType="Event", Payload=b"{}")[
        "DurableExecutionArn"
    ]
    execution = wait_ended(client, arn)
    [callback_id] = [
        event["CallbackStartedDetails"]["CallbackId"]
        for event in all_events(client, arn)
        if event["EventType"] == "CallbackStarted"
    ]

    with pytest.raises(ClientError) as raised:
        client.send_durable_execution_callback_success(
            CallbackId=callback_id, Result=b"late"
        )

    assert execution["Status"] == "FAILED"
    code, status, message = _error(raised)
    assert (code, status) == ("CallbackTimeoutException", 400)
    assert message.startswith(f"Callback {callback_id!r} timed out at ")
    assert message.endswith(" and can no longer be answered")


# -- functions of other regions and accounts, aliases ----------------------------


@pytest.mark.parametrize(
    "function",
    [
        "arn:aws:lambda:eu-west-1:123456789012:function:calc",
        "arn:aws:lambda:us-east-1:210987654321:function:calc:$LATEST",
    ],
)
def test_a_function_of_another_region_or_account_is_not_found(
    client: Any, serve: Any, function: str
) -> None:
    serve("calc", quick)

    with pytest.raises(ClientError) as invoked:
        client.invoke(FunctionName=function, InvocationType="Event", Payload=b"{}")
    with pytest.raises(ClientError) as listed:
        client.list_durable_executions_by_function(FunctionName=function)

    expected = (
        "ResourceNotFoundException",
        404,
        f"Function not found: {function}; this server's functions are "
        "arn:aws:lambda:us-east-1:123456789012:function:NAME (its region and "
        "account), as a bare function name means",
    )
    assert _error(invoked) == expected
    assert _error(listed) == expected


@pytest.mark.parametrize(
    ("options", "version"),
    [
        ({"FunctionName": "calc:live"}, "$LATEST"),
        ({"FunctionName": f"{CALC_ARN}:live"}, "$LATEST"),
        ({"FunctionName": "calc", "Qualifier": "live"}, "$LATEST"),
        ({"FunctionName": "calc", "Qualifier": "$LATEST.PUBLISHED"}, "$LATEST"),
        ({"FunctionName": "calc:7"}, "7"),
    ],
)
def test_an_alias_runs_as_latest_in_the_execution_arn(
    client: Any, serve: Any, options: dict[str, Any], version: str
) -> None:
    serve("calc", quick)

    response = client.invoke(InvocationType="Event", Payload=b"{}", **options)
    arn = response["DurableExecutionArn"]
    execution = wait_ended(client, arn)

    assert response["ExecutedVersion"] == version
    assert arn.startswith(
        f"arn:aws:lambda:us-east-1:123456789012:function:calc:{version}/"
        "durable-execution/"
    )
    assert execution["Version"] == version
    assert execution["Status"] == "SUCCEEDED"


# -- error bodies and messages ----------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        ResourceNotFoundError("m"),
        InvalidParameterValueError("m"),
        InvalidCheckpointTokenError("m"),
        CallbackTimeoutError("m"),
        ResourceConflictError("m"),
        ServiceInternalError("m"),
        RequestTooLargeError("m"),
        InvalidRequestContentError("m"),
        ExecutionAlreadyStartedError("m"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_each_error_body_has_the_members_of_its_shape_in_the_model(
    error: ServiceError,
) -> None:
    shape = MODEL["shapes"][error.code]
    [message_member] = [name for name in shape["members"] if name.lower() == "message"]

    response = error_response(error)

    assert response.status_code == shape["error"]["httpStatusCode"]
    assert response.headers["x-amzn-ErrorType"] == error.code
    assert json.loads(response.body) == {
        "Type": "Service" if response.status_code >= 500 else "User",
        message_member: error.message,
    }


def test_a_bad_list_marker_is_named_in_the_apis_words(client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        client.list_durable_executions_by_function(FunctionName="calc", Marker="bogus")

    assert _error(raised) == (
        "InvalidParameterValueException",
        400,
        "Invalid Marker 'bogus': pass the NextMarker of the previous "
        "ListDurableExecutionsByFunction page unchanged, with the same ReverseOrder",
    )


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (5, "Invalid CheckpointToken: expected a string, got a number 5"),
        ([], "Invalid CheckpointToken: expected a string, got an array []"),
        (
            None,
            "CheckpointToken is required: pass the token of the invocation or of "
            "the previous checkpoint",
        ),
    ],
)
def test_a_checkpoint_token_of_the_wrong_type_is_not_called_missing(
    server: DexServer, token: Any, message: str
) -> None:
    arn = (
        "arn:aws:lambda:us-east-1:123456789012:function:calc:$LATEST/"
        "durable-execution/x/0"
    )
    response = httpx.post(
        f"{server.url}/2025-12-01/durable-executions/{arn}/checkpoint",
        json={"CheckpointToken": token, "Updates": []},
    )

    assert response.status_code == 400
    assert response.json() == {"Type": "User", "message": message}


# -- the server's own errors reach stderr ------------------------------------------


class _BrokenQueries(MemoryExecutionStore):
    def query(self, query: Any) -> Any:
        raise RuntimeError("the disk is on fire")


@pytest.fixture
def broken_server() -> Iterator[DexServer]:
    with DexServer(_BrokenQueries()) as running:
        yield running


def test_a_server_error_is_logged_to_stderr_with_its_traceback_only(
    broken_server: DexServer,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = lambda_client(broken_server.url)
    caplog.set_level(logging.DEBUG)

    with own_log_to_stderr(), contextlib.suppress(ClientError):
        client.list_durable_executions_by_function(FunctionName="calc")
    after = logging.getLogger("dex_server")
    time.sleep(0.05)

    err = capfd.readouterr().err
    assert (
        "dex serve: ERROR: GET /2025-12-01/functions/calc/durable-executions failed "
        "(dex_server._app)\nTraceback (most recent call last):\n"
    ) in err
    assert err.rstrip().endswith("RuntimeError: the disk is on fire")
    # Nothing reached the root logger, where the log capture of invocations is.
    assert [r for r in caplog.records if r.name.startswith("dex_server")] == []
    assert after.propagate is True
    assert after.handlers == []


def test_a_service_exception_of_the_service_is_logged_to_stderr_too(
    server: DexServer,
    client: Any,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    arn = f"{CALC_ARN}:$LATEST/durable-execution/x/0"

    def broken(execution_arn: str) -> Any:
        raise ServiceInternalError(f"the service failed while running {execution_arn}")

    monkeypatch.setattr(server.service, "get_execution", broken)

    with own_log_to_stderr(), pytest.raises(ClientError) as raised:
        client.get_durable_execution(DurableExecutionArn=arn)
    time.sleep(0.05)

    assert _error(raised) == (
        "ServiceException",
        500,
        f"the service failed while running {arn}",
    )
    err = capfd.readouterr().err
    assert (
        f"dex serve: ERROR: GET /2025-12-01/durable-executions/{arn} answered "
        f"ServiceException: the service failed while running {arn} "
        "(dex_server._app)\nTraceback (most recent call last):\n"
    ) in err
    assert err.rstrip().endswith(
        f"ServiceInternalError: the service failed while running {arn}"
    )


def test_a_qualifier_that_is_no_version_or_alias_is_an_invalid_parameter(
    client: Any, serve: Any
) -> None:
    serve("calc", quick)

    with pytest.raises(ClientError) as raised:
        client.invoke(
            FunctionName="calc",
            Qualifier="live!",
            InvocationType="Event",
            Payload=b"{}",
        )

    assert _error(raised) == (
        "InvalidParameterValueException",
        400,
        "Invalid Qualifier 'live!': expected a version ($LATEST, a number) or an "
        "alias name (letters, digits, '-', '_')",
    )
