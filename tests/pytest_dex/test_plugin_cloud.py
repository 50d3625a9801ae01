"""Cloud mode builds the cloud runner from the settings and the marker."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_durable_execution_sdk_python import durable_execution
from dex_schema import ExecutionStatus
from dex_server import DexServer
from dex_store import StoreConfig, open_store
from dex_store_memory import MemoryExecutionStore

FAKE_CLOUD = """
import pytest
import dex_runner


class FakeConfig:
    def __init__(self, **kwargs):
        self.kwargs = kwargs


class FakeCloudRunner:
    built = []

    def __init__(self, config, *, store=None):
        self.config = config
        self.given_store = store
        self.closed = False
        FakeCloudRunner.built.append(self)

    def run(self, input=None, **kwargs):
        raise AssertionError("not called in these tests")

    def run_async(self, input=None, **kwargs):
        raise AssertionError("not called in these tests")

    def close(self):
        self.closed = True


@pytest.fixture(autouse=True)
def fake_cloud_runner(monkeypatch):
    monkeypatch.setattr(
        dex_runner, "DurableFunctionCloudTestRunner", FakeCloudRunner, raising=False
    )
    monkeypatch.setattr(
        dex_runner, "DurableFunctionCloudTestRunnerConfig", FakeConfig, raising=False
    )
"""

CLOUD_TESTS = """
import pytest
from conftest import FakeCloudRunner
from dex_store import StoreConfig, open_store
from dex_store_filesystem import FilesystemExecutionStore
from dex_store_memory import MemoryExecutionStore

MY_STORE = open_store(StoreConfig(store_type="memory"))


@pytest.mark.durable_execution(lambda_function_name="orders")
def test_mapped_function(durable_runner):
    assert isinstance(durable_runner, FakeCloudRunner)
    assert durable_runner.config.kwargs == {
        "function_name": "arn:aws:lambda:eu-west-1:123456789012:function:orders-prod",
        "region": "eu-west-1",
        "lambda_endpoint": "http://127.0.0.1:9014",
    }
    store = durable_runner.given_store.wrapped
    assert isinstance(store, FilesystemExecutionStore)
    assert str(store.path) == EXPECTED_PATH


@pytest.mark.durable_execution(
    lambda_function_name="payments", store="memory", execution_timeout=30
)
def test_unmapped_function_keeps_its_name(durable_runner):
    assert durable_runner.config.kwargs["function_name"] == "payments"
    assert durable_runner.config.kwargs["timeout"] == 30.0
    assert isinstance(durable_runner.given_store.wrapped, MemoryExecutionStore)


@pytest.mark.durable_execution(lambda_function_name="refunds", store=MY_STORE)
def test_store_instance(durable_runner):
    assert durable_runner.config.kwargs["function_name"] == "refunds-prod"
    assert durable_runner.given_store.wrapped is MY_STORE


def test_runners_were_closed():
    assert [runner.closed for runner in FakeCloudRunner.built] == [True, True, True]
"""


def test_cloud_mode_builds_the_cloud_runner(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    pytester.makeconftest(FAKE_CLOUD)
    pytester.makepyfile(
        test_cloud=f"EXPECTED_PATH = {str(pytester.path / 'runs')!r}\n" + CLOUD_TESTS
    )
    pytester.makeini(
        "[pytest]\n"
        "dex_mode = cloud\n"
        "dex_function_map =\n"
        "    orders=arn:aws:lambda:eu-west-1:123456789012:function:orders-prod\n"
        "    refunds=refunds-prod\n"
    )

    result = pytester.runpytest(
        "--dex-endpoint=http://127.0.0.1:9014",
        "--dex-store=filesystem",
        "--dex-store-path=runs",
    )

    result.assert_outcomes(passed=4)


def test_cloud_mode_needs_the_function_name(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(FAKE_CLOUD)
    pytester.makepyfile(
        test_cloud="""
import pytest

def handler(event, context):
    return event

@pytest.mark.durable_execution(handler=handler)
def test_it(durable_runner):
    pass
"""
    )

    result = pytester.runpytest("--dex-mode=cloud")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.durable_execution on test_cloud.py::test_it gives no "
            "lambda_function_name, which cloud mode needs to find the deployed "
            "function: add lambda_function_name=... to the marker"
        ]
    )


def _checkout(event: Any, context: Any) -> Any:
    total = context.step(lambda _: sum(event["prices"]), name="total")
    if total > 100:
        raise RuntimeError(f"total {total} over the limit")
    return {"total": total}


def _approval(event: Any, context: Any) -> Any:
    return context.create_callback(name="manager").result()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[DexServer]:
    """``dex serve`` in-process, playing the deployed functions."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "dex")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "dex")
    store = MemoryExecutionStore()
    server = DexServer(store)
    client = boto3.client(
        "lambda",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="dex",
        aws_secret_access_key="dex",
    )
    for name, function in [("checkout-prod", _checkout), ("approval", _approval)]:
        server.add_handler(name, durable_execution(function, boto3_client=client))
    server.start()
    yield server
    server.close()
    store.close()


CLOUD_RUNS = """
import json

import pytest
from aws_durable_execution_sdk_python.execution import InvocationStatus


@pytest.mark.durable_execution(lambda_function_name="checkout")
def test_checkout(durable_runner):
    with durable_runner:
        result = durable_runner.run(input={"prices": [3, 4]}, timeout=30)
    assert result.status is InvocationStatus.SUCCEEDED
    assert json.loads(result.result) == {"total": 7}
    assert ":function:checkout-prod" in result.execution_arn
    with open("arn.txt", "w") as out:
        out.write(result.execution_arn)


@pytest.mark.durable_execution(lambda_function_name="checkout")
def test_checkout_over_the_limit(durable_runner):
    result = durable_runner.run(input={"prices": [300]}, timeout=30)
    assert result.status is InvocationStatus.SUCCEEDED


@pytest.mark.durable_execution(lambda_function_name="approval")
def test_leaves_approval_waiting(durable_runner):
    arn = durable_runner.run_async(input={})
    durable_runner.wait_for_callback(arn, name="manager", timeout=30)
"""


def test_cloud_mode_drives_functions_behind_dex_serve(
    pytester: pytest.Pytester, served: DexServer
) -> None:
    pytester.makepyfile(test_cloud_served_runs=CLOUD_RUNS)

    result = pytester.runpytest(
        "--dex-mode=cloud",
        f"--dex-endpoint={served.url}",
        "--dex-region=us-east-1",
        "--dex-function-map=checkout=checkout-prod",
        "--dex-store=filesystem",
        "--dex-store-path=runs",
    )

    result.assert_outcomes(passed=2, failed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*- durable execution arn:aws:lambda:*:function:checkout-prod* -*",
            "status: FAILED",
            "error: RuntimeError: total 300 over the limit",
            f"file: {pytester.path}/runs/*",
            "operations:",
            "  STEP total ?Step? SUCCEEDED attempt 1",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*ExecutionLeftRunningWarning: test_cloud_served_runs.py::"
            "test_leaves_approval_waiting left durable execution "
            "arn:aws:lambda:*:function:approval* RUNNING when its runner closed; "
            "dex stopped it.*"
        ]
    )
    saved = open_store(
        StoreConfig(store_type="filesystem", path=pytester.path / "runs")
    )
    try:
        arn = (pytester.path / "arn.txt").read_text()
        assert saved.load(arn).execution.status is ExecutionStatus.SUCCEEDED
        statuses = sorted(row.status.value for row in saved.query().rows)
        assert statuses == ["FAILED", "STOPPED", "SUCCEEDED"]
    finally:
        saved.close()
