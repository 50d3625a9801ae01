"""``ExecutionStoreContract``: the tests every ``ExecutionStore`` must pass.

A store package subclasses it in its own tests and says how to make a
store::

    class TestMyStore(ExecutionStoreContract):
        def make_store(self, directory: Path) -> ExecutionStore:
            return MyStore(directory)

pytest then runs every ``test_*`` method below against that store.
"""

from __future__ import annotations

import abc
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import msgspec
import pytest
from dex_schema import ExecutionRecord, ExecutionStatus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .._errors import (
    ExecutionAlreadyExistsError,
    ExecutionConflictError,
    ExecutionNotFoundError,
    InvalidQueryError,
)
from .._paging import run_query
from .._protocol import (
    ExecutionQuery,
    ExecutionStore,
    ExecutionSummaryRow,
    QueryOrder,
)
from ._records import sample_record
from ._strategies import execution_records, function_arns

__all__ = ("ExecutionStoreContract",)

_T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_SLOW = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
]

StoreMaker = Callable[[], ExecutionStore]


def _as_stored(record: ExecutionRecord, revision: int) -> ExecutionRecord:
    return msgspec.structs.replace(record, revision=revision)


def _all_rows(
    store: ExecutionStore, query: ExecutionQuery
) -> list[ExecutionSummaryRow]:
    rows: list[ExecutionSummaryRow] = []
    marker = query.marker
    while True:
        page = store.query(msgspec.structs.replace(query, marker=marker))
        assert page.unreadable == ()
        rows.extend(page.rows)
        if page.next_marker is None:
            return rows
        marker = page.next_marker


