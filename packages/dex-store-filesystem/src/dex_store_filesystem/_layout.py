"""The store directory on disk: telling a store apart, making one, atomic writes."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

import msgspec
from dex_schema import SchemaError, decode
from dex_store import StoreNotFoundError

from ._naming import (
    MARKER_DIRECTORY,
    RECORD_SUFFIX,
    TEMPORARY_PREFIX,
    file_name_for,
    is_record_name,
)

__all__ = (
    "MARKER_FILE",
    "StorePathError",
    "check_store",
    "check_store_path",
    "holds_records",
    "is_store",
    "make_store",
    "write_atomically",
)

MARKER_FILE = "store.json"
_MARKER_CONTENT = b'{\n  "Store": "dex-store-filesystem",\n  "Format": 1\n}\n'
_MARKER_STORE = "dex-store-filesystem"


class StorePathError(StoreNotFoundError):
    """The store path cannot hold a store: a file, or a directory that cannot be made.

    Attributes
    ----------
    path:
        The store directory asked for.
    reason:
        Why no store can be there.
    """

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot use {path} as a dex store: {reason}")


class _Marker(msgspec.Struct, rename="pascal"):
    store: str
    format: int


def _marker_problem(root: Path) -> str | None:
    """Why ``root``'s ``.dex-store`` is not a store marker; None when it is one."""
    if not root.is_dir():
        return None
    meta = root / MARKER_DIRECTORY
    marker = meta / MARKER_FILE
    if meta.exists() and not meta.is_dir():
        return f"{meta} is a file, not the store's {MARKER_DIRECTORY} directory"
    try:
        data = marker.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"cannot read {marker}: {error.strerror}"
    try:
        found = msgspec.json.decode(data, type=_Marker)
    except msgspec.DecodeError:
        found = None
    if found is None or found.store != _MARKER_STORE:
        return (
            f"its marker {marker} is not a dex store marker (it holds "
            f"{data[:40]!r}); if this directory is a dex store, delete the marker "
            "and dex writes it again on the next write"
        )
    return None


def is_store(path: str | os.PathLike[str]) -> bool:
    """Say whether ``path`` is a directory a filesystem store wrote.

    A store directory holds ``.dex-store/store.json``, written on the first
    write, so a store is told apart from any other folder even when it holds
    no execution. A directory whose marker was deleted but which holds dex
    record files (and nothing else) is a store too: see ``holds_records``.
    """
    root = Path(path)
    if (root / MARKER_DIRECTORY / MARKER_FILE).is_file():
        return _marker_problem(root) is None
    return holds_records(root)


def holds_records(root: Path) -> bool:
    """Say whether ``root`` holds execution record files and nothing else.

    This is a store whose ``.dex-store`` marker and index were deleted: every
    entry is a record file name (or dex's own temporary files and
    ``.dex-store``), and at least one of the files decodes as an execution
    record and has the name the store gives its ARN (a folder of records
    exported under other names is not a store). The store takes such a
    directory for a store and writes its marker and index again on its
    first write.
    """
    return _why_no_records(root) is None


def _why_no_records(root: Path) -> str | None:
    """Why ``root`` is not a store whose marker was deleted; None when it is."""
    marker = f"{MARKER_DIRECTORY}/{MARKER_FILE}"
    try:
        with os.scandir(root) as entries:
            names = sorted(entry.name for entry in entries)
    except OSError as error:
        return f"it cannot be read ({error.strerror})"
    records = [name for name in names if is_record_name(name)]
    others = [
        name
        for name in names
        if not is_record_name(name)
        and name != MARKER_DIRECTORY
        and not name.startswith(TEMPORARY_PREFIX)
    ]
    if not records:
        return f"it has neither a {marker} nor execution record files"
    if others:
        shown = ", ".join(others[:3]) + ("..." if len(others) > 3 else "")
        return (
            f"it has no {marker}, and besides *.json files it holds {shown}, "
            "so it is not taken for a store whose marker was deleted; move "
            "those out if it is one"
        )
    for name in records:
        try:
            record = decode((root / name).read_bytes(), source=str(root / name))
        except (OSError, SchemaError):
            continue
        if file_name_for(record.arn) == name:
            return None
    return (
        f"it has no {marker}, and none of its {len(records)} *.json files is an "
        "execution record under the name a store gives it (`dex validate` "
        "says why)"
    )


def check_store(root: Path) -> None:
    """Raise ``StoreNotFoundError`` saying why ``root`` is no store, if it is not."""
    if root.exists() and not root.is_dir():
        raise StorePathError(root, "it is a file, not a directory")
    if not root.is_dir():
        raise StoreNotFoundError(
            f"no dex store at {root}: the directory does not exist "
            "(a filesystem store creates it on its first write)"
        )
    problem = _marker_problem(root)
    if problem is not None:
        raise StoreNotFoundError(f"{root} is not a usable dex store: {problem}")
    if (root / MARKER_DIRECTORY / MARKER_FILE).is_file():
        return
    why = _why_no_records(root)
    if why is not None:
        raise StoreNotFoundError(
            f"{root} is not a dex store: {why}; use a directory a dex "
            "filesystem store wrote"
        )


