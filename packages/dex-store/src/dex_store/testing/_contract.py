"""``ExecutionStoreContract``: the tests every ``ExecutionStore`` must pass.

A store package subclasses it in its own tests and says how to make a
store::

    class TestMyStore(ExecutionStoreContract):
        def make_store(self, directory: Path) -> ExecutionStore:
            return MyStore(directory)

pytest then runs every ``test_*`` method below against that store.
"""

from __future__ import annotations

import datetime as dt
import threading

import msgspec
import pytest
from dex_schema import ExecutionRecord, ExecutionStatus

from .._errors import (
    ExecutionAlreadyExistsError,
    ExecutionConflictError,
    ExecutionNotFoundError,
    InvalidQueryError,
)
from .._protocol import (
    ExecutionQuery,
    ExecutionStore,
    ExecutionSummaryRow,
    QueryOrder,
)
from ._base import _T0, StoreContractBase, _all_rows, _as_stored
from ._records import sample_record

__all__ = ("ExecutionStoreContract",)


class ExecutionStoreContract(StoreContractBase):
    """The behaviour every ``ExecutionStore`` shares, as pytest tests.

    Subclass it in a class whose name starts with ``Test`` and implement
    ``make_store`` (and ``open_again`` where a second store object can open
    the same data); see ``StoreContractBase``.
    """

    # -- create and load ----------------------------------------------------------

    def test_create_stores_revision_1_and_load_returns_it(
        self, store: ExecutionStore
    ) -> None:
        record = sample_record("first", operations=3)

        stored = store.create(record)

        assert stored == _as_stored(record, 1)
        assert store.load(record.arn) == stored

    def test_create_ignores_the_revision_it_is_given(
        self, store: ExecutionStore
    ) -> None:
        record = _as_stored(sample_record("first"), 41)

        assert store.create(record).revision == 1
        assert store.load(record.arn).revision == 1

    def test_create_of_a_stored_arn_raises_already_exists(
        self, store: ExecutionStore
    ) -> None:
        record = sample_record("twice")
        store.create(record)

        with pytest.raises(ExecutionAlreadyExistsError) as caught:
            store.create(sample_record("twice", status=ExecutionStatus.FAILED))

        assert caught.value.arn == record.arn
        assert str(caught.value) == (
            f"an execution is already stored under {record.arn!r}; "
            "use update() to change it"
        )
        assert store.load(record.arn) == _as_stored(record, 1)

    def test_load_of_an_unknown_arn_raises_not_found(
        self, store: ExecutionStore
    ) -> None:
        store.create(sample_record("known"))
        arn = sample_record("unknown").arn

        with pytest.raises(ExecutionNotFoundError) as caught:
            store.load(arn)

        assert caught.value.arn == arn
        assert str(caught.value).startswith(f"no execution stored under {arn!r}")

    def test_loaded_records_cannot_be_changed(self, store: ExecutionStore) -> None:
        record = store.create(sample_record("frozen"))
        loaded = store.load(record.arn)

        with pytest.raises(AttributeError):
            loaded.execution.status = ExecutionStatus.FAILED  # type: ignore[misc]

        assert store.load(record.arn) == record

    # -- update -------------------------------------------------------------------

    def test_update_stores_the_next_revision(self, store: ExecutionStore) -> None:
        stored = store.create(sample_record("grows", status=ExecutionStatus.RUNNING))
        changed = sample_record("grows", operations=5)

        updated = store.update(_as_stored(changed, stored.revision))

        assert updated == _as_stored(changed, 2)
        assert store.load(stored.arn) == updated
        assert store.update(updated).revision == 3

    def test_update_from_a_stale_copy_raises_conflict(
        self, store: ExecutionStore
    ) -> None:
        first = store.create(sample_record("raced", status=ExecutionStatus.RUNNING))
        winner = store.update(first)

        with pytest.raises(ExecutionConflictError) as caught:
            store.update(sample_record("raced", operations=2, arn=first.arn))

        error = caught.value
        assert (error.arn, error.expected, error.actual) == (first.arn, 0, 2)
        with pytest.raises(ExecutionConflictError) as caught:
            store.update(first)
        assert str(caught.value) == (
            f"execution {first.arn!r} was updated by someone else: the update was "
            "made from revision 1 but revision 2 is stored; load it again and retry"
        )
        assert store.load(first.arn) == winner

    def test_update_of_an_unknown_arn_raises_not_found(
        self, store: ExecutionStore
    ) -> None:
        store.create(sample_record("known"))
        record = _as_stored(sample_record("never-created"), 1)

        with pytest.raises(ExecutionNotFoundError) as caught:
            store.update(record)

        assert str(caught.value).startswith(f"no execution stored under {record.arn!r}")

    # -- delete -------------------------------------------------------------------

    def test_delete_removes_the_execution(self, store: ExecutionStore) -> None:
        kept = store.create(sample_record("kept"))
        gone = store.create(sample_record("gone"))

        store.delete(gone.arn)

        with pytest.raises(ExecutionNotFoundError):
            store.load(gone.arn)
        assert [row.arn for row in store.query().rows] == [kept.arn]
        assert store.create(sample_record("gone")).revision == 1

    def test_delete_of_an_unknown_arn_raises_not_found(
        self, store: ExecutionStore
    ) -> None:
        store.create(sample_record("known"))
        arn = sample_record("unknown").arn

        with pytest.raises(ExecutionNotFoundError) as caught:
            store.delete(arn)

        assert str(caught.value).startswith(f"no execution stored under {arn!r}")

    # -- query --------------------------------------------------------------------

    def _populate(self, store: ExecutionStore) -> list[ExecutionRecord]:
        statuses = (
            ExecutionStatus.SUCCEEDED,
            ExecutionStatus.FAILED,
            ExecutionStatus.RUNNING,
        )
        records = [
            sample_record(
                f"run-{index}",
                function_name=("orders", "billing")[index % 2],
                status=statuses[index % 3],
                start=_T0 + dt.timedelta(minutes=index // 2),
                operations=index % 4,
            )
            for index in range(12)
        ]
        return [store.create(record) for record in records]

    def test_query_returns_summaries_newest_first_then_by_arn(
        self, store: ExecutionStore
    ) -> None:
        stored = self._populate(store)

        page = store.query()

        expected = sorted(
            stored, key=lambda r: (-r.execution.start_timestamp.timestamp(), r.arn)
        )
        assert page.rows == tuple(ExecutionSummaryRow.of(r) for r in expected)
        assert page.next_marker is None
        assert page.unreadable == ()

    def test_query_oldest_first(self, store: ExecutionStore) -> None:
        stored = self._populate(store)

        page = store.query(ExecutionQuery(order=QueryOrder.OLDEST_FIRST))

        expected = sorted(stored, key=lambda r: (r.execution.start_timestamp, r.arn))
        assert [row.arn for row in page.rows] == [r.arn for r in expected]

    def test_query_filters_by_function_name(self, store: ExecutionStore) -> None:
        self._populate(store)

        rows = store.query(ExecutionQuery(function_name="billing")).rows

        assert sorted(row.execution_name for row in rows) == [
            "run-1",
            "run-11",
            "run-3",
            "run-5",
            "run-7",
            "run-9",
        ]

    def test_query_filters_by_execution_name(self, store: ExecutionStore) -> None:
        self._populate(store)

        rows = store.query(ExecutionQuery(execution_name="run-4")).rows

        assert [row.execution_name for row in rows] == ["run-4"]
        assert rows[0].operation_count == 0
        assert rows[0].function_name == "orders"

    def test_query_filters_by_status(self, store: ExecutionStore) -> None:
        self._populate(store)

        query = ExecutionQuery(
            statuses=(ExecutionStatus.FAILED, ExecutionStatus.RUNNING),
            order=QueryOrder.OLDEST_FIRST,
        )
        rows = store.query(query).rows

        assert [row.execution_name for row in rows] == [
            # run-5 and run-4 start together; billing's ARN sorts before orders'
            "run-1",
            "run-2",
            "run-5",
            "run-4",
            "run-7",
            "run-8",
            "run-11",
            "run-10",
        ]

    def test_query_filters_by_start_after_exclusive_and_before_inclusive(
        self, store: ExecutionStore
    ) -> None:
        self._populate(store)

        query = ExecutionQuery(
            started_after=_T0 + dt.timedelta(minutes=1),
            started_before=_T0 + dt.timedelta(minutes=3),
            function_name="orders",
            order=QueryOrder.OLDEST_FIRST,
        )
        rows = store.query(query).rows

        assert [row.execution_name for row in rows] == ["run-4", "run-6"]

    def test_query_pages_with_the_marker(self, store: ExecutionStore) -> None:
        stored = self._populate(store)

        pages = []
        marker = None
        while True:
            page = store.query(ExecutionQuery(limit=5, marker=marker))
            pages.append([row.execution_name for row in page.rows])
            if page.next_marker is None:
                break
            marker = page.next_marker

        assert [len(names) for names in pages] == [5, 5, 2]
        everything = [row.execution_name for row in store.query().rows]
        assert [name for names in pages for name in names] == everything
        assert len(everything) == len(stored)

    def test_query_page_survives_a_deletion_between_pages(
        self, store: ExecutionStore
    ) -> None:
        self._populate(store)
        first = store.query(ExecutionQuery(limit=4))
        assert first.next_marker is not None

        store.delete(first.rows[-1].arn)
        rest = _all_rows(store, ExecutionQuery(limit=4, marker=first.next_marker))

        everything = [row.arn for row in store.query().rows]
        assert [row.arn for row in first.rows[:-1]] + [r.arn for r in rest] == (
            everything
        )

    @pytest.mark.parametrize("limit", [0, -1])
    def test_query_limit_below_1_raises_invalid_query(
        self, store: ExecutionStore, limit: int
    ) -> None:
        with pytest.raises(InvalidQueryError) as caught:
            store.query(ExecutionQuery(limit=limit))

        assert str(caught.value) == f"query limit must be at least 1, got {limit}"

    @pytest.mark.parametrize("marker", ["", "nonsense", "dex1.!!!", "dex1.e30="])
    def test_query_malformed_marker_raises_invalid_query(
        self, store: ExecutionStore, marker: str
    ) -> None:
        store.create(sample_record("one"))

        with pytest.raises(InvalidQueryError) as caught:
            store.query(ExecutionQuery(marker=marker))

        assert str(caught.value) == (
            f"malformed page marker {marker!r}: pass the next_marker of the page "
            "before, unchanged, or None for the first page"
        )

    def test_query_marker_of_another_order_raises_invalid_query(
        self, store: ExecutionStore
    ) -> None:
        self._populate(store)
        marker = store.query(ExecutionQuery(limit=2)).next_marker

        with pytest.raises(InvalidQueryError) as caught:
            store.query(ExecutionQuery(marker=marker, order=QueryOrder.OLDEST_FIRST))

        assert str(caught.value) == (
            "page marker was issued for order 'newest_first' but the query asks "
            "for 'oldest_first'; keep the order while paging"
        )

    def test_query_naive_datetime_raises_invalid_query(
        self, store: ExecutionStore
    ) -> None:
        store.create(sample_record("one"))

        with pytest.raises(InvalidQueryError) as caught:
            store.query(ExecutionQuery(started_before=dt.datetime(2026, 1, 1)))

        assert str(caught.value) == (
            "query started_before must be a timezone-aware datetime, got the "
            "naive 2026-01-01T00:00:00; add tzinfo (datetime.UTC)"
        )

    # -- concurrency --------------------------------------------------------------

    def test_threads_updating_one_execution_lose_no_update(
        self, store: ExecutionStore
    ) -> None:
        record = store.create(sample_record("shared", operations=0))
        threads, updates = 4, 15

        def work() -> None:
            for _ in range(updates):
                while True:
                    current = store.load(record.arn)
                    state = current.service_state
                    bumped = msgspec.structs.replace(
                        state, token_sequence=state.token_sequence + 1
                    )
                    try:
                        store.update(
                            msgspec.structs.replace(current, service_state=bumped)
                        )
                        break
                    except ExecutionConflictError:
                        continue

        workers = [threading.Thread(target=work) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

        final = store.load(record.arn)
        assert final.service_state.token_sequence == threads * updates
        assert final.revision == 1 + threads * updates
