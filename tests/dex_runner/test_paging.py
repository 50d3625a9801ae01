"""Paging as the service pages: initial state, GetDurableExecutionState, history."""

from __future__ import annotations

from typing import Any

import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration
from dex_runner._inprocess import InProcessInvoker
from dex_runner._service import (
    DEFAULT_HISTORY_PAGE_SIZE,
    STATE_PAGE_SIZE,
    DurableExecutionService,
    InvalidParameterValueError,
)
from dex_schema import ExecutionStatus


@durable_execution
def five_steps_and_a_wait(event: Any, context: DurableContext) -> int:
    total = sum(context.step(lambda _, n=n: n, name=f"s{n}") for n in range(5))
    context.wait(Duration.from_seconds(1))
    return total + context.step(lambda _: 100, name="after")


def _service(store: Any, page_size: int) -> tuple[DurableExecutionService, list[Any]]:
    invoker = InProcessInvoker({"fn": five_steps_and_a_wait}, None)
    service = DurableExecutionService(store, invoker, state_page_size=page_size)
    calls: list[Any] = []
    original = service.get_execution_state

    def counting(*args: Any, **kwargs: Any) -> Any:
        output = original(*args, **kwargs)
        calls.append(output)
        return output

    service.get_execution_state = counting  # type: ignore[method-assign]
    return service, calls


def test_the_documented_page_sizes() -> None:
    assert STATE_PAGE_SIZE == 1000
    assert DEFAULT_HISTORY_PAGE_SIZE == 100


def test_initial_state_over_one_page_is_fetched_by_the_sdk_with_markers(
    store: Any,
) -> None:
    service, calls = _service(store, page_size=2)
    arn = service.start_execution("fn").durable_execution_arn

    record = service.wait_for_completion(arn, 30)
    service.close()

    assert record is not None
    assert record.execution.status is ExecutionStatus.SUCCEEDED
    assert record.execution.result == "110"
    # 7 operations (EXECUTION, five steps, the wait) in pages of 2: the input
    # holds the first page, the SDK fetches the other three.
    assert [len(page.operations) for page in calls] == [2, 2, 1 + 0 + 0]
    assert calls[-1].next_marker is None


def test_get_execution_state_pages_in_creation_order(store: Any) -> None:
    service, _ = _service(store, page_size=1000)
    arn = service.start_execution("fn").durable_execution_arn
    assert service.wait_for_completion(arn, 30) is not None
    live = service._live[arn]  # the record is over; read its pages directly
    with live.condition:
        first = service._page(live, 0, 3)
    service.close()

    assert [op.name for op in first.operations][1:] == ["s0", "s1"]
    assert first.next_marker is not None


def test_a_marker_from_another_listing_is_rejected(store: Any) -> None:
    service, _ = _service(store, page_size=1000)
    arn = service.start_execution("fn").durable_execution_arn
    assert service.wait_for_completion(arn, 30) is not None
    marker = service.get_execution_history(arn, max_items=2).next_marker
    assert marker is not None

    with pytest.raises(InvalidParameterValueError) as caught:
        service.get_execution_history(arn, marker=marker + "x")
    service.close()

    assert str(caught.value) == (
        f"Invalid marker {marker + 'x'!r}: pass the NextMarker of the previous "
        "history page unchanged"
    )


def test_history_pages_forward_and_in_reverse(store: Any) -> None:
    service, _ = _service(store, page_size=1000)
    arn = service.start_execution("fn").durable_execution_arn
    record = service.wait_for_completion(arn, 30)
    assert record is not None

    ids: list[int | None] = []
    marker = None
    while True:
        page = service.get_execution_history(arn, marker=marker, max_items=4)
        ids += [event.event_id for event in page.events]
        marker = page.next_marker
        if marker is None:
            break
    reverse = service.get_execution_history(arn, max_items=3, reverse_order=True)
    service.close()

    assert ids == list(range(1, len(record.events) + 1))
    assert [event.event_id for event in reverse.events] == [
        len(record.events),
        len(record.events) - 1,
        len(record.events) - 2,
    ]


def test_max_items_outside_the_range_is_rejected(store: Any) -> None:
    service, _ = _service(store, page_size=1000)
    arn = service.start_execution("fn").durable_execution_arn
    assert service.wait_for_completion(arn, 30) is not None

    with pytest.raises(InvalidParameterValueError) as caught:
        service.get_execution_history(arn, max_items=1001)
    service.close()

    assert str(caught.value) == (
        "Invalid MaxItems 1001: must be 0 (the default page size) to 1000"
    )


def test_history_without_execution_data_leaves_payloads_out(store: Any) -> None:
    service, _ = _service(store, page_size=1000)
    arn = service.start_execution("fn", '"in"').durable_execution_arn
    assert service.wait_for_completion(arn, 30) is not None

    page = service.get_execution_history(arn, include_execution_data=False)
    service.close()

    started = page.events[0].execution_started_details
    assert started is not None and started.input.payload is None
    succeeded = [e for e in page.events if e.step_succeeded_details is not None]
    assert all(e.step_succeeded_details.result.payload is None for e in succeeded)  # type: ignore[union-attr]
