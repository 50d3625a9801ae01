"""Operations inside map and parallel: callbacks, invokes, nested batches."""

from __future__ import annotations

import json
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import (
    Duration,
    MapConfig,
    ParallelConfig,
)
from aws_durable_execution_sdk_python.execution import InvocationStatus

from .conftest import outline


@durable_execution
def approvals(event: list[str], context: DurableContext) -> list[str]:
    def ask(ctx: DurableContext, who: str, index: int, items: Any) -> str:
        answer = ctx.wait_for_callback(lambda callback_id, _: None, name=f"ask-{who}")
        return f"{who}: {answer}"

    return context.map(event, ask, name="approvals").get_results()


def test_callbacks_inside_map_items_are_answered_by_name(make_runner: Any) -> None:
    runner = make_runner(approvals)
    arn = runner.run_async(["ana", "bo", "cy"])
    ids = {
        who: runner.wait_for_callback(arn, name=f"ask-{who}", timeout=10)
        for who in ("ana", "bo", "cy")
    }

    for who in ("cy", "ana", "bo"):
        runner.send_callback_success(ids[who], f"yes from {who}")
    result = runner.wait_for_result(arn, timeout=10)

    assert result.status is InvocationStatus.SUCCEEDED
    assert json.loads(result.result) == [
        "ana: yes from ana",
        "bo: yes from bo",
        "cy: yes from cy",
    ]
    types = [row[0] for row in outline(result.history)]
    assert types.count("CallbackStarted") == 3
    assert types.count("CallbackSucceeded") == 3
    assert types[-1] == "ExecutionSucceeded"


@durable_execution
def quote(event: Any, context: DurableContext) -> int:
    context.wait(Duration.from_seconds(event["delay"]), name="think")
    return int(event["price"])


@durable_execution
def best_quote(event: Any, context: DurableContext) -> int:
    def ask(supplier: dict[str, int]) -> Any:
        return lambda ctx: ctx.invoke("quote", supplier, name="quote")

    batch = context.parallel(
        [ask(supplier) for supplier in event],
        name="suppliers",
        config=ParallelConfig(max_concurrency=len(event)),
    )
    return min(batch.get_results())


def test_invokes_inside_parallel_branches_share_the_clock(make_runner: Any) -> None:
    runner = make_runner(best_quote, functions={"quote": quote})

    result = runner.run(
        [{"price": 30, "delay": 600}, {"price": 20, "delay": 60}], timeout=3600
    )

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == "20"
    invokes = [
        op
        for op in result.get_all_operations()
        if op.operation_type.value == ("CHAINED_INVOKE")
    ]
    spans = sorted(
        round((op.end_timestamp - op.start_timestamp).total_seconds()) for op in invokes
    )
    assert spans == [60, 600]


@durable_execution
def grid(event: list[list[int]], context: DurableContext) -> list[list[int]]:
    def row(ctx: DurableContext, values: list[int], index: int, rows: Any) -> Any:
        def cell(c: DurableContext, value: int, i: int, items: Any) -> int:
            return c.step(lambda _: value * value, name="square")

        config = MapConfig(max_concurrency=1)
        return ctx.map(values, cell, name=f"row-{index}", config=config).get_results()

    config = MapConfig(max_concurrency=1)
    return context.map(event, row, name="rows", config=config).get_results()


def test_a_map_inside_a_map_nests_its_contexts(make_runner: Any) -> None:
    result = make_runner(grid).run([[1, 2], [3]])

    assert json.loads(result.result) == [[1, 4], [9]]
    assert outline(result.history) == [
        ("ExecutionStarted", None, None, None),
        ("ContextStarted", "Map", "rows", None),
        ("ContextStarted", "MapIteration", "map-item-0", "rows"),
        ("ContextStarted", "Map", "row-0", "map-item-0"),
        ("ContextStarted", "MapIteration", "map-item-0", "row-0"),
        ("StepStarted", "Step", "square", "map-item-0"),
        ("StepSucceeded", "Step", "square", "map-item-0"),
        ("ContextSucceeded", "MapIteration", "map-item-0", "row-0"),
        ("ContextStarted", "MapIteration", "map-item-1", "row-0"),
        ("StepStarted", "Step", "square", "map-item-1"),
        ("StepSucceeded", "Step", "square", "map-item-1"),
        ("ContextSucceeded", "MapIteration", "map-item-1", "row-0"),
        ("ContextSucceeded", "Map", "row-0", "map-item-0"),
        ("ContextSucceeded", "MapIteration", "map-item-0", "rows"),
        ("ContextStarted", "MapIteration", "map-item-1", "rows"),
        ("ContextStarted", "Map", "row-1", "map-item-1"),
        ("ContextStarted", "MapIteration", "map-item-0", "row-1"),
        ("StepStarted", "Step", "square", "map-item-0"),
        ("StepSucceeded", "Step", "square", "map-item-0"),
        ("ContextSucceeded", "MapIteration", "map-item-0", "row-1"),
        ("ContextSucceeded", "Map", "row-1", "map-item-1"),
        ("ContextSucceeded", "MapIteration", "map-item-1", "rows"),
        ("ContextSucceeded", "Map", "rows", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionSucceeded", None, None, None),
    ]
