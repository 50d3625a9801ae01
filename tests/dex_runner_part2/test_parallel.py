"""Parallel: every completion config, concurrency, branch names and nesting types."""

from __future__ import annotations

import json
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import (
    CompletionConfig,
    CompletionOutcome,
    CompletionStatus,
    Duration,
    NestingType,
    ParallelBranch,
    ParallelConfig,
    StepConfig,
    complete_batch,
    continue_batch,
)
from aws_durable_execution_sdk_python.execution import InvocationStatus
from aws_durable_execution_sdk_python.retries import (
    RetryStrategyConfig,
    create_retry_strategy,
)
from dex_schema import EventType

from .conftest import outline

NO_RETRY = StepConfig(
    retry_strategy=create_retry_strategy(RetryStrategyConfig(max_attempts=1))
)


def ok(ctx: DurableContext) -> str:
    return ctx.step(lambda _: "ok", name="s")


def bad(ctx: DurableContext) -> str:
    def fail(_: Any) -> str:
        raise RuntimeError("boom")

    return ctx.step(fail, name="s", config=NO_RETRY)


def slow(ctx: DurableContext) -> str:
    ctx.wait(Duration.from_seconds(60), name="nap")
    return "late"


BRANCHES = {"ok": ok, "bad": bad, "slow": slow}


def fan_out(config: ParallelConfig | None) -> Any:
    @durable_execution
    def handler(event: list[str], context: DurableContext) -> dict[str, Any]:
        batch = context.parallel(
            [BRANCHES[name] for name in event], name="fan", config=config
        )
        return {
            "results": batch.get_results(),
            "errors": [error.message for error in batch.get_errors()],
            "reason": batch.completion_reason.value,
        }

    return handler


def _branch(name: str, outcome: str = "Succeeded") -> list[Any]:
    return [
        ("ContextStarted", "ParallelBranch", name, "fan"),
        ("StepStarted", "Step", "s", name),
        (f"Step{outcome}", "Step", "s", name),
        (f"Context{outcome}", "ParallelBranch", name, "fan"),
    ]


