"""A failed test's report shows its executions; teardown stops what is left."""

from __future__ import annotations

import pytest
from dex_store import StoreConfig, open_store

FAILING = """
import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import StepConfig
from aws_durable_execution_sdk_python.execution import InvocationStatus
from aws_durable_execution_sdk_python.retries import (
    RetryStrategyConfig,
    create_retry_strategy,
)

NO_RETRY = StepConfig(
    retry_strategy=create_retry_strategy(RetryStrategyConfig(max_attempts=1))
)


def charge(_):
    raise ValueError("card declined")


@durable_execution
def orders(event, context: DurableContext):
    context.logger.info("charging %s", event["order_id"])
    context.step(lambda _: "ok", name="validate")
    context.run_in_child_context(
        lambda child: child.step(charge, name="charge", config=NO_RETRY),
        name="payment",
    )
    return "never"


@pytest.mark.durable_execution(handler=orders, lambda_function_name="orders")
def test_order_is_charged(durable_runner):
    with durable_runner:
        result = durable_runner.run(input={"order_id": "o-1"}, timeout=10)
    assert result.status is InvocationStatus.SUCCEEDED
"""


def test_failed_test_report_shows_the_execution(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_orders=FAILING)

    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- durable execution arn:aws:lambda:*:function:orders:*"
            "/durable-execution/* -*",
            "execution arn:aws:lambda:*:function:orders:*",
            "status: FAILED",
            "error: *ChildContextError: card declined",
            "invocations: 1",
            "operations:",
            "  STEP validate ?Step? SUCCEEDED attempt 1",
            "  CONTEXT payment ?RunInChildContext? FAILED - *StepError: card declined",
            "    STEP charge ?Step? FAILED attempt 1 - ValueError: card declined",
            "last * of * history events:",
            "*StepFailed charge*card declined*",
            "*ExecutionFailed*",
            "last * of * log lines:",
            "  * INFO *: charging o-1",
            "  * ERROR aws_durable_execution_sdk_python.*: *failed step*charge",
            "    Traceback (most recent call last):",
        ]
    )


def test_report_names_the_file_with_the_filesystem_store(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_orders=FAILING)

    result = pytester.runpytest("--dex-store=filesystem", "--dex-store-path=runs")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "status: FAILED",
            "error: *ChildContextError: card declined",
            f"file: {pytester.path}/runs/*",
        ]
    )


def test_passing_test_report_has_no_execution_section(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_ok="""
import pytest
from aws_durable_execution_sdk_python import durable_execution

@durable_execution
def handler(event, context):
    return context.step(lambda _: 1, name="one")

@pytest.mark.durable_execution(handler=handler)
def test_ok(durable_runner):
    durable_runner.run(timeout=10)
"""
    )

    result = pytester.runpytest("-rA")

    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*durable execution arn*")


LEFT_WAITING = """
import pytest
from aws_durable_execution_sdk_python import durable_execution


@durable_execution
def approval(event, context):
    return context.create_callback(name="approval").result()


@pytest.mark.durable_execution(handler=approval, lambda_function_name="approval")
def test_leaves_it_waiting(durable_runner):
    with durable_runner:
        arn = durable_runner.run_async(input={})
        durable_runner.wait_for_callback(arn, name="approval", timeout=10)
    with open("arn.txt", "w") as out:
        out.write(arn)


@pytest.mark.durable_execution(handler=approval, lambda_function_name="approval")
def test_leaves_it_waiting_without_closing(durable_runner):
    arn = durable_runner.run_async(input={})
    durable_runner.wait_for_callback(arn, name="approval", timeout=10)
"""


