"""The store's index: an append-only journal of what every record file holds.

``.dex-store/index.jsonl`` holds one JSON array a line:

- ``put``: a record file and the summary a query needs (ARN, names, status,
  start and end, operation count, revision) with the file's mtime and size;
- ``gone``: a record file was deleted;
- ``bad``: a record file cannot be read, and why;
- ``intent``: a writer is about to replace a record file; an intent no later
  line covers means the writer died in between, so that one file is read
  again;
- ``mark``: the store directory's mtime after the last write. Any other
  change to the directory (a file copied in or removed by hand, a writer
  killed mid-write) moves the mtime past the mark, and the index is then
  reconciled with the files, reading only those whose mtime or size moved.

Writers append under the store lock without fsync: the index is a cache of
the record files, which are the truth, and is rebuilt whenever it cannot be
trusted. When the lines appended since the journal was last rewritten pass
an eighth of what it describes (plus some slack), it is rewritten: a
``head`` line, then the ``put`` lines grouped by status and function name,
the ``bad`` lines and the ``mark``. The head holds the byte range of each
group, so a new store object answering a query filtered by status or
function name reads only those groups and the lines appended since.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path

import msgspec
from dex_schema import ExecutionStatus
from dex_store import ExecutionSummaryRow, Unreadable

__all__ = (
    "Bad",
    "Gone",
    "Head",
    "Index",
    "Intent",
    "Line",
    "Mark",
    "Partial",
    "Put",
    "encode_lines",
)


class Put(msgspec.Struct, tag="put", array_like=True, frozen=True, gc=False):
    """A record file and the summary of the execution it holds."""

    file: str
    mtime_ns: int
    size: int
    arn: str
    execution_name: str
    function_name: str
    function_arn: str
    status: ExecutionStatus
    start_timestamp: dt.datetime
    end_timestamp: dt.datetime | None
    operation_count: int
    revision: int

    def row(self) -> ExecutionSummaryRow:
        """The query row of this execution."""
        return ExecutionSummaryRow(
            arn=self.arn,
            execution_name=self.execution_name,
            function_name=self.function_name,
            function_arn=self.function_arn,
            status=self.status,
            start_timestamp=self.start_timestamp,
            end_timestamp=self.end_timestamp,
            operation_count=self.operation_count,
            revision=self.revision,
        )

    @classmethod
    def of(cls, file: str, stat: os.stat_result, row: ExecutionSummaryRow) -> Put:
        """The line for ``file`` holding the execution ``row`` summarises."""
        return cls(
            file=file,
            mtime_ns=stat.st_mtime_ns,
            size=stat.st_size,
            arn=row.arn,
            execution_name=row.execution_name,
            function_name=row.function_name,
            function_arn=row.function_arn,
            status=row.status,
            start_timestamp=row.start_timestamp,
            end_timestamp=row.end_timestamp,
            operation_count=row.operation_count,
            revision=row.revision,
        )


class Gone(msgspec.Struct, tag="gone", array_like=True, frozen=True, gc=False):
    """A record file was deleted."""

    file: str


class Bad(msgspec.Struct, tag="bad", array_like=True, frozen=True, gc=False):
    """A record file that cannot be read, and why."""

    file: str
    mtime_ns: int
    size: int
    reason: str


class Intent(msgspec.Struct, tag="intent", array_like=True, frozen=True, gc=False):
    """A writer is about to replace or delete a record file."""

    file: str


class Mark(msgspec.Struct, tag="mark", array_like=True, frozen=True, gc=False):
    """The store directory's mtime after the last write."""

    directory_mtime_ns: int


class Head(msgspec.Struct, tag="head", array_like=True, frozen=True, gc=False):
    """The first line of a rewritten journal: where each group of lines is.

    Offsets count from the byte after the head line.
    """

    groups: list[tuple[str, str, int, int]]
    """(status, function name, start, end) of each group of ``put`` lines."""
    bad: tuple[int, int]
    """Start and end of the ``bad`` lines."""
    end: int
    """Where the rewritten lines end and appended ones begin."""
    lines: int
    """How many lines the rewrite wrote, this one included."""
    mark: int


Line = Put | Gone | Bad | Intent | Mark | Head


class Partial(msgspec.Struct, frozen=True, kw_only=True):
    """What the journal says of one filter's executions, read without the rest."""

    puts: dict[str, Put]
    bad: dict[str, Bad]
    mark: int | None


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Line)
_put_decoder = msgspec.json.Decoder(Put)
_bad_decoder = msgspec.json.Decoder(Bad)


def _wanted(
    put: Put, statuses: set[ExecutionStatus] | None, function_name: str | None
) -> bool:
    return (not statuses or put.status in statuses) and (
        function_name is None or put.function_name == function_name
    )


