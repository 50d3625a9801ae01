"""The store directory on disk: telling a store apart, making one, atomic writes."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from dex_store import STORE_PATH_ENV, StoreNotFoundError

from ._naming import MARKER_DIRECTORY, RECORD_SUFFIX, TEMPORARY_PREFIX

__all__ = (
    "MARKER_FILE",
    "check_store",
    "is_store",
    "make_store",
    "write_atomically",
)

MARKER_FILE = "store.json"
_MARKER_CONTENT = b'{\n  "Store": "dex-store-filesystem",\n  "Format": 1\n}\n'


def is_store(path: str | os.PathLike[str]) -> bool:
    """Say whether ``path`` is a directory a filesystem store wrote.

    A store directory holds ``.dex-store/store.json``, written on the first
    write, so a store is told apart from any other folder even when it holds
    no execution.
    """
    return (Path(path) / MARKER_DIRECTORY / MARKER_FILE).is_file()


def check_store(root: Path) -> None:
    """Raise ``StoreNotFoundError`` saying why ``root`` is no store, if it is not."""
    if root.exists() and not root.is_dir():
        raise StoreNotFoundError(
            f"no dex store at {root}: it is a file, not a directory; "
            f"check {STORE_PATH_ENV}"
        )
    if not root.is_dir():
        raise StoreNotFoundError(
            f"no dex store at {root}: the directory does not exist "
            "(a filesystem store creates it on its first write); check "
            f"{STORE_PATH_ENV}"
        )
    if not is_store(root):
        raise StoreNotFoundError(
            f"{root} is not a dex store: it has no "
            f"{MARKER_DIRECTORY}/{MARKER_FILE}; point {STORE_PATH_ENV} at "
            "a directory a dex filesystem store wrote"
        )


def make_store(root: Path) -> None:
    """Make ``root`` a store, parents included; safe when processes race to.

    Raises ``StoreNotFoundError`` when ``root`` holds other files but no
    store: dex does not write executions among someone else's files.
    """
    if is_store(root):
        return
    root.mkdir(parents=True, exist_ok=True)
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
            f"refusing to write executions into it: point {STORE_PATH_ENV} "
            "at a new or empty directory"
        )
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
