"""The base of the store contract: how a store is made, and its properties."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterator
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
)
from .._paging import run_query
from .._protocol import (
    ExecutionQuery,
    ExecutionStore,
    ExecutionSummaryRow,
    QueryOrder,
)
from ._strategies import execution_records, function_arns

__all__ = ("StoreContractBase",)

_T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_SLOW = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
]


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


class StoreContractBase(abc.ABC):
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
                for _ in range(data.draw(st.integers(1, 8), label="steps")):
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
