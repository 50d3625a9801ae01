"""The conformance cases: every case file becomes one test, run with its handler.

The case files are found as ``_cases.requirements_dir`` says (``DEX_CONFORMANCE_DIR``
or the fetched package); when they cannot be found every test here fails with a
message that says how to get them. Nothing is skipped.
"""

from __future__ import annotations

from collections import Counter

import pytest

from ._cases import (
    SUITES,
    Case,
    ConformanceFilesError,
    bind,
    load_cases,
    requirements_dir,
)
from ._driver import check_outcome, run_case
from ._registry import HANDLERS, handler_for


def _discover() -> tuple[list[Case], str | None]:
    try:
        return load_cases(requirements_dir()), None
    except ConformanceFilesError as error:
        return [], str(error)


CASES, PROBLEM = _discover()


@pytest.mark.parametrize(
    "case",
    CASES or [None],
    ids=[case.case_id for case in CASES] or ["case-files-not-found"],
)
def test_conformance(case: Case | None) -> None:
    if case is None:
        pytest.fail(f"No conformance case files: {PROBLEM}")
    bound = bind(case)
    handler = handler_for(case.case_id, str(case.path))

    outcome = run_case(bound, handler)

    check_outcome(bound, outcome)


def test_every_case_file_was_found() -> None:
    if PROBLEM is not None:
        pytest.fail(f"No conformance case files: {PROBLEM}")

    found = Counter(case.suite for case in CASES)

    assert dict(found) == dict(SUITES)
    assert len(CASES) == 77


def test_every_handler_belongs_to_a_case_file() -> None:
    if PROBLEM is not None:
        pytest.fail(f"No conformance case files: {PROBLEM}")

    case_ids = {case.case_id for case in CASES}

    assert sorted(set(HANDLERS) - case_ids) == []
    assert sorted(case_ids - set(HANDLERS)) == []
