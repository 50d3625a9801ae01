"""Fixtures of the cloud runner's tests: ``dex serve`` plays the deployed service."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_durable_execution_sdk_python import durable_execution
from dex_cloud_helpers import boto3_lambda
from dex_runner import (
    DurableFunctionCloudTestRunner,
    DurableFunctionCloudTestRunnerConfig,
)
from dex_server import DexServer
from dex_store_filesystem import FilesystemExecutionStore
from dex_store_memory import MemoryExecutionStore


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
