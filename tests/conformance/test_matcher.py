"""The history matcher follows the specification's matching rules."""

from __future__ import annotations

from typing import Any

import pytest

from ._matcher import MatchError, match_history, match_value


def _step_started(event_id: int, op_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "EventType": "StepStarted",
        "SubType": "Step",
        "EventId": event_id,
        "Id": op_id,
        "EventTimestamp": "2026-12-03T17:00:00Z",
        "StepStartedDetails": {},
        **extra,
    }


def test_star_accepts_any_value() -> None:
    match_value({"Result": "*"}, {"Result": {"Payload": "1"}}, "$", {})
    match_value("*", None, "$", {})


def test_star_still_needs_the_key() -> None:
    with pytest.raises(MatchError) as caught:
        match_value({"Result": "*"}, {"Error": {}}, "$", {})

    assert (
        str(caught.value)
        == "at $.Result: key is missing; the actual object has ['Error']"
    )


def test_empty_mapping_accepts_any_value_of_a_present_key() -> None:
    match_value({"Details": {}}, {"Details": {"Error": {"Payload": {}}}}, "$", {})
    match_value({"Details": {}}, {"Details": "text"}, "$", {})


def test_empty_mapping_fails_when_the_key_is_missing() -> None:
    with pytest.raises(MatchError) as caught:
        match_value({"InvocationCompletedDetails": {}}, {"EventId": 4}, "EventId 4", {})

    assert caught.value.path == "EventId 4.InvocationCompletedDetails"
    assert caught.value.reason == "key is missing; the actual object has ['EventId']"


def test_unlisted_actual_keys_are_ignored() -> None:
    match_value({"Name": "a"}, {"Name": "a", "ParentId": "p", "Id": "i"}, "$", {})


def test_binder_binds_first_value_and_requires_it_later() -> None:
    bindings: dict[str, Any] = {}
    match_value("${ID1}", "abc", "$[0]", bindings)
    match_value("${ID1}", "abc", "$[1]", bindings)

    with pytest.raises(MatchError) as caught:
        match_value("${ID1}", "xyz", "$[2]", bindings)

    assert bindings == {"ID1": "abc"}
    assert str(caught.value) == "at $[2]: ${ID1} was bound to 'abc' earlier, got 'xyz'"


def test_regex_placeholder_matches_the_text_of_numbers_and_strings() -> None:
    match_value("${/^[0-5]$/}", 3, "$", {})
    match_value("${/.*TransientError$/}", "conformance.TransientError", "$", {})

    with pytest.raises(MatchError) as caught:
        match_value("${/^[0-5]$/}", 7, "$.NextAttemptDelaySeconds", {})

    assert (
        str(caught.value) == "at $.NextAttemptDelaySeconds: 7 does not match /^[0-5]$/"
    )


def test_literals_compare_exactly_and_tell_booleans_from_numbers() -> None:
    match_value(
        {"Duration": 2, "Truncated": False},
        {"Duration": 2, "Truncated": False},
        "$",
        {},
    )

    with pytest.raises(MatchError) as caught:
        match_value({"Truncated": False}, {"Truncated": 0}, "$", {})
    assert str(caught.value) == "at $.Truncated: expected False, got 0"

    with pytest.raises(MatchError) as caught:
        match_value({"Payload": '"a"'}, {"Payload": '"b"'}, "$", {})
    assert str(caught.value) == "at $.Payload: expected '\"a\"', got '\"b\"'"


def test_lists_match_element_by_element_with_equal_length() -> None:
    match_value(["a", "*"], ["a", 1], "$", {})

    with pytest.raises(MatchError) as caught:
        match_value(["a"], ["a", "b"], "$.Trace", {})
    assert str(caught.value) == "at $.Trace: expected 1 elements, got 2: ['a', 'b']"

    with pytest.raises(MatchError) as caught:
        match_value(["a", "b"], ["a", "c"], "$", {})
    assert str(caught.value) == "at $[1]: expected 'b', got 'c'"


def test_history_pairs_events_by_event_id_and_returns_bindings() -> None:
    expected = [
        {
            "EventType": "StepStarted",
            "EventId": 2,
            "Id": "${ID1}",
            "EventTimestamp": "*",
        },
        {"EventType": "StepStarted", "EventId": 4, "Id": "${ID1}"},
    ]
    actual = [
        {"EventType": "ExecutionStarted", "EventId": 1},
        _step_started(2, "op-1"),
        _step_started(3, "op-2"),
        _step_started(4, "op-1"),
    ]

    assert match_history(expected, actual) == {"ID1": "op-1"}


def test_history_fails_on_a_missing_event_id_and_lists_the_actual_history() -> None:
    expected = [{"EventType": "StepStarted", "EventId": 3}]
    actual = [{"EventType": "ExecutionStarted", "EventId": 1}, _step_started(2, "op-1")]

    with pytest.raises(MatchError) as caught:
        match_history(expected, actual)

    assert caught.value.path == "EventId 3 (StepStarted)"
    assert caught.value.reason.splitlines() == [
        "no actual event has this EventId (2 events)",
        "actual history:",
        "  EventId 1 (ExecutionStarted) {}",
        '  EventId 2 (StepStarted) {"Id": "op-1", "StepStartedDetails": {}, '
        '"SubType": "Step"}',
    ]


def test_history_fails_on_a_different_event_type_at_the_same_id() -> None:
    expected = [{"EventType": "StepSucceeded", "EventId": 2}]
    actual = [_step_started(2, "op-1")]

    with pytest.raises(MatchError) as caught:
        match_history(expected, actual)

    assert caught.value.path == "EventId 2 (StepSucceeded).EventType"
    assert caught.value.reason.splitlines()[0] == (
        "expected 'StepSucceeded', got 'StepStarted'"
    )


def test_history_binder_conflict_across_events_fails() -> None:
    expected = [
        {"EventId": 2, "Id": "${ID1}"},
        {"EventId": 3, "Id": "${ID1}"},
    ]
    actual = [_step_started(2, "op-1"), _step_started(3, "op-2")]

    with pytest.raises(MatchError) as caught:
        match_history(expected, actual)

    assert caught.value.path == "EventId 3 (None).Id"
    assert caught.value.reason.splitlines()[0] == (
        "${ID1} was bound to 'op-1' earlier, got 'op-2'"
    )


def test_expected_event_without_event_id_is_rejected() -> None:
    with pytest.raises(ValueError) as caught:
        match_history([{"EventType": "StepStarted"}], [])

    assert str(caught.value) == (
        "ExpectedExecutionHistory[0] has EventId None; every expected event must "
        "name an integer EventId"
    )
