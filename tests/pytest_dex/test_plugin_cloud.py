"""Cloud mode builds the cloud runner from the settings and the marker."""

from __future__ import annotations

import pytest

FAKE_CLOUD = """
import pytest
import dex_runner


class FakeConfig:
    def __init__(self, **kwargs):
        self.kwargs = kwargs


class FakeCloudRunner:
    built = []

    def __init__(self, config):
        self.config = config
        self.closed = False
        FakeCloudRunner.built.append(self)

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


@pytest.mark.durable_execution(lambda_function_name="orders")
def test_mapped_function(durable_runner):
    assert isinstance(durable_runner, FakeCloudRunner)
    assert durable_runner.config.kwargs == {
        "function_name": "arn:aws:lambda:eu-west-1:123456789012:function:orders-prod",
        "region": "eu-west-1",
        "lambda_endpoint": "http://127.0.0.1:9014",
        "store_type": "filesystem",
        "store_path": EXPECTED_PATH,
    }


@pytest.mark.durable_execution(
    lambda_function_name="payments", store="memory", store_path="marker-runs"
)
def test_unmapped_function_keeps_its_name(durable_runner):
    assert durable_runner.config.kwargs["function_name"] == "payments"
    assert durable_runner.config.kwargs["store_type"] == "memory"
    assert durable_runner.config.kwargs["store_path"] == MARKER_PATH


def test_runners_were_closed():
    assert [runner.closed for runner in FakeCloudRunner.built] == [True, True]
"""


def test_cloud_mode_builds_the_cloud_runner(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    pytester.makeconftest(FAKE_CLOUD)
    pytester.makepyfile(
        test_cloud=f"EXPECTED_PATH = {str(pytester.path / 'runs')!r}\n"
        f"MARKER_PATH = {str(pytester.path / 'marker-runs')!r}\n" + CLOUD_TESTS
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

    result.assert_outcomes(passed=3)


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


def test_cloud_mode_refuses_a_store_instance(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(FAKE_CLOUD)
    pytester.makepyfile(
        test_cloud="""
import pytest
from dex_store import StoreConfig, open_store

@pytest.mark.durable_execution(
    lambda_function_name="orders", store=open_store(StoreConfig())
)
def test_it(durable_runner):
    pass
"""
    )

    result = pytester.runpytest("--dex-mode=cloud")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.durable_execution on test_cloud.py::test_it gives an "
            "ExecutionStore instance as store=, which cloud mode cannot use (the "
            "cloud runner opens its store by name): give a store name such as "
            'store="filesystem"'
        ]
    )