def _nearest_existing(root: Path) -> Path:
    """``root`` or its closest ancestor that exists (as a file or a directory)."""
    path = root
    while True:
        try:
            os.stat(path)
        except NotADirectoryError:
            pass  # an ancestor is a file: keep climbing to it
        except FileNotFoundError:
            pass
        else:
            return path
        if path.parent == path:
            return path
        path = path.parent


def _why_not_creatable(root: Path, error: OSError | None) -> str:
    existing = _nearest_existing(root)
    if existing == root and not root.is_dir():
        return "it is a file, not a directory"
    if not existing.is_dir():
        return f"{existing} is a file, not a directory"
    what = error.strerror if error is not None and error.strerror else str(error)
    return f"{existing} does not let a directory be made in it ({what})"


def check_store_path(path: str | os.PathLike[str]) -> None:
    """Check that a store can live at ``path``, creating nothing there.

    ``path`` may be a store, an empty directory, or a directory that can be
    made (its nearest existing ancestor is a directory that accepts new
    directories: a directory is made there and removed at once to find
    out). Use it to refuse a bad store path before any execution runs.

    Raises
    ------
    StorePathError
        ``path`` is a file, or a directory cannot be made there; the message
        names the path and why.
    StoreNotFoundError
        ``path`` is a directory that is neither a store nor empty, or its
        store marker is damaged.
    """
    root = Path(path).resolve()
    if root.exists():
        if not root.is_dir():
            raise StorePathError(root, "it is a file, not a directory")
        problem = _marker_problem(root)
        if problem is not None:
            raise StoreNotFoundError(f"{root} is not a usable dex store: {problem}")
        _refuse_foreign(root)
        return
    existing = _nearest_existing(root)
    if not existing.is_dir():
        raise StorePathError(root, _why_not_creatable(root, None))
    probe = existing / f".dex-probe-{secrets.token_hex(6)}"
    try:
        probe.mkdir()
    except OSError as error:
        raise StorePathError(root, _why_not_creatable(root, error)) from None
    probe.rmdir()


def _refuse_foreign(root: Path) -> None:
    """Refuse a directory holding files that are neither a store nor records."""
    if is_store(root):
        return
    with os.scandir(root) as entries:
        others = sorted(
            entry.name
            for entry in entries
            if entry.name != MARKER_DIRECTORY  # another process making it
        )
    if others and not is_store(root):
        raise StoreNotFoundError(
            f"{root} is not a dex store and not empty (it holds "
            f"{', '.join(others[:3])}{'...' if len(others) > 3 else ''}); "
            "refusing to write executions into it: use a new or empty directory"
        )


def make_store(root: Path) -> None:
    """Make ``root`` a store, parents included; safe when processes race to.

    A directory of record files whose marker was deleted gets its marker
    back.

    Raises
    ------
    StorePathError
        ``root`` is a file or the directory cannot be made (the reason says
        why).
    StoreNotFoundError
        ``root`` holds other files but no store (dex does not write
        executions among someone else's files), or a damaged marker.
    """
    problem = _marker_problem(root)
    if problem is not None:
        raise StoreNotFoundError(f"{root} is not a usable dex store: {problem}")
    if (root / MARKER_DIRECTORY / MARKER_FILE).is_file():
        return
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorePathError(root, _why_not_creatable(root, error)) from None
    _refuse_foreign(root)
    meta = root / MARKER_DIRECTORY
    meta.mkdir(exist_ok=True)
    temporary = meta / f".{MARKER_FILE}.{secrets.token_hex(8)}"
    temporary.write_bytes(_MARKER_CONTENT)
    try:
        os.replace(temporary, meta / MARKER_FILE)
    except FileNotFoundError:
        # Another process made the store and, reconciling, removed our
        # temporary file; its marker is the same.
        if not is_store(root):
            raise


def write_atomically(root: Path, file: str, data: bytes) -> os.stat_result:
    """Replace ``root / file`` by ``data`` atomically; return its new stat.

    The bytes go to a uniquely named temporary file in the same directory,
    flushed and fsynced, which then replaces the target: a reader sees the
    old content or the new, never part of either.
    """
    target = root / file
    temporary = root / f"{TEMPORARY_PREFIX}{secrets.token_hex(8)}{RECORD_SUFFIX}"
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # XXX: the directory is not fsynced after the replace, so a power
        # loss (not a crash of the process) right after a save can bring
        # back the previous revision of the file; never a partial one.
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return os.stat(target)
