"""Fixtures of dex-server's tests: a server on a free loopback port, boto3 at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aws_durable_execution_sdk_python import durable_execution
from dex_server import DexServer
from dex_server_helpers import lambda_client
from dex_store_memory import MemoryExecutionStore

Serve = Callable[[str, Callable[..., Any]], Callable[..., Any]]


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
