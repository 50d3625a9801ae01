"""Helpers of dex-server's tests: boto3 at the server, polling, history pages."""

from __future__ import annotations

import time
from typing import Any

import boto3
from botocore.config import Config


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
