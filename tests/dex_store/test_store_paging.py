"""run_query: the one implementation of filters, order and markers."""

import base64
import datetime as dt

import pytest
from dex_schema import ExecutionStatus
from dex_store import (
    ExecutionQuery,
    ExecutionSummaryRow,
    InvalidQueryError,
    QueryOrder,
    run_query,
)

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def row(arn: str, minutes: int, status: ExecutionStatus) -> ExecutionSummaryRow:
    return ExecutionSummaryRow(
        arn=arn,
        execution_name=arn,
        function_name="fn",
        function_arn="arn:aws:lambda:us-east-1:1:function:fn",
        status=status,
        start_timestamp=T0 + dt.timedelta(minutes=minutes),
        end_timestamp=None,
        operation_count=0,
        revision=1,
    )


ROWS = [
    row("c", 0, ExecutionStatus.RUNNING),
    row("a", 1, ExecutionStatus.FAILED),
    row("b", 1, ExecutionStatus.SUCCEEDED),
    row("d", 2, ExecutionStatus.FAILED),
]


def test_newest_first_breaks_ties_by_arn() -> None:
    page = run_query(None, ROWS)

    assert [r.arn for r in page.rows] == ["d", "a", "b", "c"]
    assert page.next_marker is None


def test_oldest_first_breaks_ties_by_arn() -> None:
    page = run_query(ExecutionQuery(order=QueryOrder.OLDEST_FIRST), ROWS)

    assert [r.arn for r in page.rows] == ["c", "a", "b", "d"]


def test_timestamps_in_other_offsets_order_by_instant() -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    early = row("z", 0, ExecutionStatus.RUNNING)
    late_local = ExecutionSummaryRow(
        **{
            **{f: getattr(early, f) for f in early.__struct_fields__},
            "arn": "y",
            "start_timestamp": dt.datetime(2026, 1, 1, 1, 30, tzinfo=plus_two),
        }
    )

    page = run_query(None, [early, late_local])

    # 01:30+02:00 is 23:30 UTC the day before: older than T0.
    assert [r.arn for r in page.rows] == ["z", "y"]


def test_markers_walk_every_page_once() -> None:
    first = run_query(ExecutionQuery(limit=3), ROWS)
    second = run_query(ExecutionQuery(limit=3, marker=first.next_marker), ROWS)

    assert [r.arn for r in first.rows] == ["d", "a", "b"]
    assert [r.arn for r in second.rows] == ["c"]
    assert second.next_marker is None


def test_the_marker_is_opaque_but_still_checked() -> None:
    forged = "dex1." + base64.urlsafe_b64encode(b'["newest_first", "x", "a"]').decode()

    with pytest.raises(InvalidQueryError) as caught:
        run_query(ExecutionQuery(marker=forged), ROWS)

    assert str(caught.value).startswith("malformed page marker 'dex1.")


def test_filters_combine() -> None:
    query = ExecutionQuery(
        statuses=(ExecutionStatus.FAILED,),
        started_after=T0 + dt.timedelta(minutes=1),
    )

    assert [r.arn for r in run_query(query, ROWS).rows] == ["d"]
