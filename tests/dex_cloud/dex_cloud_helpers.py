"""Helpers of the cloud runner's tests: boto3 at dex serve, schema checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import jsonschema
from botocore.config import Config

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


def assert_valid_record_files(path: Path) -> int:
    """Validate every stored record file against the published schema."""
    files = sorted(path.glob("*.json"))
    for file in files:
        jsonschema.validate(json.loads(file.read_text()), SCHEMA)
    return len(files)