def _around(*branches: list[Any]) -> list[Any]:
    rows: list[Any] = [
        ("ExecutionStarted", None, None, None),
        ("ContextStarted", "Parallel", "fan", None),
    ]
    for branch in branches:
        rows.extend(branch)
    rows += [
        ("ContextSucceeded", "Parallel", "fan", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionSucceeded", None, None, None),
    ]
    return rows


def one_at_a_time(completion: CompletionConfig | None = None) -> ParallelConfig:
    if completion is None:
        return ParallelConfig(max_concurrency=1)
    return ParallelConfig(max_concurrency=1, completion_config=completion)


def test_all_branches_succeed_with_the_default_config(make_runner: Any) -> None:
    result = make_runner(fan_out(one_at_a_time())).run(["ok", "ok"])

    assert result.status is InvocationStatus.SUCCEEDED
    assert json.loads(result.result) == {
        "results": ["ok", "ok"],
        "errors": [],
        "reason": "ALL_COMPLETED",
    }
    assert outline(result.history) == _around(
        _branch("parallel-branch-0"), _branch("parallel-branch-1")
    )


def test_all_successful_stops_at_the_first_failed_branch(make_runner: Any) -> None:
    config = one_at_a_time(CompletionConfig.all_successful())
    result = make_runner(fan_out(config)).run(["ok", "bad", "ok"])

    assert json.loads(result.result) == {
        "results": ["ok"],
        "errors": ["boom"],
        "reason": "FAILURE_TOLERANCE_EXCEEDED",
    }
    assert outline(result.history) == _around(
        _branch("parallel-branch-0"), _branch("parallel-branch-1", "Failed")
    )
    failed = result.history[9]
    assert failed.event_type is EventType.CONTEXT_FAILED
    assert failed.context_failed_details is not None
    error = failed.context_failed_details.error.payload
    assert error is not None
    assert error.error_message == "boom"


def test_first_successful_ends_with_the_first_success(make_runner: Any) -> None:
    config = one_at_a_time(CompletionConfig.first_successful())
    result = make_runner(fan_out(config)).run(["bad", "ok", "ok"])

    assert json.loads(result.result) == {
        "results": ["ok"],
        "errors": ["boom"],
        "reason": "MIN_SUCCESSFUL_REACHED",
    }
    assert outline(result.history) == _around(
        _branch("parallel-branch-0", "Failed"), _branch("parallel-branch-1")
    )


def test_all_completed_runs_every_branch_across_invocations(make_runner: Any) -> None:
    config = one_at_a_time(CompletionConfig.all_completed())
    result = make_runner(fan_out(config)).run(["ok", "bad", "slow"])

    assert json.loads(result.result) == {
        "results": ["ok", "late"],
        "errors": ["boom"],
        "reason": "ALL_COMPLETED",
    }
    assert outline(result.history) == [
        ("ExecutionStarted", None, None, None),
        ("ContextStarted", "Parallel", "fan", None),
        *_branch("parallel-branch-0"),
        *_branch("parallel-branch-1", "Failed"),
        ("ContextStarted", "ParallelBranch", "parallel-branch-2", "fan"),
        ("WaitStarted", "Wait", "nap", "parallel-branch-2"),
        ("InvocationCompleted", None, None, None),
        ("WaitSucceeded", "Wait", "nap", "parallel-branch-2"),
        ("ContextSucceeded", "ParallelBranch", "parallel-branch-2", "fan"),
        ("ContextSucceeded", "Parallel", "fan", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionSucceeded", None, None, None),
    ]
    waited = result.history[13].wait_succeeded_details
    assert waited is not None
    assert waited.duration == 60


def test_min_successful_ends_once_enough_branches_succeed(make_runner: Any) -> None:
    config = one_at_a_time(CompletionConfig(min_successful=2))
    result = make_runner(fan_out(config)).run(["ok", "bad", "ok", "slow"])

    assert json.loads(result.result) == {
        "results": ["ok", "ok"],
        "errors": ["boom"],
        "reason": "MIN_SUCCESSFUL_REACHED",
    }
    assert outline(result.history) == _around(
        _branch("parallel-branch-0"),
        _branch("parallel-branch-1", "Failed"),
        _branch("parallel-branch-2"),
    )


def test_tolerated_failure_count_allows_that_many_failures(make_runner: Any) -> None:
    config = one_at_a_time(CompletionConfig(tolerated_failure_count=1))
    result = make_runner(fan_out(config)).run(["bad", "ok", "bad", "ok"])

    assert json.loads(result.result) == {
        "results": ["ok"],
        "errors": ["boom", "boom"],
        "reason": "FAILURE_TOLERANCE_EXCEEDED",
    }
    assert outline(result.history) == _around(
        _branch("parallel-branch-0", "Failed"),
        _branch("parallel-branch-1"),
        _branch("parallel-branch-2", "Failed"),
    )


def test_tolerated_failure_percentage_is_checked_against_all_branches(
    make_runner: Any,
) -> None:
    config = one_at_a_time(CompletionConfig(tolerated_failure_percentage=25))
    result = make_runner(fan_out(config)).run(["ok", "bad", "bad", "ok"])

    assert json.loads(result.result) == {
        "results": ["ok"],
        "errors": ["boom", "boom"],
        "reason": "FAILURE_TOLERANCE_EXCEEDED",
    }
    assert outline(result.history) == _around(
        _branch("parallel-branch-0"),
        _branch("parallel-branch-1", "Failed"),
        _branch("parallel-branch-2", "Failed"),
    )


def _one_failure_fails(status: CompletionStatus) -> Any:
    if status.failure_count:
        return complete_batch(CompletionOutcome.FAILED)
    if status.success_count >= 2:
        return complete_batch()
    return continue_batch()


def test_a_custom_completion_check_decides_success(make_runner: Any) -> None:
    config = one_at_a_time(CompletionConfig(should_complete=_one_failure_fails))
    result = make_runner(fan_out(config)).run(["ok", "ok", "bad"])

    assert json.loads(result.result)["reason"] == "CUSTOM_COMPLETION_SUCCEEDED"
    assert outline(result.history) == _around(
        _branch("parallel-branch-0"), _branch("parallel-branch-1")
    )


def test_a_custom_completion_check_decides_failure(make_runner: Any) -> None:
    config = one_at_a_time(CompletionConfig(should_complete=_one_failure_fails))
    result = make_runner(fan_out(config)).run(["bad", "ok", "ok"])

    assert json.loads(result.result)["reason"] == "CUSTOM_COMPLETION_FAILED"
    assert outline(result.history) == _around(_branch("parallel-branch-0", "Failed"))


@durable_execution
def named(event: Any, context: DurableContext) -> list[str]:
    branches = [ParallelBranch(ok, name="left"), ParallelBranch(ok, name="right")]
    config = ParallelConfig(max_concurrency=1)
    return context.parallel(branches, name="fan", config=config).get_results()


def test_named_branches_appear_under_their_names(make_runner: Any) -> None:
    result = make_runner(named).run()

    assert json.loads(result.result) == ["ok", "ok"]
    assert outline(result.history) == _around(_branch("left"), _branch("right"))


def test_flat_nesting_records_the_branch_operations_under_the_parallel(
    make_runner: Any,
) -> None:
    config = ParallelConfig(max_concurrency=1, nesting_type=NestingType.FLAT)
    result = make_runner(fan_out(config)).run(["ok", "ok"])

    assert json.loads(result.result)["results"] == ["ok", "ok"]
    assert outline(result.history) == _around(
        [
            ("StepStarted", "Step", "s", "fan"),
            ("StepSucceeded", "Step", "s", "fan"),
            ("StepStarted", "Step", "s", "fan"),
            ("StepSucceeded", "Step", "s", "fan"),
        ]
    )


def test_unbounded_concurrency_starts_every_branch_in_the_first_invocation(
    make_runner: Any,
) -> None:
    result = make_runner(fan_out(None)).run(["slow", "slow", "slow"])

    assert json.loads(result.result)["results"] == ["late", "late", "late"]
    rows = outline(result.history)
    first = rows[: rows.index(("InvocationCompleted", None, None, None))]
    assert sorted(first) == sorted(
        [
            ("ExecutionStarted", None, None, None),
            ("ContextStarted", "Parallel", "fan", None),
            *[
                row
                for index in range(3)
                for row in [
                    (
                        "ContextStarted",
                        "ParallelBranch",
                        f"parallel-branch-{index}",
                        "fan",
                    ),
                    ("WaitStarted", "Wait", "nap", f"parallel-branch-{index}"),
                ]
            ],
        ]
    )
    assert rows[-1] == ("ExecutionSucceeded", None, None, None)
    assert [row[0] for row in rows].count("WaitSucceeded") == 3
