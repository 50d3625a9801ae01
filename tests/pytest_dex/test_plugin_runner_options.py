"""The marker's keywords reach the runner the fixture builds."""

from __future__ import annotations

import pytest

TESTS = """
import pytest
from aws_durable_execution_sdk_python import durable_execution
from dex_runner import ClockMode, DurableFunctionTestRunner
from pytest_dex._recording import RecordingStore


@durable_execution
def handler(event, context):
    return event


@durable_execution
def payments(event, context):
    return event


@pytest.mark.durable_execution(handler=handler)
def test_defaults(durable_runner):
    assert type(durable_runner) is DurableFunctionTestRunner
    assert durable_runner.handler is handler
    assert durable_runner.function_name == "test-function"
    assert durable_runner.execution_timeout == 300
    assert durable_runner.clock_mode is ClockMode.SKIP
    assert isinstance(durable_runner.store, RecordingStore)


@pytest.mark.durable_execution(
    handler=handler,
    lambda_function_name="orders",
    execution_timeout=45,
    skip_time=False,
    functions={"payments": payments},
)
def test_every_keyword(durable_runner):
    assert durable_runner.function_name == "orders"
    assert durable_runner.execution_timeout == 45
    assert durable_runner.clock_mode is ClockMode.REAL


@pytest.mark.durable_execution(handler=handler, skip_time="manual")
def test_manual_clock(durable_runner):
    assert durable_runner.clock_mode is ClockMode.MANUAL


@pytest.mark.durable_execution(handler=handler, lambda_function_name="not a name!")
def test_runner_refuses_a_bad_function_name(durable_runner):
    pass
"""


def test_marker_keywords_reach_the_runner(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_options=TESTS)

    result = pytester.runpytest("-v")

    result.stdout.fnmatch_lines(
        [
            "test_options.py::test_defaults PASSED*",
            "test_options.py::test_every_keyword PASSED*",
            "test_options.py::test_manual_clock PASSED*",
            "test_options.py::test_runner_refuses_a_bad_function_name ERROR*",
        ]
    )
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_runner_refuses_a_bad_function_name*",
            "DurableFunctionTestRunner refused what @pytest.mark.durable_execution "
            "on test_options.py::test_runner_refuses_a_bad_function_name asks for: "
            "InvalidParameterValueError: Invalid function name 'not a name!': *",
        ]
    )
