"""pytest-xdist: two workers share one filesystem store directory."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from dex_store import StoreConfig, open_store

SCHEMA = Path(__file__).parents[2] / "schemas" / "execution-record.schema.json"

WORKLOAD = """
import os

import pytest
from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import Duration
from aws_durable_execution_sdk_python.execution import InvocationStatus


@durable_execution
def handler(event, context):
    total = context.step(lambda _: sum(event["numbers"]), name="sum")
    context.wait(Duration.from_seconds(10), name="settle")
    return {"total": total, "n": event["n"]}


@pytest.mark.parametrize("n", range(6))
@pytest.mark.durable_execution(handler=handler, lambda_function_name="summer")
def test_sum(durable_runner, n):
    with durable_runner:
        result = durable_runner.run(input={"numbers": [n, n], "n": n}, timeout=20)
        stored = durable_runner.get_execution(result.execution_arn)
    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == '{"total": %d, "n": %d}' % (2 * n, n)
    assert stored.execution.durable_execution_arn == result.execution_arn
    with open(f"arn-{n}.txt", "w") as out:
        out.write(os.environ["PYTEST_XDIST_WORKER"] + " " + result.execution_arn)
"""


def test_two_workers_write_one_filesystem_store(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_workload=WORKLOAD)

    result = pytester.runpytest_subprocess(
        "-n", "2", "--dex-store=filesystem", "--dex-store-path=shared-runs"
    )

    result.assert_outcomes(passed=6)
    written = [(pytester.path / f"arn-{n}.txt").read_text().split() for n in range(6)]
    assert {worker for worker, _ in written} == {"gw0", "gw1"}
    schema = json.loads(SCHEMA.read_text())
    store = open_store(
        StoreConfig(store_type="filesystem", path=pytester.path / "shared-runs")
    )
    try:
        assert len(store.query().rows) == 6
        for n, (_, arn) in enumerate(written):
            record = store.load(arn)
            assert record.execution.result == f'{{"total": {2 * n}, "n": {n}}}'
            document = json.loads(Path(store.path_for(arn)).read_text())
            jsonschema.validate(document, schema)
    finally:
        store.close()