def test_teardown_stops_executions_left_running_and_warns(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_left=LEFT_WAITING)

    result = pytester.runpytest("--dex-store=filesystem", "--dex-store-path=runs")

    result.assert_outcomes(passed=2, warnings=2)
    result.stdout.fnmatch_lines(
        [
            "test_left.py::test_leaves_it_waiting",
            "*ExecutionLeftRunningWarning: test_left.py::test_leaves_it_waiting left "
            "durable execution arn:aws:lambda:*:function:approval:* RUNNING when its "
            "runner closed; dex stopped it. Wait for its result "
            "(durable_runner.wait_for_result), answer its callbacks, or stop it "
            "(durable_runner.stop_execution) before the test ends",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*ExecutionLeftRunningWarning: "
            "test_left.py::test_leaves_it_waiting_without_closing left *"
        ]
    )
    arn = (pytester.path / "arn.txt").read_text()
    store = open_store(
        StoreConfig(store_type="filesystem", path=pytester.path / "runs")
    )
    try:
        assert store.load(arn).execution.status.value == "STOPPED"
    finally:
        store.close()


def test_report_includes_chained_executions(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_chained="""
import pytest
from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.execution import InvocationStatus


@durable_execution
def payments(event, context):
    context.step(lambda _: "reserved", name="reserve")
    raise RuntimeError("insufficient funds")


@durable_execution
def orders(event, context):
    return context.invoke("payments", {"amount": 10}, name="charge")


@pytest.mark.durable_execution(
    handler=orders, lambda_function_name="orders", functions={"payments": payments}
)
def test_chained(durable_runner):
    result = durable_runner.run(timeout=10)
    assert result.status is InvocationStatus.SUCCEEDED
"""
    )

    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- durable execution arn:aws:lambda:*:function:orders:* -*",
            "status: FAILED",
            "operations:",
            "  CHAINED_INVOKE charge ?ChainedInvoke? FAILED - *insufficient funds",
            "*- durable execution arn:aws:lambda:*:function:payments:* -*",
            "status: FAILED",
            "error: RuntimeError: insufficient funds",
            "operations:",
            "  STEP reserve ?Step? SUCCEEDED attempt 1",
        ]
    )


def test_thread_left_running_is_named_in_a_warning(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
import pytest_dex._run

pytest_dex._run.THREAD_GRACE_SECONDS = 0.1
"""
    )
    pytester.makepyfile(
        test_thread="""
import threading

import pytest
from aws_durable_execution_sdk_python import durable_execution

RELEASE = threading.Event()


@durable_execution
def handler(event, context):
    return context.step(lambda _: 1, name="one")


@pytest.mark.durable_execution(handler=handler)
def test_starts_a_thread(durable_runner):
    # Stands for a runner thread that outlives close(); dex names its own
    # threads dex-...; the other one is the test's and not checked.
    threading.Thread(target=RELEASE.wait, args=(10,), name="dex-lingering").start()
    threading.Thread(target=RELEASE.wait, args=(10,), name="mine").start()
    durable_runner.run(timeout=10)


def test_release():
    RELEASE.set()
"""
    )

    result = pytester.runpytest()

    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*ThreadLeftRunningWarning: test_thread.py::test_starts_a_thread: 1 "
            "thread(s) of the durable runner were still alive 0.1 s after it "
            "closed: 'dex-lingering'; a handler did not return",
        ]
    )


def test_warnings_as_errors_still_stop_and_close(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_left=LEFT_WAITING)

    result = pytester.runpytest(
        "--dex-store=filesystem",
        "--dex-store-path=runs",
        "-W",
        "error::pytest_dex.DexWarning",
    )

    result.assert_outcomes(failed=1, passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_leaves_it_waiting _*",
            "E   *ExecutionLeftRunningWarning: test_left.py::test_leaves_it_waiting "
            "left durable execution arn:* RUNNING when its runner closed; dex "
            "stopped it.*",
            "FAILED test_left.py::test_leaves_it_waiting - *",
            "ERROR test_left.py::test_leaves_it_waiting_without_closing - *",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_leaves_it_waiting_without_closing _*",
            "E   *ExecutionLeftRunningWarning: "
            "test_left.py::test_leaves_it_waiting_without_closing left durable "
            "execution arn:* RUNNING when its runner closed; dex stopped it.*",
        ]
    )
    store = open_store(
        StoreConfig(store_type="filesystem", path=pytester.path / "runs")
    )
    try:
        statuses = [row.status.value for row in store.query().rows]
        assert statuses == ["STOPPED", "STOPPED"]
    finally:
        store.close()