class ExecutionStoreContract(abc.ABC):
    """The behaviour every ``ExecutionStore`` shares, as pytest tests.

    Subclass it in a class whose name starts with ``Test`` and implement
    ``make_store``. Implement ``open_again`` too when a second store object
    can open the same data (a directory, a database); the round-trip tests
    then read back through it as well.

    Attributes
    ----------
    max_examples:
        How many generated examples each property test runs.
    """

    max_examples: ClassVar[int] = 20

    @abc.abstractmethod
    def make_store(self, directory: Path) -> ExecutionStore:
        """Return a new, empty store.

        Parameters
        ----------
        directory:
            A fresh directory the store may keep its data in (not created
            yet); stores that keep nothing on disk ignore it.
        """

    def open_again(self, directory: Path) -> ExecutionStore | None:
        """Return a second store object over the data ``make_store`` made.

        Returns ``None`` (the default) for stores whose data lives in one
        object only, like the memory store.
        """
        return None

    # -- fixtures ---------------------------------------------------------------

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[ExecutionStore]:
        """A new, empty store, closed after the test."""
        store = self.make_store(tmp_path / "store")
        try:
            yield store
        finally:
            store.close()

    def _fresh(self, factory: pytest.TempPathFactory) -> tuple[ExecutionStore, Path]:
        directory = factory.mktemp("store") / "store"
        return self.make_store(directory), directory

    def _readers(self, store: ExecutionStore, directory: Path) -> list[ExecutionStore]:
        again = self.open_again(directory)
        return [store] if again is None else [store, again]

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

    # -- properties ---------------------------------------------------------------

    def test_generated_records_round_trip(
        self, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        @settings(
            max_examples=self.max_examples, deadline=None, suppress_health_check=_SLOW
        )
        @given(execution_records(), execution_records())
        def check(record: ExecutionRecord, replacement: ExecutionRecord) -> None:
            store, directory = self._fresh(tmp_path_factory)
            try:
                stored = store.create(record)
                assert stored == _as_stored(record, 1)
                for reader in self._readers(store, directory):
                    assert reader.load(record.arn) == stored
                    assert reader.query().rows == (ExecutionSummaryRow.of(stored),)

                moved = msgspec.structs.replace(
                    replacement.execution, durable_execution_arn=record.arn
                )
                changed = msgspec.structs.replace(
                    replacement, execution=moved, revision=1
                )
                updated = store.update(changed)
                assert updated == _as_stored(changed, 2)
                for reader in self._readers(store, directory):
                    assert reader.load(record.arn) == updated
                    assert reader.query().rows == (ExecutionSummaryRow.of(updated),)

                store.delete(record.arn)
                for reader in self._readers(store, directory):
                    with pytest.raises(ExecutionNotFoundError):
                        reader.load(record.arn)
                    assert reader.query().rows == ()
            finally:
                store.close()

        check()

    def test_store_agrees_with_a_model(
        self, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        @settings(
            max_examples=self.max_examples, deadline=None, suppress_health_check=_SLOW
        )
        @given(st.data())
        def check(data: st.DataObject) -> None:
            store, directory = self._fresh(tmp_path_factory)
            model: dict[str, ExecutionRecord] = {}
            function_pool = data.draw(st.lists(function_arns(), min_size=1, max_size=2))
            arn_pool = [
                f"{function_pool[0]}:1/durable-execution/n/{i}" for i in range(3)
            ]
            try:
                # Stores that keep files may only be read once written.
                first = data.draw(execution_records(max_operations=2), label="first")
                model[first.arn] = store.create(first)
                for _ in range(data.draw(st.integers(1, 12), label="steps")):
                    self._model_step(data, store, model, arn_pool, function_pool)
                for reader in self._readers(store, directory):
                    self._check_queries(data, reader, model)
            finally:
                store.close()

        check()

    def _model_step(
        self,
        data: st.DataObject,
        store: ExecutionStore,
        model: dict[str, ExecutionRecord],
        arn_pool: list[str],
        function_pool: list[str],
    ) -> None:
        arn = data.draw(st.sampled_from(arn_pool), label="arn")
        action = data.draw(st.sampled_from(["create", "update", "delete", "load"]))
        record = data.draw(
            execution_records(
                arn=arn,
                function_arn=data.draw(st.sampled_from(function_pool)),
                max_operations=3,
            ),
            label="record",
        )
        stored = model.get(arn)
        if action == "create":
            if stored is None:
                model[arn] = store.create(record)
                assert model[arn] == _as_stored(record, 1)
            else:
                with pytest.raises(ExecutionAlreadyExistsError):
                    store.create(record)
        elif action == "update":
            revision = (
                data.draw(st.integers(0, 3))
                if stored is None
                else (
                    data.draw(st.sampled_from([stored.revision, stored.revision - 1]))
                )
            )
            candidate = _as_stored(record, revision)
            if stored is None:
                with pytest.raises(ExecutionNotFoundError):
                    store.update(candidate)
            elif revision != stored.revision:
                with pytest.raises(ExecutionConflictError):
                    store.update(candidate)
            else:
                model[arn] = store.update(candidate)
                assert model[arn] == _as_stored(record, revision + 1)
        elif action == "delete":
            if stored is None:
                with pytest.raises(ExecutionNotFoundError):
                    store.delete(arn)
            else:
                store.delete(arn)
                del model[arn]
        elif stored is None:
            with pytest.raises(ExecutionNotFoundError):
                store.load(arn)
        else:
            assert store.load(arn) == stored

    def _check_queries(
        self,
        data: st.DataObject,
        store: ExecutionStore,
        model: dict[str, ExecutionRecord],
    ) -> None:
        rows = [ExecutionSummaryRow.of(record) for record in model.values()]
        query = ExecutionQuery(
            function_name=data.draw(
                st.none() | st.sampled_from([r.function_name for r in rows] or ["x"])
            ),
            statuses=data.draw(
                st.none() | st.lists(st.sampled_from(ExecutionStatus)).map(tuple)
            ),
            started_after=data.draw(
                st.none() | st.sampled_from([r.start_timestamp for r in rows] or [_T0])
            ),
            limit=data.draw(st.integers(1, 4)),
            order=data.draw(st.sampled_from(QueryOrder)),
        )
        expected = run_query(msgspec.structs.replace(query, limit=10_000), rows).rows
        assert _all_rows(store, query) == list(expected)