def encode_lines(lines: Iterable[Line]) -> bytes:
    """Encode journal lines, each ending with a newline."""
    return b"".join(_encoder.encode(line) + b"\n" for line in lines)


class Index:
    """One process's view of the journal, caught up by reading what is new.

    Not thread-safe; the store serialises access.

    Attributes
    ----------
    slack:
        Lines that may be appended beyond an eighth of what the journal
        describes before it is rewritten.
    """

    slack = 500

    def __init__(self, journal: Path) -> None:
        self.journal = journal
        self.puts: dict[str, Put] = {}
        self.bad: dict[str, Bad] = {}
        self.pending: set[str] = set()
        self.mark: int | None = None
        self.damaged = False
        self.line_count = 0
        self.rewritten_lines = 0
        self._by_status: dict[ExecutionStatus, dict[str, Put]] | None = None
        self._by_function: dict[str, dict[str, Put]] | None = None
        self._inode: int | None = None
        self._offset = 0

    # -- reading -------------------------------------------------------------

    def catch_up(self) -> bool:
        """Apply what was appended since the last call; False when no journal.

        A journal replaced by a rewrite (a new inode) is read from the start.
        """
        try:
            with open(self.journal, "rb") as handle:
                stat = os.fstat(handle.fileno())
                if stat.st_ino != self._inode or stat.st_size < self._offset:
                    self.reset()
                    self._inode = stat.st_ino
                if stat.st_size == self._offset:
                    return True
                handle.seek(self._offset)
                data = handle.read(stat.st_size - self._offset)
        except FileNotFoundError:
            self.reset()
            return False
        complete = data.rfind(b"\n") + 1
        self._offset += complete
        self._apply_bytes(data[:complete])
        return True

    def reset(self) -> None:
        """Forget everything; the next ``catch_up`` reads the whole journal."""
        self.puts.clear()
        self.bad.clear()
        self.pending.clear()
        self.mark = None
        self.damaged = False
        self.line_count = 0
        self.rewritten_lines = 0
        self._by_status = None
        self._by_function = None
        self._inode = None
        self._offset = 0

    def _apply_bytes(self, data: bytes) -> None:
        if not data:
            return
        try:
            lines = _decoder.decode_lines(data)
        except msgspec.DecodeError:
            # A damaged journal (a line cut by a crash, an edit by hand):
            # apply what decodes and have the store rebuild.
            self.damaged = True
            lines = []
            for raw in data.splitlines():
                try:
                    lines.append(_decoder.decode(raw))
                except msgspec.DecodeError:
                    continue
        self.apply(lines)

    def apply(self, lines: list[Line]) -> None:
        """Apply journal lines to the view (already written, or being written)."""
        puts, bad, pending = self.puts, self.bad, self.pending
        grouped = self._by_status is not None
        self.line_count += len(lines)
        for line in lines:
            kind = type(line)
            if kind is Put:
                assert isinstance(line, Put)
                file = line.file
                if pending:
                    pending.discard(file)
                if bad:
                    bad.pop(file, None)
                if grouped:
                    self._ungroup(file)
                puts[file] = line
                if grouped:
                    self._group(line)
            elif kind is Mark:
                assert isinstance(line, Mark)
                self.mark = line.directory_mtime_ns
            elif kind is Intent:
                pending.add(line.file)  # type: ignore[union-attr]
            elif kind is Head:
                assert isinstance(line, Head)
                self.rewritten_lines = line.lines
            else:
                assert isinstance(line, Bad | Gone)
                pending.discard(line.file)
                if grouped:
                    self._ungroup(line.file)
                puts.pop(line.file, None)
                if isinstance(line, Bad):
                    bad[line.file] = line
                else:
                    bad.pop(line.file, None)

    def by_status(self, status: ExecutionStatus) -> Iterable[Put]:
        """The entries of executions in ``status``."""
        if self._by_status is None:
            self._build_groups()
        assert self._by_status is not None
        return self._by_status.get(status, {}).values()

    def by_function(self, function_name: str) -> Iterable[Put]:
        """The entries of executions of the function named ``function_name``."""
        if self._by_function is None:
            self._build_groups()
        assert self._by_function is not None
        return self._by_function.get(function_name, {}).values()

    def _build_groups(self) -> None:
        self._by_status = {}
        self._by_function = {}
        for put in self.puts.values():
            self._group(put)

    def _group(self, put: Put) -> None:
        assert self._by_status is not None and self._by_function is not None
        self._by_status.setdefault(put.status, {})[put.file] = put
        self._by_function.setdefault(put.function_name, {})[put.file] = put

    def _ungroup(self, file: str) -> None:
        assert self._by_status is not None and self._by_function is not None
        put = self.puts.get(file)
        if put is not None:
            del self._by_status[put.status][file]
            del self._by_function[put.function_name][file]

    # -- writing -------------------------------------------------------------

    def append(self, lines: list[Line]) -> None:
        """Append ``lines`` to the journal (under the store lock) and apply them."""
        data = encode_lines(lines)
        fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if self._inode is None:
                self._inode = os.fstat(fd).st_ino
            os.write(fd, data)
        finally:
            os.close(fd)
        self._offset += len(data)
        self.apply(lines)

    def needs_rewrite(self) -> bool:
        """Say whether enough was appended since the last rewrite to redo it."""
        appended = self.line_count - self.rewritten_lines
        return appended > len(self.puts) // 8 + self.slack

    def rewrite(self, mark: int) -> None:
        """Replace the journal by a head, one line per file and ``mark``.

        Called under the store lock.
        """
        ordered = sorted(
            self.puts.values(), key=lambda put: (put.status.value, put.function_name)
        )
        body = bytearray()
        groups: list[tuple[str, str, int, int]] = []
        for put in ordered:
            start = len(body)
            body += _encoder.encode(put) + b"\n"
            key = (put.status.value, put.function_name)
            if groups and groups[-1][:2] == key:
                groups[-1] = (*key, groups[-1][2], len(body))
            else:
                groups.append((*key, start, len(body)))
        bad_start = len(body)
        body += encode_lines(self.bad.values())
        bad_end = len(body)
        body += encode_lines([Mark(mark)])
        lines = len(self.puts) + len(self.bad) + 2
        head = Head(groups, (bad_start, bad_end), len(body), lines, mark)
        data = encode_lines([head]) + body

        temporary = self.journal.with_name(f".{self.journal.name}.{os.getpid()}")
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, self.journal)
        self.pending.clear()
        self.damaged = False
        self.mark = mark
        self.line_count = self.rewritten_lines = lines
        self._inode = os.stat(self.journal).st_ino
        self._offset = len(data)

    @property
    def loaded(self) -> bool:
        """Whether this view has read the journal at all."""
        return self._inode is not None

    def read_partial(
        self, statuses: set[ExecutionStatus] | None, function_name: str | None
    ) -> Partial | None:
        """Read only the groups a filter needs, and what was appended since.

        Returns ``None`` when that cannot answer safely (no head, a damaged
        line, a write in progress or cut short); the caller then reads
        everything. Leaves this view untouched.
        """
        try:
            return self._read_partial(statuses, function_name)
        except (FileNotFoundError, msgspec.DecodeError, ValueError):
            return None  # a journal replaced, damaged or cut: read it all

    def _read_partial(
        self, statuses: set[ExecutionStatus] | None, function_name: str | None
    ) -> Partial | None:
        with open(self.journal, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            first = handle.readline()
            head = _decoder.decode(first)
            if not isinstance(head, Head):
                return None
            base = len(first)
            wanted = {status.value for status in statuses} if statuses else None
            puts: dict[str, Put] = {}
            for status, function, start, end in head.groups:
                if (wanted is None or status in wanted) and (
                    function_name is None or function == function_name
                ):
                    handle.seek(base + start)
                    for put in _put_decoder.decode_lines(handle.read(end - start)):
                        puts[put.file] = put
            handle.seek(base + head.bad[0])
            bad = {
                line.file: line
                for line in _bad_decoder.decode_lines(
                    handle.read(head.bad[1] - head.bad[0])
                )
            }
            handle.seek(base + head.end)
            appended = handle.read(max(size - base - head.end, 0))
        tail = _decoder.decode_lines(appended[: appended.rfind(b"\n") + 1])

        mark: int | None = head.mark
        pending: set[str] = set()
        for line in tail:
            if isinstance(line, Mark):
                mark = line.directory_mtime_ns
            elif isinstance(line, Intent):
                pending.add(line.file)
            elif isinstance(line, Head):
                return None
            else:
                pending.discard(line.file)
                puts.pop(line.file, None)
                bad.pop(line.file, None)
                if isinstance(line, Bad):
                    bad[line.file] = line
                elif isinstance(line, Put) and _wanted(line, statuses, function_name):
                    puts[line.file] = line
        return None if pending else Partial(puts=puts, bad=bad, mark=mark)

    def unreadable(self, root: Path) -> tuple[Unreadable, ...]:
        """The unreadable record files, sorted by file name."""
        return tuple(
            Unreadable(location=str(root / bad.file), reason=bad.reason)
            for bad in sorted(self.bad.values(), key=lambda bad: bad.file)
        )
