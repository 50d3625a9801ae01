"""Fixtures of dex-server's tests: a server on a free loopback port, boto3 at it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from aws_durable_execution_sdk_python import durable_execution
from botocore.config import Config
from dex_server import DexServer
from dex_store_memory import MemoryExecutionStore

Serve = Callable[[str, Callable[..., Any]], Callable[..., Any]]


def lambda_client(url: str) -> Any:
    """A real boto3 ``lambda`` client for ``url`` that never retries by itself."""
    return boto3.client(
        "lambda",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="dex",
        aws_secret_access_key="dex",
        config=Config(retries={"max_attempts": 0, "mode": "standard"}),
    )


@pytest.fixture
def server() -> Iterator[DexServer]:
    store = MemoryExecutionStore()
    with DexServer(store) as running:
        yield running
    store.close()


@pytest.fixture
def client(server: DexServer) -> Any:
    return lambda_client(server.url)


@pytest.fixture
def serve(server: DexServer, client: Any) -> Serve:
    """Serve a plain ``(event, context)`` function as a durable handler.

    The handler's SDK checkpoints over HTTP through its own boto3 client,
    pointed at the server (injected, so the SDK's per-process client is left
    alone).
    """

    def add(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        handler = durable_execution(function, boto3_client=lambda_client(server.url))
        server.add_handler(name, handler)
        return handler

    return add


def wait_ended(client: Any, arn: str, timeout: float = 20.0) -> dict[str, Any]:
    """Poll GetDurableExecution until the execution has ended."""
    deadline = time.monotonic() + timeout
    while True:
        execution: dict[str, Any] = client.get_durable_execution(
            DurableExecutionArn=arn
        )
        if execution["Status"] not in ("RUNNING", "PAUSED"):
            return execution
        assert time.monotonic() < deadline, f"{arn} still running after {timeout}s"
        time.sleep(0.02)


def all_events(client: Any, arn: str, **options: Any) -> list[dict[str, Any]]:
    """Every history event, page after page."""
    events: list[dict[str, Any]] = []
    marker = None
    while True:
        extra = {"Marker": marker} if marker else {}
        page = client.get_durable_execution_history(
            DurableExecutionArn=arn, **options, **extra
        )
        events.extend(page["Events"])
        marker = page.get("NextMarker")
        if not marker:
            return events


def wait_for_callback_id(client: Any, arn: str, timeout: float = 20.0) -> str:
    """The id of the first callback the execution started."""
    deadline = time.monotonic() + timeout
    while True:
        for event in all_events(client, arn):
            if event["EventType"] == "CallbackStarted":
                callback_id: str = event["CallbackStartedDetails"]["CallbackId"]
                return callback_id
        assert time.monotonic() < deadline, f"no callback in {arn} after {timeout}s"
        time.sleep(0.02)
