"""dex serve: sequential steps checkpointed over HTTP, against in-process.

A handler of N sequential steps runs to completion three ways: in-process
with the local runner (the SDK calls the service directly), through
``dex serve`` (a ``DexServer`` on a loopback port; the SDK checkpoints over
HTTP with its own boto3 client; started with a RequestResponse Invoke), and
driven by the cloud runner against that server (Invoke, polls, every history
page read, the record rebuilt and saved). The report gives each one's time
per step, the HTTP cost of one step over the in-process cost, and what the
cloud runner adds to a run through the server. Memory stores throughout.
"""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from botocore.config import Config
from dex_runner import (
    DurableFunctionCloudTestRunner,
    DurableFunctionCloudTestRunnerConfig,
    DurableFunctionTestRunner,
)
from dex_server import DexServer
from dex_store_memory import MemoryExecutionStore

SIZES = (10, 100)
REPEATS = 3


def _steps(event: Any, context: DurableContext) -> int:
    total = 0
    for index in range(event["steps"]):
        total += context.step(lambda _, n=index: n, name=f"step-{index}")
    return total


def _client(url: str) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="dex",
        aws_secret_access_key="dex",
        config=Config(retries={"total_max_attempts": 1}),
    )


def _in_process(steps: int) -> float:
    handler = durable_execution(_steps)
    with DurableFunctionTestRunner(handler, store=MemoryExecutionStore()) as runner:
        started = time.perf_counter()
        result = runner.run({"steps": steps}, timeout=3600)
        elapsed = time.perf_counter() - started
    _check(steps, result.result)
    return elapsed


def _over_http(server: DexServer, steps: int) -> float:
    client = _client(server.url)
    started = time.perf_counter()
    response = client.invoke(FunctionName="steps", Payload=json.dumps({"steps": steps}))
    elapsed = time.perf_counter() - started
    _check(steps, response["Payload"].read().decode())
    return elapsed


def _cloud(server: DexServer, steps: int) -> float:
    config = DurableFunctionCloudTestRunnerConfig(
        function_name="steps",
        region="us-east-1",
        lambda_endpoint=server.url,
        poll_interval=0.01,
    )
    runner = DurableFunctionCloudTestRunner(
        config, client=_client(server.url), store=MemoryExecutionStore()
    )
    with runner:
        started = time.perf_counter()
        result = runner.run({"steps": steps}, timeout=3600)
        elapsed = time.perf_counter() - started
    _check(steps, result.result)
    return elapsed


def _check(steps: int, result: str | None) -> None:
    expected = str(steps * (steps - 1) // 2)
    if result != expected:
        raise AssertionError(f"{steps} steps gave {result}, not {expected}")


def run() -> str:
    """Measure and return the report."""
    store = MemoryExecutionStore()
    rows = []
    with DexServer(store) as server:
        server.add_handler(
            "steps", durable_execution(_steps, boto3_client=_client(server.url))
        )
        _over_http(server, 1)  # warm up the connection pools
        for steps in SIZES:
            local = min(_in_process(steps) for _ in range(REPEATS))
            http = min(_over_http(server, steps) for _ in range(REPEATS))
            cloud = min(_cloud(server, steps) for _ in range(REPEATS))
            rows.append((steps, local, http, cloud))
    store.close()
    lines = [
        f"{'steps':>6} {'in-process s':>13} {'dex serve s':>12} {'cloud runner s':>15}"
        f" {'ms/step local':>14} {'ms/step http':>13}"
    ]
    for steps, local, http, cloud in rows:
        lines.append(
            f"{steps:>6} {local:>13.3f} {http:>12.3f} {cloud:>15.3f} "
            f"{local / steps * 1000:>14.2f} {http / steps * 1000:>13.2f}"
        )
    steps, local, http, cloud = rows[-1]
    lines.append(
        f"at {steps} steps: HTTP costs {http / local:.1f}x in-process; the cloud "
        f"runner adds {cloud - http:+.3f} s to a run through the server"
    )
    return "\n".join(lines)
