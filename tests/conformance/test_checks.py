"""The checks a case's outcome goes through besides the history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ._cases import BoundCase, Case
from ._driver import Outcome, check_logs, check_outcome


def _log(message: str) -> dict[str, Any]:
    return {
        "Timestamp": "2026-12-03T17:00:00Z",
        "Level": "INFO",
        "Logger": "app",
        "Message": message,
    }


def _bound(document: dict[str, Any]) -> BoundCase:
    case = Case(case_id="9-1", suite="step", path=Path("9-1.yaml"), document=document)
    return BoundCase(case=case, variables={}, document=document)


def _outcome(status: str, result: str | None) -> Outcome:
    return Outcome(
        execution_arn="arn:test",
        execution_status=status,
        result=result,
        history=[{"EventType": "ExecutionStarted", "EventId": 1}],
        logs=[],
    )


def test_log_expectation_counts_entries_whose_message_matches_the_regex() -> None:
    logs = [_log("step for abc started"), _log("other"), _log("abc done")]

    check_logs({"match": {"message": "/abc/"}, "count": 2}, logs, "ExpectedLogs[0]")
    check_logs({"match": {"message": r"/\[ERROR\]/"}, "count": 0}, logs, "x")


def test_log_expectation_with_a_wrong_count_names_what_was_found() -> None:
    logs = [_log("abc"), _log("xyz")]

    with pytest.raises(AssertionError) as caught:
        check_logs({"match": {"message": "/abc/"}, "count": 2}, logs, "ExpectedLogs[0]")

    assert str(caught.value) == (
        "ExpectedLogs[0]: expected 2 log entries matching {'message': '/abc/'}, "
        "found 1: ['abc']; all messages: ['abc', 'xyz']"
    )


def test_status_mismatch_names_both_statuses() -> None:
    bound = _bound({"ExpectedResult": {"ExecutionStatus": "SUCCEEDED"}})

    with pytest.raises(AssertionError) as caught:
        check_outcome(bound, _outcome("FAILED", None))

    assert str(caught.value).splitlines()[0] == (
        "conformance case 9-1 (9-1.yaml): ExecutionStatus expected SUCCEEDED, got "
        "FAILED (result None); history:"
    )


def test_result_is_compared_json_decoded() -> None:
    bound = _bound(
        {"ExpectedResult": {"ExecutionStatus": "SUCCEEDED", "Result": {"a": [1]}}}
    )

    check_outcome(bound, _outcome("SUCCEEDED", '{"a": [1]}'))
    with pytest.raises(AssertionError) as caught:
        check_outcome(bound, _outcome("SUCCEEDED", '{"a": [2]}'))

    assert str(caught.value) == (
        "conformance case 9-1 (9-1.yaml): Result expected {'a': [1]}, got "
        "{'a': [2]} (payload text '{\"a\": [2]}')"
    )


def test_an_empty_result_expectation_means_null() -> None:
    bound = _bound({"ExpectedResult": {"ExecutionStatus": "SUCCEEDED", "Result": None}})

    check_outcome(bound, _outcome("SUCCEEDED", None))
    check_outcome(bound, _outcome("SUCCEEDED", "null"))
    with pytest.raises(AssertionError):
        check_outcome(bound, _outcome("SUCCEEDED", '""'))


def test_a_case_without_expected_result_checks_only_the_history() -> None:
    bound = _bound(
        {"ExpectedExecutionHistory": [{"EventType": "ExecutionStarted", "EventId": 1}]}
    )

    check_outcome(bound, _outcome("RUNNING", None))
