"""``FilesystemExecutionStore``: one formatted JSON file per execution."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import msgspec
from dex_schema import ExecutionRecord, SchemaError, decode, encode
from dex_store import (
    CorruptRecordError,
    ExecutionAlreadyExistsError,
    ExecutionConflictError,
    ExecutionNotFoundError,
    ExecutionQuery,
    ExecutionSummaryRow,
    QueryPage,
    StoreConfig,
    StoreConfigError,
    Unreadable,
    check_query,
    select,
)
from filelock import lock_descriptor, unlock_descriptor

from ._index import Bad, Gone, Index, Intent, Line, Mark, Put
from ._layout import MARKER_FILE, check_store, make_store, write_atomically
from ._naming import (
    MARKER_DIRECTORY,
    TEMPORARY_PREFIX,
    file_name_for,
    is_record_name,
)

__all__ = ("FilesystemExecutionStore",)

_log = logging.getLogger(__name__)

_LOCK_POLL_SECONDS = 0.001


class FilesystemExecutionStore:
    """An ``ExecutionStore`` keeping one formatted JSON file per execution.

    Each record lives in ``<path>/<file_name_for(arn)>``, written atomically
    (a uniquely named temporary file in the same directory, flushed, fsynced,
    then ``os.replace``), so a reader sees the old record or the new one and
    never part of one. Writes from any number of threads and processes are
    serialised by a lock on ``.dex-store/lock``; the revision check made
    under it is what turns a stale update into ``ExecutionConflictError``.
    Queries read the index in ``.dex-store/index.jsonl``, never every file.

    The directory (parents included) is created by the first write; reading
    a path that holds no store raises ``StoreNotFoundError``. Use one store
    object per process (a forked child opens its own).

    Parameters
    ----------
    path:
        The store directory. A relative path is resolved against the working
        directory once, here.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._root = Path(path).resolve()
        self._meta = self._root / MARKER_DIRECTORY
        self._index = Index(self._meta / "index.jsonl")
        self._mutex = threading.RLock()
        self._lock_fd: int | None = None
        self._lock_pid = 0
        self._known_store = False

    @classmethod
    def from_config(
        cls, config: StoreConfig, **options: Any
    ) -> FilesystemExecutionStore:
        """Make a store for ``open_store`` (the ``filesystem`` entry point).

        Parameters
        ----------
        config:
            The store configuration; ``config.path`` is the store directory.
        options:
            None are accepted.

        Raises
        ------
        StoreConfigError
            An option was given.
        """
        if options:
            raise StoreConfigError(
                "the filesystem store takes no options, got "
                f"{', '.join(sorted(options))}"
            )
        return cls(config.path)

    # -- files, for tools --------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The store directory (absolute)."""
        return self._root

    def path_for(self, arn: str) -> Path:
        """Return the file that holds (or would hold) the execution ``arn``."""
        return self._root / file_name_for(arn)

    def record_paths(self) -> list[Path]:
        """Return every record file in the store, readable or not, sorted.

        Raises
        ------
        StoreNotFoundError
            The directory does not exist or holds no store.
        """
        self._require_store()
        with os.scandir(self._root) as entries:
            names = sorted(e.name for e in entries if is_record_name(e.name))
        return [self._root / name for name in names]

    def rebuild_index(self) -> None:
        """Rebuild the index from every record file, reading each one.

        The index notices files replaced or removed on its own; this is for
        a file edited in place by hand.

        Raises
        ------
        StoreNotFoundError
            The directory does not exist or holds no store.
        """
        self._require_store()
        with self._locked():
            self._reconcile(from_scratch=True)

    # -- the protocol ------------------------------------------------------------------

    def create(self, record: ExecutionRecord) -> ExecutionRecord:
        """Store a new execution; see ``ExecutionStore.create``.

        Also raises ``CorruptRecordError`` when an unreadable file occupies
        the ARN's path, and ``StoreNotFoundError`` when the directory holds
        other files but no store.
        """
        stored = msgspec.structs.replace(record, revision=1)
        data = encode(stored)
        file = file_name_for(record.arn)
        with self._locked(create=True):
            if self._current_revision(file, record.arn) is not None:
                raise ExecutionAlreadyExistsError(record.arn)
            self._write(file, data, ExecutionSummaryRow.of(stored))
        _log.debug("created %s in %s", record.arn, file)
        return stored

    def load(self, arn: str) -> ExecutionRecord:
        """Return the stored record; see ``ExecutionStore.load``.

        Raises ``StoreNotFoundError`` when the directory holds no store.
        """
        path = self.path_for(arn)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            self._known_store = False  # check again: it may have been removed
            self._require_store()
            raise ExecutionNotFoundError(arn, str(self._root)) from None
        return self._decode(path, data, arn)

    def update(self, record: ExecutionRecord) -> ExecutionRecord:
        """Replace a stored execution; see ``ExecutionStore.update``.

        Also raises ``CorruptRecordError`` when the stored file is unreadable
        and ``StoreNotFoundError`` when the directory holds no store.
        """
        stored = msgspec.structs.replace(record, revision=record.revision + 1)
        data = encode(stored)
        file = file_name_for(record.arn)
        self._require_store()
        with self._locked():
            current = self._current_revision(file, record.arn)
            if current is None:
                raise ExecutionNotFoundError(record.arn, str(self._root))
            if current != record.revision:
                raise ExecutionConflictError(record.arn, record.revision, current)
            self._write(file, data, ExecutionSummaryRow.of(stored))
        _log.debug("updated %s to revision %d", record.arn, stored.revision)
        return stored

    def delete(self, arn: str) -> None:
        """Remove a stored execution; see ``ExecutionStore.delete``.

        An unreadable file at the ARN's path is removed too. Raises
        ``StoreNotFoundError`` when the directory holds no store.
        """
        file = file_name_for(arn)
        self._require_store()
        with self._locked():
            with contextlib.suppress(CorruptRecordError):
                if self._current_revision(file, arn) is None:
                    raise ExecutionNotFoundError(arn, str(self._root))
            self._index.append([Intent(file)])
            (self._root / file).unlink()
            mark = os.stat(self._root).st_mtime_ns
            self._index.append([Gone(file), Mark(mark)])
        _log.debug("deleted %s (%s)", arn, file)

    def query(self, query: ExecutionQuery | None = None) -> QueryPage:
        """Return one page of summaries from the index; see ``ExecutionStore.query``.

        ``QueryPage.unreadable`` lists every record file that cannot be
        read, on every page. Raises ``StoreNotFoundError`` when the directory
        does not exist or holds no store.
        """
        query = ExecutionQuery() if query is None else query
        check_query(query)
        with self._mutex:
            if not (self._meta / MARKER_FILE).is_file():
                return self._query_files(query)
            if not self._index.loaded and (query.statuses or query.function_name):
                page = self._query_partially(query)
                if page is not None:
                    return page
            self._refresh()
            puts, marker = self._select(query)
            changed = self._changed_files(puts)
            if changed:
                with self._locked():
                    self._reindex(changed)
                puts, marker = self._select(query)
            unreadable = self._index.unreadable(self._root)
        return QueryPage(
            rows=tuple(put.row() for put in puts),
            next_marker=marker,
            unreadable=unreadable,
        )

    def _query_files(self, query: ExecutionQuery) -> QueryPage:
        """Answer a query by reading every record file, writing nothing.

        For a directory of records whose ``.dex-store`` was deleted: reading
        never creates anything, so its index is only rebuilt by the first
        write (or ``rebuild_index``).
        """
        self._known_store = False
        self._require_store()
        index = self._index
        index.reset()
        lines: list[Line] = []
        with os.scandir(self._root) as entries:
            for entry in entries:
                if is_record_name(entry.name) and entry.is_file():
                    line = self._index_line(entry.name, entry.stat(), index)
                    if line is not None:
                        lines.append(line)
        index.apply(lines)
        puts, marker = self._select(query)
        unreadable = index.unreadable(self._root)
        index.reset()  # a view of no journal: the next query reads again
        return QueryPage(
            rows=tuple(put.row() for put in puts),
            next_marker=marker,
            unreadable=unreadable,
        )

    def _query_partially(self, query: ExecutionQuery) -> QueryPage | None:
        """Answer a filtered query reading only the index groups it needs.

        A store object that has not read the index yet (a CLI process) would
        otherwise decode all of it for one page. Returns ``None`` when the
        index cannot answer alone: the caller then reads it all, reconciling
        with the files under the lock if needed.
        """
        self._require_store()
        partial = self._index.read_partial(
            set(query.statuses) if query.statuses else None, query.function_name
        )
        if partial is None or partial.mark != os.stat(self._root).st_mtime_ns:
            return None
        puts, marker = select(query, partial.puts.values())
        if self._changed_files(puts):
            return None
        unreadable = tuple(
            Unreadable(location=str(self._root / bad.file), reason=bad.reason)
            for bad in sorted(partial.bad.values(), key=lambda bad: bad.file)
        )
        return QueryPage(
            rows=tuple(put.row() for put in puts),
            next_marker=marker,
            unreadable=unreadable,
        )

    def close(self) -> None:
        """Release the lock file and forget the cached index."""
        with self._mutex:
            self._close_lock()
            self._index.reset()

    def _close_lock(self) -> None:
        if self._lock_fd is not None and self._lock_pid == os.getpid():
            os.close(self._lock_fd)
        self._lock_fd = None

    # -- reading -----------------------------------------------------------------------

    def _require_store(self) -> None:
        if self._known_store:
            return
        check_store(self._root)
        self._known_store = True

    def _decode(self, path: Path, data: bytes, arn: str | None) -> ExecutionRecord:
        try:
            record = decode(data, source=str(path))
        except SchemaError as error:
            raise CorruptRecordError(
                str(path), f"{error.path}: {error.reason}"
            ) from error
        if arn is not None and record.arn != arn:
            raise CorruptRecordError(
                str(path),
                f"$.Execution.DurableExecutionArn: the file holds {record.arn!r}, "
                f"not {arn!r}; it was renamed or copied by hand",
            )
        if arn is None and file_name_for(record.arn) != path.name:
            raise CorruptRecordError(
                str(path),
                f"$.Execution.DurableExecutionArn: the file holds {record.arn!r}, "
                f"whose file is {file_name_for(record.arn)!r}; it was renamed or "
                "copied by hand",
            )
        return record

    def _candidates(self, query: ExecutionQuery) -> Iterable[Put]:
        index = self._index
        choices: list[list[Put]] = []
        if query.statuses:
            choices.append(
                [
                    put
                    for status in set(query.statuses)
                    for put in index.by_status(status)
                ]
            )
        if query.function_name is not None:
            choices.append(list(index.by_function(query.function_name)))
        if not choices:
            return index.puts.values()
        return min(choices, key=len)

    def _select(self, query: ExecutionQuery) -> tuple[list[Put], str | None]:
        return select(query, self._candidates(query))

    def _changed_files(self, puts: list[Put]) -> list[str]:
        """The files of ``rows`` changed since indexed (edited in place by hand).

        A write through any store object moves the directory's mtime or
        leaves a journal line; an edit in place does neither, so the rows a
        query is about to return are checked one by one.
        """
        # XXX: a record file edited in place (not replaced) by another tool
        # is only noticed when it is on a page a query returns, when the
        # directory changes, or by rebuild_index(); until then filters see
        # what the file held before.
        changed = []
        for put in puts:
            file = put.file
            try:
                stat = os.stat(self._root / file)
            except FileNotFoundError:
                changed.append(file)
                continue
            if (stat.st_mtime_ns, stat.st_size) != (put.mtime_ns, put.size):
                changed.append(file)
        return changed

    def _reindex(self, files: list[str]) -> None:
        """Read ``files`` again and journal what they hold now (under the lock)."""
        lines: list[Line] = []
        for file in files:
            try:
                stat = os.stat(self._root / file)
            except FileNotFoundError:
                lines.append(Gone(file))
                continue
            line = self._index_line(file, stat, self._index)
            if line is not None:
                lines.append(line)
        if lines:
            self._index.append(lines)

    def _refresh(self) -> None:
        """Bring the index up to date; reconcile with the files when needed."""
        self._require_store()
        index = self._index
        present = index.catch_up()
        if not present:
            self._known_store = False
            self._require_store()
        if (
            present
            and not index.damaged
            and not index.pending
            and index.mark == os.stat(self._root).st_mtime_ns
        ):
            return
        with self._locked():  # reconciles under the lock, waiting for writers
            pass

    # -- writing -----------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, *, create: bool = False) -> Iterator[None]:
        """Hold the store lock with the index brought up to date under it."""
        with self._mutex:
            if not (self._meta / MARKER_FILE).is_file():
                # Never made, or removed since: start again from the disk. A
                # directory of records whose marker was deleted is a store
                # again from here (its index is rebuilt from the files).
                self._known_store = False
                self._index.reset()
                self._close_lock()
                if not create:
                    self._require_store()
                self._make_store()
            fd = self._lock_descriptor()
            lock_descriptor(fd, poll_interval=_LOCK_POLL_SECONDS)
            try:
                index = self._index
                present = index.catch_up()
                # XXX: directory mtimes tick as coarsely as the kernel clock
                # (a few ms); a file added or removed by hand in the same tick
                # as a dex write is not seen until the directory changes again.
                if (
                    not present
                    or index.damaged
                    or index.pending
                    or index.mark != os.stat(self._root).st_mtime_ns
                ):
                    self._reconcile()
                yield
            finally:
                unlock_descriptor(fd)

    def _lock_descriptor(self) -> int:
        if self._lock_fd is None or self._lock_pid != os.getpid():
            self._lock_fd = os.open(self._meta / "lock", os.O_RDWR | os.O_CREAT, 0o644)
            self._lock_pid = os.getpid()
        return self._lock_fd

    def _make_store(self) -> None:
        make_store(self._root)
        self._known_store = True
        _log.debug("made (or found) a filesystem store in %s", self._root)

    def _current_revision(self, file: str, arn: str) -> int | None:
        """The revision stored for ``arn`` now, under the lock; None if absent."""
        path = self._root / file
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            return None
        index = self._index
        put = index.puts.get(file)
        if put is not None and (put.mtime_ns, put.size) == (
            stat.st_mtime_ns,
            stat.st_size,
        ):
            if put.arn != arn:
                raise CorruptRecordError(
                    str(path),
                    f"$.Execution.DurableExecutionArn: the file holds {put.arn!r}, "
                    f"not {arn!r}; it was renamed or copied by hand",
                )
            return put.revision
        bad = index.bad.get(file)
        if bad is not None and (bad.mtime_ns, bad.size) == (
            stat.st_mtime_ns,
            stat.st_size,
        ):
            raise CorruptRecordError(str(path), bad.reason)
        return self._decode(path, path.read_bytes(), arn).revision

    def _write(self, file: str, data: bytes, row: ExecutionSummaryRow) -> None:
        """Replace ``file`` by ``data`` atomically and index it (under the lock)."""
        index = self._index
        index.append([Intent(file)])
        stat = write_atomically(self._root, file, data)
        mark = os.stat(self._root).st_mtime_ns
        index.append([Put.of(file, stat, row), Mark(mark)])
        if index.needs_rewrite():
            index.rewrite(mark)

    def _reconcile(self, *, from_scratch: bool = False) -> None:
        """Make the index match the files (under the lock).

        Reads only files whose mtime or size differ from the index, or that
        a dead writer left pending; removes temporary files, which no live
        writer holds since we hold the lock.
        """
        index = self._index
        if from_scratch:
            index.reset()
        else:
            index.catch_up()
        lines: list[Line] = []
        seen: set[str] = set()
        removed = 0
        with os.scandir(self._meta) as entries:
            for entry in entries:
                # An index rewrite or marker write cut short by a kill.
                if entry.name.startswith(".") and entry.is_file():
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed += 1
        with os.scandir(self._root) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(TEMPORARY_PREFIX):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed += 1
                    continue
                if not is_record_name(name) or not entry.is_file():
                    continue
                seen.add(name)
                line = self._index_line(name, entry.stat(), index)
                if line is not None:
                    lines.append(line)
        lines.extend(
            Gone(name) for name in [*index.puts, *index.bad] if name not in seen
        )
        index.apply(lines)
        index.rewrite(os.stat(self._root).st_mtime_ns)
        _log.debug(
            "reconciled the index of %s: %d entries changed, %d temporary files "
            "removed",
            self._root,
            len(lines),
            removed,
        )

    def _index_line(self, name: str, stat: os.stat_result, index: Index) -> Line | None:
        known: Put | Bad | None = index.puts.get(name) or index.bad.get(name)
        if (
            known is not None
            and name not in index.pending
            and (known.mtime_ns, known.size) == (stat.st_mtime_ns, stat.st_size)
        ):
            return None
        path = self._root / name
        try:
            record = self._decode(path, path.read_bytes(), None)
        except CorruptRecordError as error:
            return Bad(name, stat.st_mtime_ns, stat.st_size, error.reason)
        except FileNotFoundError:
            return Gone(name)
        return Put.of(name, stat, ExecutionSummaryRow.of(record))
