"""Finding the case files, generating variables and substituting them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ._cases import (
    ENV_VAR,
    Case,
    ConformanceFilesError,
    bind,
    case_sort_key,
    generate,
    load_cases,
    requirements_dir,
    substitute,
)
from ._registry import MissingHandlerError, handler_for


def test_gen_str_makes_a_lowercase_alphanumeric_string_of_the_length() -> None:
    values = {generate("${GEN_STR:10}", where="Variables.A") for _ in range(20)}

    assert all(re.fullmatch(r"[a-z0-9]{10}", value) for value in values)
    assert len(values) > 1


def test_a_literal_variable_is_used_as_it_is() -> None:
    assert generate("fixed", where="Variables.A") == "fixed"


def test_a_variable_that_is_not_a_string_is_rejected() -> None:
    with pytest.raises(ValueError) as caught:
        generate(8, where="x.yaml: Variables.A")  # type: ignore[arg-type]

    assert str(caught.value) == (
        "Variable x.yaml: Variables.A is 8 (int); expected a string such as "
        "'${GEN_STR:8}'"
    )


def test_substitution_replaces_bound_names_inside_strings_only() -> None:
    document = {
        "Input": "${CB}",
        "Result": "Hello, ${CB}!",
        "Payload": '"${CB}"',
        "Nested": [{"Id": "${ID1}", "N": 2, "R": "${/^a$/}"}],
    }

    assert substitute(document, {"CB": "abc"}) == {
        "Input": "abc",
        "Result": "Hello, abc!",
        "Payload": '"abc"',
        "Nested": [{"Id": "${ID1}", "N": 2, "R": "${/^a$/}"}],
    }


def test_bind_generates_each_variable_once_for_the_whole_document() -> None:
    case = Case(
        case_id="9-1",
        suite="step",
        path=Path("9-1.yaml"),
        document={
            "Variables": {"NAME": "${GEN_STR:8}"},
            "Input": "${NAME}",
            "ExpectedResult": {"Result": "${NAME}"},
        },
    )

    bound = bind(case)

    name = bound.variables["NAME"]
    assert bound.document["Input"] == name
    assert bound.document["ExpectedResult"] == {"Result": name}
    assert bound.document["Variables"] == {"NAME": "${GEN_STR:8}"}


def test_an_unset_directory_in_the_environment_fails_with_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere"
    monkeypatch.setenv(ENV_VAR, str(missing))

    with pytest.raises(ConformanceFilesError) as caught:
        requirements_dir()

    message = str(caught.value)
    assert message.startswith(f"{ENV_VAR}={str(missing)!r} is not a directory")
    assert f"Set {ENV_VAR} to a directory holding the suite folders" in message


def test_a_directory_without_the_suites_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConformanceFilesError) as caught:
        load_cases(tmp_path)

    assert str(caught.value).startswith(
        f"{tmp_path} has no 'step' folder, so it does not hold the conformance cases."
    )


def test_case_ids_sort_numerically() -> None:
    ids = ["1-10", "1-2", "4-1", "1-1"]

    assert sorted(ids, key=case_sort_key) == ["1-1", "1-2", "1-10", "4-1"]


def test_a_case_without_a_handler_fails_with_where_to_write_it() -> None:
    with pytest.raises(MissingHandlerError) as caught:
        handler_for("9-99", "map/9-99.yaml")

    assert str(caught.value) == (
        "Conformance case 9-99 (map/9-99.yaml) has no handler. Write one from the "
        "case's 'handler' and 'invocations' text in "
        "tests/conformance/_handlers_<suite>.py and register it under '9-99' in "
        "that module's table."
    )
