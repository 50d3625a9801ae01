"""Twenty executions at once on one runner, answered from other threads."""

from __future__ import annotations

import json
import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
from aws_durable_execution_sdk_python.exceptions import CallbackError
from dex_runner import DurableFunctionTestRunner
from dex_schema import ErrorObject, ExecutionStatus
from dex_store_filesystem import FilesystemExecutionStore

EXECUTIONS = 20
WAIT_PER_RUN = 15.0
"""Wall seconds each execution may take to end before the test fails (a hang
becomes a failure, never a stuck test run)."""


@durable_execution
def approval(event: Any, context: DurableContext) -> dict[str, Any]:
    number = event["number"]
    callback = context.create_callback(
        name=f"approve-{number}",
        config=CallbackConfig(timeout=Duration.from_days(1)),
    )
    try:
        answer = callback.result()
    except CallbackError as error:
        return {"number": number, "rejected": error.message}
    return {"number": number, "answer": answer}


def _timeout(number: int) -> int:
    return 100 + number


def _fate(number: int) -> str:
    return ("approve", "reject", "ignore")[number % 3]


def run_twenty(runner: DurableFunctionTestRunner, rng: random.Random) -> None:
    """Start 20 executions from 4 threads, answer them from 4 others in random
    order, and check that each ended as its own answer and timeout say."""
    numbers = list(range(EXECUTIONS))
    with ThreadPoolExecutor(max_workers=4) as pool:
        arns = list(
            pool.map(
                lambda n: runner.run_async(
                    {"number": n}, timeout=_timeout(n), execution_name=f"run-{n}"
                ),
                numbers,
            )
        )
        callback_ids = list(
            pool.map(
                lambda n: runner.wait_for_callback(
                    arns[n], name=f"approve-{n}", timeout=WAIT_PER_RUN
                ),
                numbers,
            )
        )
        answered = [n for n in numbers if _fate(n) != "ignore"]
        rng.shuffle(answered)

        def answer(number: int) -> None:
            if _fate(number) == "approve":
                runner.send_callback_success(callback_ids[number], f"yes-{number}")
            else:
                runner.send_callback_failure(
                    callback_ids[number],
                    ErrorObject(error_type="Rejected", error_message=f"no-{number}"),
                )

        list(pool.map(answer, answered))
        order = numbers[:]
        rng.shuffle(order)
        results = dict(
            zip(
                order,
                pool.map(
                    lambda n: runner.wait_for_result(arns[n], timeout=WAIT_PER_RUN),
                    order,
                ),
                strict=True,
            )
        )

    for number in numbers:
        result = results[number]
        assert result.execution_arn == arns[number]
        fate = _fate(number)
        if fate == "approve":
            assert result.execution_status is ExecutionStatus.SUCCEEDED, number
            assert json.loads(result.result) == {
                "number": number,
                "answer": f"yes-{number}",
            }
        elif fate == "reject":
            assert result.execution_status is ExecutionStatus.SUCCEEDED, number
            assert json.loads(result.result) == {
                "number": number,
                "rejected": f"no-{number}",
            }
        else:
            assert result.execution_status is ExecutionStatus.TIMED_OUT, number
            assert result.error is not None
            assert result.error.message == (
                f"Execution timed out after {_timeout(number)} seconds"
            )
            start = result.history[0].event_timestamp
            end = result.history[-1].event_timestamp
            assert round((end - start).total_seconds(), 3) == _timeout(number)


@pytest.mark.parametrize("repetition", range(3))
def test_twenty_executions_at_once_each_end_as_their_own(
    make_runner: Any, repetition: int
) -> None:
    runner = make_runner(approval, execution_timeout=1000)

    run_twenty(runner, random.Random(repetition))


def test_twenty_executions_at_once_with_the_filesystem_store(tmp_path: Any) -> None:
    store = FilesystemExecutionStore(tmp_path / "store")
    try:
        with DurableFunctionTestRunner(
            approval, store=store, execution_timeout=1000
        ) as runner:
            run_twenty(runner, random.Random(7))
    finally:
        store.close()


@pytest.mark.soak
def test_twenty_executions_at_once_fifty_times(store: Any) -> None:
    for repetition in range(50):
        with DurableFunctionTestRunner(
            approval, store=store, execution_timeout=1000
        ) as runner:
            run_twenty(runner, random.Random(1000 + repetition))
