"""A filesystem store that does not exist yet holds no executions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_durable_execution_sdk_python import durable_execution
from botocore.exceptions import ClientError
from dex_runner import (
    DurableExecutionService,
    DurableFunctionCloudTestRunner,
    DurableFunctionCloudTestRunnerConfig,
    ResourceNotFoundError,
)
from dex_server import DexServer
from dex_server_helpers import lambda_client, wait_ended
from dex_store_filesystem import FilesystemExecutionStore

UNKNOWN = (
    "arn:aws:lambda:us-east-1:123456789012:function:calc:$LATEST/"
    "durable-execution/nobody/00000000-0000-0000-0000-000000000000"
)


def quick(event: Any, context: Any) -> Any:
    return context.step(lambda _: "done", name="only")


@pytest.fixture(params=["new", "empty"])
def store_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A path no store is at yet: one that does not exist, or an empty directory."""
    path = tmp_path / "not" / "yet"
    if request.param == "empty":
        path.mkdir(parents=True)
    return path


@pytest.fixture
def fresh(store_path: Path) -> Iterator[tuple[DexServer, Any]]:
    store = FilesystemExecutionStore(store_path)
    with DexServer(store) as server:
        client = lambda_client(server.url)
        server.add_handler(
            "calc", durable_execution(quick, boto3_client=lambda_client(server.url))
        )
        yield server, client
    store.close()


def test_reads_of_a_store_not_made_yet_find_no_executions(
    fresh: tuple[DexServer, Any], store_path: Path
) -> None:
    _, client = fresh

    listed = client.list_durable_executions_by_function(FunctionName="calc")
    with pytest.raises(ClientError) as raised:
        client.get_durable_execution(DurableExecutionArn=UNKNOWN)
    with pytest.raises(ClientError) as history:
        client.get_durable_execution_history(DurableExecutionArn=UNKNOWN)
    with pytest.raises(ClientError) as stop:
        client.stop_durable_execution(DurableExecutionArn=UNKNOWN)
    with pytest.raises(ClientError) as delete:
        client.delete_durable_execution(DurableExecutionArn=UNKNOWN)

    assert listed["DurableExecutions"] == []
    for error in (raised, history, stop, delete):
        assert error.value.response["Error"] == {
            "Code": "ResourceNotFoundException",
            "Message": f"Durable execution {UNKNOWN!r} not found",
        }
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert not (store_path / ".dex-store").exists()


def test_a_named_invoke_creates_the_store_on_its_first_write(
    fresh: tuple[DexServer, Any], store_path: Path
) -> None:
    _, client = fresh

    arn = client.invoke(
        FunctionName="calc",
        InvocationType="Event",
        DurableExecutionName="first",
        Payload=json.dumps({}),
    )["DurableExecutionArn"]
    execution = wait_ended(client, arn)
    listed = client.list_durable_executions_by_function(FunctionName="calc")

    assert execution["Status"] == "SUCCEEDED"
    assert [row["DurableExecutionName"] for row in listed["DurableExecutions"]] == [
        "first"
    ]
    assert (store_path / ".dex-store").is_dir()
    assert len(list(store_path.glob("*.json"))) == 1


def test_the_service_reads_a_store_not_made_yet_as_empty(store_path: Path) -> None:
    store = FilesystemExecutionStore(store_path)
    service = DurableExecutionService(store)
    try:
        listed = service.list_executions_by_function("calc")
        with pytest.raises(ResourceNotFoundError) as raised:
            service.get_execution(UNKNOWN)
    finally:
        service.close()
        store.close()

    assert listed.durable_executions == ()
    assert listed.next_marker is None
    assert raised.value.message == f"Durable execution {UNKNOWN!r} not found"


def test_the_cloud_runner_runs_against_a_server_on_a_store_not_made_yet(
    fresh: tuple[DexServer, Any], tmp_path: Path
) -> None:
    server, _ = fresh
    config = DurableFunctionCloudTestRunnerConfig(
        function_name="calc",
        region="us-east-1",
        lambda_endpoint=server.url,
        store_type="filesystem",
        store_path=tmp_path / "observed",
        poll_interval=0.02,
    )

    with DurableFunctionCloudTestRunner(config) as runner:
        result = runner.run({})

    assert result.result == '"done"'
    assert len(list((tmp_path / "observed").glob("*.json"))) == 1
