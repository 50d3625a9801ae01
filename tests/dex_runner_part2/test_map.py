"""Map: every completion config, concurrency, item names and nesting types."""

from __future__ import annotations

import json
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import (
    CompletionConfig,
    CompletionOutcome,
    CompletionStatus,
    Duration,
    MapConfig,
    NestingType,
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


def times_ten(ctx: DurableContext, item: int, index: int, items: Any) -> int:
    def work(_: Any) -> int:
        if item < 0:
            raise ValueError(f"bad item {item}")
        return item * 10

    return ctx.step(work, name="work", config=NO_RETRY)


def mapping(config: MapConfig[Any]) -> Any:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        batch = context.map(event, times_ten, name="items", config=config)
        return {
            "results": batch.get_results(),
            "errors": [error.message for error in batch.get_errors()],
            "reason": batch.completion_reason.value,
        }

    return handler


def _item(name: str, outcome: str = "Succeeded") -> list[Any]:
    return [
        ("ContextStarted", "MapIteration", name, "items"),
        ("StepStarted", "Step", "work", name),
        (f"Step{outcome}", "Step", "work", name),
        (f"Context{outcome}", "MapIteration", name, "items"),
    ]


def _around(*items: list[Any]) -> list[Any]:
    rows: list[Any] = [
        ("ExecutionStarted", None, None, None),
        ("ContextStarted", "Map", "items", None),
    ]
    for item in items:
        rows.extend(item)
    rows += [
        ("ContextSucceeded", "Map", "items", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionSucceeded", None, None, None),
    ]
    return rows


def test_every_item_succeeds_in_order_with_one_at_a_time(make_runner: Any) -> None:
    result = make_runner(mapping(MapConfig(max_concurrency=1))).run([1, 2, 3])

    assert result.status is InvocationStatus.SUCCEEDED
    assert json.loads(result.result) == {
        "results": [10, 20, 30],
        "errors": [],
        "reason": "ALL_COMPLETED",
    }
    assert outline(result.history) == _around(
        _item("map-item-0"), _item("map-item-1"), _item("map-item-2")
    )


def test_each_iteration_records_its_item_result(make_runner: Any) -> None:
    result = make_runner(mapping(MapConfig(max_concurrency=1))).run([4, 5])

    items = result.get_context("items")
    assert [child.name for child in items.child_operations] == [
        "map-item-0",
        "map-item-1",
    ]
    assert [child.result for child in items.child_operations] == ["40", "50"]
    assert [child.sub_type.value for child in items.child_operations] == [
        "MapIteration",
        "MapIteration",
    ]


def test_min_successful_stops_starting_items_once_reached(make_runner: Any) -> None:
    config = MapConfig(
        max_concurrency=1, completion_config=CompletionConfig(min_successful=2)
    )
    result = make_runner(mapping(config)).run([1, 2, 3, 4])

    assert json.loads(result.result) == {
        "results": [10, 20],
        "errors": [],
        "reason": "MIN_SUCCESSFUL_REACHED",
    }
    assert outline(result.history) == _around(_item("map-item-0"), _item("map-item-1"))


def test_tolerated_failure_count_fails_the_batch_one_failure_past_it(
    make_runner: Any,
) -> None:
    config = MapConfig(
        max_concurrency=1,
        completion_config=CompletionConfig(tolerated_failure_count=1),
    )
    result = make_runner(mapping(config)).run([1, -2, -3, 4])

    assert json.loads(result.result) == {
        "results": [10],
        "errors": ["bad item -2", "bad item -3"],
        "reason": "FAILURE_TOLERANCE_EXCEEDED",
    }
    assert outline(result.history) == _around(
        _item("map-item-0"),
        _item("map-item-1", "Failed"),
        _item("map-item-2", "Failed"),
    )


def test_tolerated_failure_percentage_lets_every_item_run(make_runner: Any) -> None:
    config = MapConfig(
        max_concurrency=1,
        completion_config=CompletionConfig(tolerated_failure_percentage=50),
    )
    result = make_runner(mapping(config)).run([1, -2, 3, 4])

    assert json.loads(result.result) == {
        "results": [10, 30, 40],
        "errors": ["bad item -2"],
        "reason": "ALL_COMPLETED",
    }
    assert outline(result.history) == _around(
        _item("map-item-0"),
        _item("map-item-1", "Failed"),
        _item("map-item-2"),
        _item("map-item-3"),
    )


def test_the_default_config_fails_fast_on_the_first_failure(make_runner: Any) -> None:
    result = make_runner(mapping(MapConfig(max_concurrency=1))).run([1, -2, 3])

    assert json.loads(result.result)["reason"] == "FAILURE_TOLERANCE_EXCEEDED"
    assert outline(result.history) == _around(
        _item("map-item-0"), _item("map-item-1", "Failed")
    )
    failed = result.history[8]
    assert failed.event_type is EventType.STEP_FAILED
    assert failed.step_failed_details is not None
    error = failed.step_failed_details.error.payload
    assert error is not None
    assert (error.error_type, error.error_message) == ("ValueError", "bad item -2")


def _two_successes(status: CompletionStatus) -> Any:
    if status.success_count >= 2:
        return complete_batch()
    return continue_batch()


def _quorum_lost(status: CompletionStatus) -> Any:
    if status.failure_count >= 1:
        return complete_batch(CompletionOutcome.FAILED)
    return continue_batch()


def test_a_custom_completion_check_ends_the_batch_as_succeeded(
    make_runner: Any,
) -> None:
    config = MapConfig(
        max_concurrency=1,
        completion_config=CompletionConfig(should_complete=_two_successes),
    )
    result = make_runner(mapping(config)).run([1, 2, 3])

    assert json.loads(result.result) == {
        "results": [10, 20],
        "errors": [],
        "reason": "CUSTOM_COMPLETION_SUCCEEDED",
    }
    assert outline(result.history) == _around(_item("map-item-0"), _item("map-item-1"))


def test_a_custom_completion_check_ends_the_batch_as_failed(
    make_runner: Any,
) -> None:
    config = MapConfig(
        max_concurrency=1,
        completion_config=CompletionConfig(should_complete=_quorum_lost),
    )
    result = make_runner(mapping(config)).run([1, -2, 3])

    assert json.loads(result.result) == {
        "results": [10],
        "errors": ["bad item -2"],
        "reason": "CUSTOM_COMPLETION_FAILED",
    }
    assert outline(result.history) == _around(
        _item("map-item-0"), _item("map-item-1", "Failed")
    )


def test_an_item_namer_names_each_iteration(make_runner: Any) -> None:
    config = MapConfig(max_concurrency=1, item_namer=lambda item, i: f"order-{item}")
    result = make_runner(mapping(config)).run([7, 8])

    assert outline(result.history) == _around(_item("order-7"), _item("order-8"))


def test_flat_nesting_records_no_iteration_contexts(make_runner: Any) -> None:
    config = MapConfig(max_concurrency=1, nesting_type=NestingType.FLAT)
    result = make_runner(mapping(config)).run([1, 2])

    assert json.loads(result.result)["results"] == [10, 20]
    assert outline(result.history) == _around(
        [
            ("StepStarted", "Step", "work", "items"),
            ("StepSucceeded", "Step", "work", "items"),
            ("StepStarted", "Step", "work", "items"),
            ("StepSucceeded", "Step", "work", "items"),
        ]
    )


@durable_execution
def waiting_items(event: Any, context: DurableContext) -> list[int]:
    def item(ctx: DurableContext, seconds: int, index: int, items: Any) -> int:
        ctx.wait(Duration.from_seconds(seconds), name="nap")
        return seconds

    config = MapConfig(max_concurrency=event["concurrency"])
    return context.map(event["waits"], item, name="items", config=config).get_results()


def test_max_concurrency_bounds_the_items_started_before_a_suspension(
    make_runner: Any,
) -> None:
    result = make_runner(waiting_items).run({"concurrency": 2, "waits": [30, 10, 20]})

    assert result.status is InvocationStatus.SUCCEEDED
    assert json.loads(result.result) == [30, 10, 20]
    rows = outline(result.history)
    first = rows[: rows.index(("InvocationCompleted", None, None, None))]
    started = [row[2] for row in first if row[0] == "ContextStarted"]
    assert started == ["items", "map-item-0", "map-item-1"]
    waits = [
        (event.parent_id, event.wait_started_details.duration)
        for event in result.history
        if event.event_type is EventType.WAIT_STARTED
        and event.wait_started_details is not None
    ]
    names = {op.id: op.name for op in result.get_all_operations()}
    assert [(names[parent], seconds) for parent, seconds in waits] == [
        ("map-item-0", 30),
        ("map-item-1", 10),
        ("map-item-2", 20),
    ]


def test_items_waiting_in_virtual_time_end_at_their_modeled_times(
    make_runner: Any,
) -> None:
    result = make_runner(waiting_items).run({"concurrency": 3, "waits": [30, 10]})

    start = result.history[0].event_timestamp
    item0 = result.get_context("map-item-0").child_operations[0]
    item1 = result.get_context("map-item-1").child_operations[0]
    assert round((item0.end_timestamp - start).total_seconds()) == 30
    assert round((item1.end_timestamp - start).total_seconds()) == 10
