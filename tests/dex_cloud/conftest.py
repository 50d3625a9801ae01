"""Fixtures of the cloud runner's tests: ``dex serve`` plays the deployed service."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest
from aws_durable_execution_sdk_python import durable_execution
from botocore.config import Config
from dex_runner import (
    DurableFunctionCloudTestRunner,
    DurableFunctionCloudTestRunnerConfig,
)
from dex_server import DexServer
from dex_store_filesystem import FilesystemExecutionStore
from dex_store_memory import MemoryExecutionStore

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "schemas" / "execution-record.schema.json").read_text()
)


def boto3_lambda(url: str, **config: Any) -> Any:
    """A boto3 ``lambda`` client for ``url`` with botocore's retries off."""
    return boto3.client(
        "lambda",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="dex",
        aws_secret_access_key="dex",
        config=Config(retries={"total_max_attempts": 1}, **config),
    )


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials for the clients the runner makes itself."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "dex")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "dex")
    monkeypatch.delenv("AWS_DEX_STORE_TYPE", raising=False)
    monkeypatch.delenv("AWS_DEX_STORE_PATH", raising=False)


@pytest.fixture
def server() -> Iterator[DexServer]:
    """The deployed service: not started yet, so a test may wrap its app."""
    store = MemoryExecutionStore()
    served = DexServer(store)
    yield served
    served.close()
    store.close()


@pytest.fixture
def deploy(server: DexServer) -> Callable[[str, Callable[..., Any]], None]:
    """Deploy a plain ``(event, context)`` function as a durable function."""

    def add(name: str, function: Callable[..., Any]) -> None:
        server.add_handler(
            name, durable_execution(function, boto3_client=boto3_lambda(server.url))
        )

    return add


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FilesystemExecutionStore]:
    """Where the cloud runner saves what it observes."""
    files = FilesystemExecutionStore(tmp_path / "store")
    yield files
    files.close()


@pytest.fixture
def cloud(
    server: DexServer, store: FilesystemExecutionStore
) -> Iterator[Callable[..., DurableFunctionCloudTestRunner]]:
    runners: list[DurableFunctionCloudTestRunner] = []

    def make(function_name: str, **options: Any) -> DurableFunctionCloudTestRunner:
        server.start()
        client = options.pop("client", None)
        config = DurableFunctionCloudTestRunnerConfig(
            function_name=function_name,
            region="us-east-1",
            lambda_endpoint=server.url,
            poll_interval=options.pop("poll_interval", 0.02),
            **options,
        )
        runner = DurableFunctionCloudTestRunner(config, client=client, store=store)
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.close()


def assert_valid_record_files(path: Path) -> int:
    """Validate every stored record file against the published schema."""
    files = sorted(path.glob("*.json"))
    for file in files:
        jsonschema.validate(json.loads(file.read_text()), SCHEMA)
    return len(files)
