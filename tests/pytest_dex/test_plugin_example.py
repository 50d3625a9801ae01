"""The issue's example passes as written, with the memory and filesystem stores."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from dex_store import StoreConfig, open_store

SCHEMA = Path(__file__).parents[2] / "schemas" / "execution-record.schema.json"

EXAMPLE = """
import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration
from aws_durable_execution_sdk_python.execution import InvocationStatus


@durable_execution
def my_handler(event, context: DurableContext):
    shouted = context.step(lambda _: event["data"].upper(), name="shout")
    context.wait(Duration.from_seconds(5), name="pause")
    return {"shouted": shouted}


@pytest.mark.durable_execution(handler=my_handler, lambda_function_name="my_function")
def test_with_memory_store(durable_runner):
    with durable_runner:
        result = durable_runner.run(input={"data": "test"}, timeout=10)
    assert result.status is InvocationStatus.SUCCEEDED


@pytest.mark.durable_execution(handler=my_handler, lambda_function_name="my_function")
def test_result_and_arn(durable_runner):
    with durable_runner:
        result = durable_runner.run(input={"data": "test"}, timeout=10)
    assert result.result == '{"shouted": "TEST"}'
    assert ":function:my_function:" in result.execution_arn
    assert result.get_step("shout").result == '"TEST"'
    with open("arns.txt", "a") as arns:
        arns.write(result.execution_arn + "\\n")
"""


def test_example_passes_with_the_memory_store(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_example=EXAMPLE)

    result = pytester.runpytest()

    result.assert_outcomes(passed=2)
    assert not (pytester.path / ".durable_executions").exists()


def test_example_passes_with_the_filesystem_store_from_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "filesystem")
    monkeypatch.setenv("AWS_DEX_STORE_PATH", "./test-executions")
    pytester.makepyfile(test_example=EXAMPLE)

    result = pytester.runpytest()

    result.assert_outcomes(passed=2)
    store_dir = pytester.path / "test-executions"
    arns = (pytester.path / "arns.txt").read_text().split()
    assert len(arns) == 1
    store = open_store(StoreConfig(store_type="filesystem", path=store_dir))
    try:
        rows = store.query().rows
        assert len(rows) == 2
        assert {row.function_name for row in rows} == {"my_function"}
        assert {row.status.value for row in rows} == {"SUCCEEDED"}
        record_file = Path(store.path_for(arns[0]))
        assert record_file.parent == store_dir
        schema = json.loads(SCHEMA.read_text())
        for row in rows:
            document = json.loads(Path(store.path_for(row.arn)).read_text())
            jsonschema.validate(document, schema)
            assert document["Execution"]["DurableExecutionArn"] == row.arn
    finally:
        store.close()
