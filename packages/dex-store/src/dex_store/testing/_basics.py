"""The building blocks: text, names, timestamps, payloads, errors, ARNs."""

from __future__ import annotations

import datetime as dt
import functools

from dex_schema import (
    ErrorObject,
    OperationSubType,
)
from hypothesis import strategies as st

__all__ = (
    "arns",
    "error_objects",
    "function_arns",
    "payloads",
    "texts",
    "timestamps",
)

_OFFSETS = (0, 0, 0, 60, -300, 330, 345, -720, 840)
_REGIONS = ("us-east-1", "us-west-2", "eu-central-1", "ap-southeast-2")
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


@functools.cache
def texts(*, min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    """Unicode strings JSON can carry: anything but lone surrogates."""
    return st.text(
        alphabet=st.characters(exclude_categories=["Cs"]),
        min_size=min_size,
        max_size=max_size,
    )


@functools.cache
def _names(max_size: int = 20) -> st.SearchStrategy[str]:
    return st.text(alphabet=_NAME_CHARS, min_size=1, max_size=max_size)


@functools.cache
def timestamps(
    *,
    min_value: dt.datetime = dt.datetime(2020, 1, 1),
    max_value: dt.datetime = dt.datetime(2035, 12, 31),
) -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware datetimes with microseconds and whole-minute offsets."""
    zones = st.sampled_from(_OFFSETS).map(
        lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
    )
    return st.datetimes(min_value=min_value, max_value=max_value, timezones=zones)


@functools.cache
def _large_texts() -> st.SearchStrategy[str]:
    return st.builds(
        lambda seed, size: (seed * (size // len(seed) + 1))[:size],
        texts(min_size=1, max_size=8),
        st.integers(min_value=20_000, max_value=400_000),
    )


@functools.cache
def payloads() -> st.SearchStrategy[str | None]:
    """Optional payloads: absent, short unicode, JSON-looking, or large."""
    return st.one_of(
        st.none(),
        texts(max_size=60),
        st.integers().map(str),
        st.dictionaries(_names(8), texts(max_size=10), max_size=4).map(repr),
        st.integers(0, 9).flatmap(lambda n: _large_texts() if n == 0 else st.none()),
    )


@functools.cache
def error_objects() -> st.SearchStrategy[ErrorObject]:
    """Errors with any mix of message, type, data and stack trace."""
    return st.builds(
        ErrorObject,
        error_message=st.none() | texts(max_size=80),
        error_type=st.none() | _names(),
        error_data=st.none() | texts(max_size=40),
        stack_trace=st.none() | st.lists(texts(max_size=50), max_size=4).map(tuple),
    )


@functools.cache
def function_arns() -> st.SearchStrategy[str]:
    """Lambda function ARNs, with or without a qualifier."""
    return st.builds(
        lambda region, account, name, qualifier: (
            f"arn:aws:lambda:{region}:{account}:function:{name}{qualifier}"
        ),
        st.sampled_from(_REGIONS),
        st.from_regex(r"\A[0-9]{12}\Z"),
        _names(),
        st.sampled_from(("", ":$LATEST", ":1", ":prod")),
    )


def _execution_arns(function_arn: str, name: str) -> st.SearchStrategy[str]:
    qualified = function_arn if function_arn.count(":") >= 7 else function_arn + ":1"
    return st.uuids().map(lambda uuid: f"{qualified}/durable-execution/{name}/{uuid}")


@functools.cache
def arns() -> st.SearchStrategy[str]:
    """Execution ARNs: mostly realistic, sometimes hostile to file names.

    The hostile ones hold path separators, ``..``, reserved device names,
    unicode, case-only differences and lengths past any file name limit.
    """
    realistic = st.tuples(function_arns(), _names()).flatmap(
        lambda pair: _execution_arns(*pair)
    )
    hostile = st.one_of(
        texts(min_size=1, max_size=40),
        st.sampled_from(
            ("..", ".", "/", "../../etc/passwd", "CON", "nul", "a\\b", "A", "a")
        ),
        st.builds(lambda s: "x" * 300 + s, texts(max_size=5)),
    )
    return st.one_of(realistic, realistic, realistic, hostile)


_TIMESTAMPS = timestamps()
_OPTIONAL_TIMESTAMPS = st.none() | _TIMESTAMPS
_SUB_TYPES = st.none() | st.sampled_from(OperationSubType) | _names(12)
_seconds = st.integers(0, 86_400)
