"""Parsing the ages, dates and statuses users type on the command line."""

from __future__ import annotations

import datetime as dt
import re

from dex_schema import ExecutionStatus

from ._errors import CliError

__all__ = ("parse_age", "parse_since", "parse_statuses")

_AGE = re.compile(r"^\s*(?P<count>\d+(?:\.\d+)?)\s*(?P<unit>[smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_age(text: str, option: str) -> dt.timedelta:
    """Parse an age like ``30s``, ``15m``, ``12h``, ``7d`` or ``2w``.

    Parameters
    ----------
    text:
        What the user typed.
    option:
        The option it came from (``--older-than``), named in the error.

    Raises
    ------
    CliError
        ``text`` is not a number followed by one of ``s m h d w``, or is
        negative.
    """
    match = _AGE.match(text)
    if match is None and _AGE.match(text.strip().removeprefix("-")):
        raise CliError(
            f"{option} takes an age counted back from now, which cannot be "
            f"negative; got {text!r} (use 0s for everything up to now)"
        )
    if match is None:
        raise CliError(
            f"{option} expects an age like 30s, 15m, 12h, 7d or 2w; got {text!r}"
        )
    seconds = float(match["count"]) * _UNIT_SECONDS[match["unit"]]
    return dt.timedelta(seconds=seconds)


def parse_since(text: str, option: str, now: dt.datetime) -> dt.datetime:
    """Parse a point in time: an age before ``now`` or an ISO 8601 date.

    ``7d`` means seven days before ``now``; ``2026-12-01`` and
    ``2026-12-01T10:30`` are read as UTC unless they carry an offset
    (``2026-12-01T10:30+01:00``).

    Raises
    ------
    CliError
        ``text`` is neither an age nor an ISO 8601 date or date-time.
    """
    if _AGE.match(text.strip().removeprefix("-")):
        return now - parse_age(text, option)
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CliError(
            f"{option} expects an ISO 8601 date (2026-12-01, 2026-12-01T10:30Z) "
            f"or an age (7d); got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def parse_statuses(
    values: list[str] | None, option: str
) -> tuple[ExecutionStatus, ...]:
    """Parse ``--status`` values (repeatable, comma-separated, any case).

    Raises
    ------
    CliError
        A value names no ``ExecutionStatus`` (or is empty); the message lists
        the valid ones.
    """
    statuses: list[ExecutionStatus] = []
    valid = ", ".join(member.value for member in ExecutionStatus)
    for value in values or ():
        if not value.replace(",", "").strip():
            raise CliError(f"{option} {value!r} names no status; use one of {valid}")
        for part in value.split(","):
            name = part.strip().upper()
            if not name:
                continue
            try:
                status = ExecutionStatus[name]
            except KeyError:
                raise CliError(
                    f"{option} {part.strip()!r} is not an execution status; "
                    f"use one of {valid}"
                ) from None
            if status not in statuses:
                statuses.append(status)
    return tuple(statuses)
