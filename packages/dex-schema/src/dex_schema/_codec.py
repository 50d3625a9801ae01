"""Encoding and strict decoding of the stored execution JSON."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import msgspec

from ._record import CURRENT_SCHEMA_VERSION, ExecutionRecord

__all__ = ("SchemaError", "decode", "encode")

_MSGSPEC_ERROR = re.compile(r"^(?P<reason>.*?)(?: - at `(?P<path>\$[^`]*)`)?$", re.S)

_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
"""Upgrade steps: ``_UPGRADES[n]`` turns a version ``n`` record into ``n + 1``."""


class SchemaError(ValueError):
    """A document is not a valid execution record.

    Attributes
    ----------
    path:
        The JSON path of the problem, like ``$.Operations[3].StepDetails``.
    reason:
        What was wrong there, like ``expected int, got str``.
    source:
        Where the document came from (a file path), when the caller said.
    """

    def __init__(self, path: str, reason: str, source: str | None = None) -> None:
        self.path = path
        self.reason = reason
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{path}: {reason}")


def _reason(message: str) -> tuple[str, str]:
    match = _MSGSPEC_ERROR.match(message)
    assert match is not None
    # "expected `int | null`, got `str`" -> "expected int, got str": a
    # missing optional value never causes an error, so null is noise here.
    reason = match["reason"].replace("`", "").replace(" | null", "")
    if reason[1:2].islower():  # "Expected ..." -> "expected ...", not "jSON"
        reason = reason[:1].lower() + reason[1:]
    return match["path"] or "$", reason


class _Probe(msgspec.Struct):
    SchemaVersion: int = CURRENT_SCHEMA_VERSION


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(ExecutionRecord)
_probe = msgspec.json.Decoder(_Probe)


def encode(record: ExecutionRecord) -> bytes:
    """Encode a record as formatted JSON: two-space indents, fields in order."""
    return msgspec.json.format(_encoder.encode(record), indent=2)


def decode(data: bytes | str, *, source: str | None = None) -> ExecutionRecord:
    """Decode and validate one stored execution record.

    Parameters
    ----------
    data:
        The JSON document.
    source:
        Where it came from (a file path or ARN), named in any error.

    Raises
    ------
    SchemaError
        The document is not JSON, not a valid record, or written by a newer
        dex (its ``SchemaVersion`` is above ``CURRENT_SCHEMA_VERSION``).
    """
    # The common case in one pass: a valid record of the current version.
    try:
        record = _decoder.decode(data)
    except msgspec.DecodeError:
        pass
    else:
        if record.schema_version == CURRENT_SCHEMA_VERSION:
            return record
    try:
        version = _probe.decode(data).SchemaVersion
    except msgspec.DecodeError as error:
        raise SchemaError(*_reason(str(error)), source) from None
    if version > CURRENT_SCHEMA_VERSION:
        raise SchemaError(
            "$.SchemaVersion",
            f"schema version {version} is newer than this dex reads "
            f"(up to {CURRENT_SCHEMA_VERSION}); upgrade dex to a release that "
            f"writes SchemaVersion {version}",
            source,
        )
    if version < CURRENT_SCHEMA_VERSION:
        return _upgrade(data, version, source)
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError as error:
        raise SchemaError(*_reason(str(error)), source) from None


def _upgrade(data: bytes | str, version: int, source: str | None) -> ExecutionRecord:
    steps = range(version, CURRENT_SCHEMA_VERSION)
    if version < 1 or any(step not in _UPGRADES for step in steps):
        raise SchemaError(
            "$.SchemaVersion", f"unknown schema version {version}", source
        )
    document: dict[str, Any] = msgspec.json.decode(data)
    for step in steps:
        document = _UPGRADES[step](document)
    document["SchemaVersion"] = CURRENT_SCHEMA_VERSION
    try:
        return _decoder.decode(_encoder.encode(document))
    except msgspec.DecodeError as error:
        raise SchemaError(*_reason(str(error)), source) from None
