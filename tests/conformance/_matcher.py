"""Matching an actual execution history against a case's expected history.

The rules are those of the specification's README:

- expected events are paired with actual events by ``EventId`` alone;
- inside an event only the listed keys are compared, but each must be present;
- ``'*'`` accepts any value and ``{}`` accepts any value (the key must exist);
- ``${NAME}`` binds to the first actual value it meets, and every later use must
  equal that value; ``${/regex/}`` must match (``re.search``) the value's text;
- lists must have the same length and match element by element;
- anything else is compared literally.

Actual events are the JSON builtins of ``dex_schema.Event`` (PascalCase keys,
timestamps as strings, absent members omitted).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

_BINDER = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_REGEX = re.compile(r"^\$\{/(.*)/\}$", re.DOTALL)
ANY = "*"


class MatchError(AssertionError):
    """An actual value does not satisfy the expectation.

    Attributes
    ----------
    path
        Where in the history the mismatch is, e.g.
        ``EventId 3 (StepFailed).StepFailedDetails.RetryDetails.CurrentAttempt``.
    reason
        What was expected and what came.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"at {path}: {reason}")
        self.path = path
        self.reason = reason


def _text(value: Any) -> str:
    """The text a regex placeholder is matched against."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _same_literal(expected: Any, actual: Any) -> bool:
    # YAML and JSON both tell booleans from numbers; so does this comparison.
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    return type(expected) is type(actual) and bool(expected == actual)


def match_value(
    expected: Any, actual: Any, path: str, bindings: MutableMapping[str, Any]
) -> None:
    """Check one actual value against its expectation.

    Parameters
    ----------
    expected
        The expectation from the case file (variables already substituted).
    actual
        The value from the actual event.
    path
        Where this value is, for the error message.
    bindings
        The binder values seen so far; new binders are added to it.

    Raises
    ------
    MatchError
        If the value does not satisfy the expectation.
    """
    if isinstance(expected, str):
        if expected == ANY:
            return
        regex = _REGEX.match(expected)
        if regex is not None:
            pattern = regex.group(1)
            if re.search(pattern, _text(actual)) is None:
                raise MatchError(path, f"{actual!r} does not match /{pattern}/")
            return
        binder = _BINDER.match(expected)
        if binder is not None:
            name = binder.group(1)
            if name not in bindings:
                bindings[name] = actual
            elif bindings[name] != actual:
                raise MatchError(
                    path,
                    f"${{{name}}} was bound to {bindings[name]!r} earlier, "
                    f"got {actual!r}",
                )
            return

    if isinstance(expected, dict):
        if not expected:
            return
        if not isinstance(actual, dict):
            raise MatchError(path, f"expected an object, got {actual!r}")
        for key, item in expected.items():
            if key not in actual:
                raise MatchError(
                    f"{path}.{key}",
                    f"key is missing; the actual object has {sorted(actual)}",
                )
            match_value(item, actual[key], f"{path}.{key}", bindings)
        return

    if isinstance(expected, list):
        if not isinstance(actual, list):
            raise MatchError(path, f"expected a list, got {actual!r}")
        if len(expected) != len(actual):
            raise MatchError(
                path,
                f"expected {len(expected)} elements, got {len(actual)}: {actual!r}",
            )
        for index, (item, actual_item) in enumerate(zip(expected, actual, strict=True)):
            match_value(item, actual_item, f"{path}[{index}]", bindings)
        return

    if not _same_literal(expected, actual):
        raise MatchError(path, f"expected {expected!r}, got {actual!r}")


def _describe(event: Mapping[str, Any]) -> str:
    return f"EventId {event.get('EventId')} ({event.get('EventType')})"


def format_history(actual: Sequence[Mapping[str, Any]]) -> str:
    """One line per actual event, for failure messages."""
    lines = []
    for event in actual:
        members = {
            key: value
            for key, value in event.items()
            if key not in {"EventId", "EventType", "EventTimestamp"}
        }
        lines.append(f"  {_describe(event)} {json.dumps(members, sort_keys=True)}")
    return "\n".join(lines)


def match_history(
    expected: Sequence[Mapping[str, Any]],
    actual: Sequence[Mapping[str, Any]],
    bindings: MutableMapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Check an actual history against the expected events.

    Parameters
    ----------
    expected
        The ``ExpectedExecutionHistory`` list; each entry names its ``EventId``.
    actual
        The actual events as JSON builtins.
    bindings
        Binder values already known (normally none).

    Returns
    -------
    dict
        Every binder and the value it was bound to.

    Raises
    ------
    MatchError
        At the first expected event that has no actual event with its
        ``EventId`` or does not match it; the message lists the whole actual
        history.
    ValueError
        If an expected event has no integer ``EventId``.
    """
    bound: dict[str, Any] = dict(bindings or {})
    by_id: dict[Any, Mapping[str, Any]] = {}
    for event in actual:
        by_id.setdefault(event.get("EventId"), event)

    for index, expected_event in enumerate(expected):
        event_id = expected_event.get("EventId")
        if not isinstance(event_id, int) or isinstance(event_id, bool):
            raise ValueError(
                f"ExpectedExecutionHistory[{index}] has EventId {event_id!r}; "
                "every expected event must name an integer EventId"
            )
        where = f"EventId {event_id} ({expected_event.get('EventType')})"
        try:
            actual_event = by_id.get(event_id)
            if actual_event is None:
                raise MatchError(
                    where, f"no actual event has this EventId ({len(actual)} events)"
                )
            match_value(dict(expected_event), dict(actual_event), where, bound)
        except MatchError as error:
            raise MatchError(
                error.path,
                f"{error.reason}\nactual history:\n{format_history(actual)}",
            ) from None
    return bound
