"""File names for execution ARNs: readable, injective, bounded, safe anywhere."""

from __future__ import annotations

import functools
import hashlib
import re

__all__ = (
    "MARKER_DIRECTORY",
    "RECORD_SUFFIX",
    "TEMPORARY_PREFIX",
    "file_name_for",
    "is_record_name",
)

RECORD_SUFFIX = ".json"
TEMPORARY_PREFIX = ".tmp-"
MARKER_DIRECTORY = ".dex-store"
"""The directory inside a store that marks it and holds its index and lock."""

_MAX_STEM = 150
_HASH_LENGTH = 12
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_KEPT_AS_IS = re.compile(r"[a-z0-9][a-z0-9._-]*")
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{digit}" for digit in range(10)]
    + [f"lpt{digit}" for digit in range(10)]
)


@functools.lru_cache(maxsize=4096)
def file_name_for(arn: str) -> str:
    """Return the file name that holds the execution ``arn``.

    The name is the ARN with every character outside ``A-Za-z0-9._-``
    replaced by ``_``. When that loses information (any character replaced,
    an upper-case letter, which case-insensitive file systems fold, a
    leading dot, a reserved Windows device name, or a name longer than 150
    characters, which is cut) ``~`` and the first 12 hex digits of the ARN's
    SHA-256 are added. ``~`` appears in no name kept as is, so two ARNs
    never share a file, and no name holds a path separator or starts with a
    dot, so no ARN can name a file outside the store directory.

    Parameters
    ----------
    arn:
        Any string; real ARNs look like
        ``arn:aws:lambda:us-west-2:123456789012:function:orders:$LATEST/...``.
    """
    device = arn.split(".", 1)[0]
    if len(arn) <= _MAX_STEM and _KEPT_AS_IS.fullmatch(arn) and device not in _RESERVED:
        return arn + RECORD_SUFFIX
    stem = _UNSAFE.sub("_", arn)[:_MAX_STEM]
    if stem.startswith("."):
        stem = "_" + stem[1:]
    digest = hashlib.sha256(arn.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{stem}~{digest[:_HASH_LENGTH]}{RECORD_SUFFIX}"


def is_record_name(name: str) -> bool:
    """Say whether a directory entry's name is one ``file_name_for`` makes."""
    return name.endswith(RECORD_SUFFIX) and not name.startswith(".")
