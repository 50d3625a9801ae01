"""The store for one test: the marker's choice beats the command line."""

from __future__ import annotations

import pytest
from dex_store import StoreConfig, open_store

HANDLER = """
import pytest
from aws_durable_execution_sdk_python import durable_execution


@durable_execution
def handler(event, context):
    return context.step(lambda _: event["n"] * 10, name="times-ten")
"""


def test_marker_store_and_path_beat_the_command_line(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_store=HANDLER
        + """

@pytest.mark.durable_execution(
    handler=handler, store="filesystem", store_path="marker-runs"
)
def test_in_the_marker_store(durable_runner):
    result = durable_runner.run(input={"n": 4}, timeout=10)
    assert result.result == "40"
    with open("arn.txt", "w") as out:
        out.write(result.execution_arn)
"""
    )

    result = pytester.runpytest("--dex-store=memory", "--dex-store-path=cli-runs")

    result.assert_outcomes(passed=1)
    assert not (pytester.path / "cli-runs").exists()
    store = open_store(
        StoreConfig(store_type="filesystem", path=pytester.path / "marker-runs")
    )
    try:
        arn = (pytester.path / "arn.txt").read_text()
        assert store.load(arn).execution.result == "40"
    finally:
        store.close()


def test_marker_store_instance_is_used_and_left_open(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_store=HANDLER
        + """
from dex_store import StoreConfig, open_store

MY_STORE = open_store(StoreConfig(store_type="memory"))


@pytest.mark.durable_execution(handler=handler, store=MY_STORE)
def test_first(durable_runner):
    durable_runner.run(input={"n": 1}, timeout=10)


@pytest.mark.durable_execution(handler=handler, store=MY_STORE)
def test_second(durable_runner):
    durable_runner.run(input={"n": 2}, timeout=10)


def test_both_executions_are_in_my_store():
    results = sorted(row.arn for row in MY_STORE.query().rows)
    assert len(results) == 2
    assert sorted(MY_STORE.load(arn).execution.result for arn in results) == [
        "10",
        "20",
    ]
"""
    )

    result = pytester.runpytest("--dex-store=filesystem")

    result.assert_outcomes(passed=3)
    assert not (pytester.path / ".durable_executions").exists()


def test_default_filesystem_path_is_durable_executions(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_store=HANDLER
        + """

@pytest.mark.durable_execution(handler=handler)
def test_it(durable_runner):
    durable_runner.run(input={"n": 3}, timeout=10)
"""
    )

    result = pytester.runpytest("--dex-store=filesystem")

    result.assert_outcomes(passed=1)
    store = open_store(
        StoreConfig(store_type="filesystem", path=pytester.path / ".durable_executions")
    )
    try:
        rows = store.query().rows
        assert [row.status.value for row in rows] == ["SUCCEEDED"]
    finally:
        store.close()
