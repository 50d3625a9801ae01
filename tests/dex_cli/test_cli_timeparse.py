"""Ages, dates and statuses as users type them on the command line."""

from __future__ import annotations

import datetime as dt

import pytest
from dex_cli import CliError
from dex_cli._timeparse import parse_age, parse_since, parse_statuses
from dex_schema import ExecutionStatus

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("15m", 900), ("12h", 43200), ("7d", 604800), ("2w", 1209600)],
)
def test_ages(text, seconds) -> None:
    assert parse_age(text, "--older-than") == dt.timedelta(seconds=seconds)


def test_a_fractional_age() -> None:
    assert parse_age("1.5h", "--older-than") == dt.timedelta(minutes=90)


def test_an_age_without_a_unit_is_refused() -> None:
    with pytest.raises(CliError) as raised:
        parse_age("7", "--older-than")

    assert str(raised.value) == (
        "--older-than expects an age like 30s, 15m, 12h, 7d or 2w; got '7'"
    )


def test_since_an_age_counts_back_from_now() -> None:
    assert parse_since("2d", "--since", NOW) == dt.datetime(
        2026, 12, 1, 12, 0, tzinfo=dt.UTC
    )


def test_since_a_date_is_utc_midnight() -> None:
    assert parse_since("2026-12-01", "--since", NOW) == dt.datetime(
        2026, 12, 1, tzinfo=dt.UTC
    )


def test_since_a_date_time_keeps_its_offset() -> None:
    assert parse_since("2026-12-01T10:30+01:00", "--since", NOW) == dt.datetime(
        2026, 12, 1, 9, 30, tzinfo=dt.UTC
    )


def test_statuses_are_repeatable_comma_separated_and_any_case() -> None:
    assert parse_statuses(["failed,Timed_Out", "FAILED", "stopped"], "--status") == (
        ExecutionStatus.FAILED,
        ExecutionStatus.TIMED_OUT,
        ExecutionStatus.STOPPED,
    )


def test_no_status_given_is_no_filter() -> None:
    assert parse_statuses(None, "--status") == ()
