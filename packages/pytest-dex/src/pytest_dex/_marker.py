"""The ``durable_execution`` marker: its signature, validation and merging."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from dex_store import ExecutionStore, installed_store_names

__all__ = (
    "KEYWORDS",
    "MARKER",
    "MARKER_HELP",
    "DurableExecutionOptions",
    "MarkerError",
    "options_for",
)

MARKER = "durable_execution"

KEYWORDS = (
    "execution_timeout",
    "functions",
    "handler",
    "lambda_function_name",
    "skip_time",
    "store",
    "store_path",
)
"""Every keyword the marker accepts, sorted."""

MARKER_HELP = (
    "durable_execution(handler=None, *, lambda_function_name=None, "
    "functions=None, skip_time=True, execution_timeout=None, store=None, "
    "store_path=None): the durable handler the durable_runner fixture runs, "
    "the function name it runs under, the chained-invoke targets by name, "
    "whether waits skip wall time, the execution timeout in seconds, and the "
    "store (a name or an ExecutionStore) and store directory for this test. "
    "Markers on a class or module apply too; the closest one wins for each "
    "keyword."
)


class MarkerError(Exception):
    """A ``durable_execution`` marker is malformed; the message says how."""


@dataclass(frozen=True)
class DurableExecutionOptions:
    """What the ``durable_execution`` markers of one test ask for, merged.

    Attributes
    ----------
    handler:
        The durable handler to run (the function decorated with
        ``@durable_execution``); ``None`` when no marker gives one.
    lambda_function_name:
        The name the function runs under; ``None`` keeps the runner's default.
    functions:
        Chained-invoke targets: function name to handler.
    skip_time:
        ``True`` (waits and retry delays take no wall time), ``False`` (they
        run in real time) or ``"manual"`` (the test advances the clock).
    execution_timeout:
        The execution timeout in seconds; ``None`` keeps the runner's default.
    store:
        A store name or an ``ExecutionStore`` for this test; ``None`` keeps the
        run's store.
    store_path:
        The store directory for this test; ``None`` keeps the run's.
    origins:
        For each keyword given, the node id of the marker that gave it.
    """

    handler: Callable[..., Any] | None = None
    lambda_function_name: str | None = None
    functions: Mapping[str, Callable[..., Any]] | None = None
    skip_time: bool | str = True
    execution_timeout: int | None = None
    store: str | ExecutionStore | None = None
    store_path: Path | None = None
    origins: Mapping[str, str] = field(default_factory=dict)


def _unknown_keyword(key: str, where: str) -> MarkerError:
    close = difflib.get_close_matches(key, KEYWORDS, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return MarkerError(
        f"@pytest.mark.{MARKER} on {where}: unknown keyword {key!r}{hint}; "
        f"valid keywords: {', '.join(KEYWORDS)}"
    )


def _bad_value(key: str, value: object, where: str, expected: str) -> MarkerError:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return MarkerError(
        f"@pytest.mark.{MARKER} on {where}: {key} must be {expected}, "
        f"got {type(value).__name__} {shown}"
    )


def _check(key: str, value: Any, where: str) -> Any:
    """Return ``value`` checked (and normalised) for keyword ``key``."""
    if key == "handler":
        if not callable(value):
            raise _bad_value(key, value, where, "a callable durable handler")
        return value
    if key == "lambda_function_name":
        if not isinstance(value, str) or not value.strip():
            raise _bad_value(key, value, where, "a non-empty str")
        return value
    if key == "functions":
        if not isinstance(value, Mapping):
            raise _bad_value(key, value, where, "a dict of function name to handler")
        for name, target in value.items():
            if not isinstance(name, str) or not name:
                raise _bad_value(
                    f"functions key {name!r}", name, where, "a non-empty str"
                )
            if not callable(target):
                raise _bad_value(f"functions[{name!r}]", target, where, "a callable")
        return dict(value)
    if key == "skip_time":
        if not isinstance(value, bool) and value != "manual":
            raise _bad_value(key, value, where, 'True, False or "manual"')
        return value
    if key == "execution_timeout":
        ok = isinstance(value, int) and not isinstance(value, bool)
        if not ok or value <= 0:
            raise _bad_value(key, value, where, "a whole number of seconds, 1 or more")
        return value
    if key == "store":
        if isinstance(value, str):
            names = installed_store_names()
            if value.lower() not in names:
                raise MarkerError(
                    f"@pytest.mark.{MARKER} on {where}: unknown store {value!r}; "
                    f"installed stores: {', '.join(names) or 'none'}"
                )
            return value.lower()
        if not isinstance(value, ExecutionStore):
            raise _bad_value(
                key, value, where, "a store name or an ExecutionStore instance"
            )
        return value
    # store_path
    if not isinstance(value, str | os.PathLike) or not str(value).strip():
        raise _bad_value(key, value, where, "a directory path (str or Path)")
    return Path(value)


def options_for(item: pytest.Item) -> DurableExecutionOptions | None:
    """Merge and check the ``durable_execution`` markers that apply to ``item``.

    Markers on the test, its class and its module are merged keyword by
    keyword; for each keyword the closest marker that gives it wins. Returns
    ``None`` when no marker applies.

    Raises
    ------
    MarkerError
        When a marker has an unknown keyword (the message suggests the close
        match and lists the valid ones), more than one positional argument, or
        a value of the wrong kind.
    """
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    found = False
    for node, mark in item.iter_markers_with_node(MARKER):
        found = True
        where = node.nodeid or node.name
        kwargs = dict(mark.kwargs)
        if len(mark.args) > 1:
            raise MarkerError(
                f"@pytest.mark.{MARKER} on {where}: takes the handler as its only "
                f"positional argument, got {len(mark.args)} positional arguments; "
                "pass the others by keyword"
            )
        if mark.args:
            if "handler" in kwargs:
                raise MarkerError(
                    f"@pytest.mark.{MARKER} on {where}: the handler is given both "
                    "positionally and as handler=; give it once"
                )
            kwargs["handler"] = mark.args[0]
        for key in kwargs:
            if key not in KEYWORDS:
                raise _unknown_keyword(key, where)
        for key, value in kwargs.items():
            if key not in merged:
                merged[key] = _check(key, value, where)
                origins[key] = where
    if not found:
        return None
    return DurableExecutionOptions(**merged, origins=origins)
