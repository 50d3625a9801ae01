"""``dex validate``: records checked against the published JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

from cli_records import make_record, order_operations
from dex_cli import validate_file
from dex_cli._validate import SCHEMA_FILE, _validator
from dex_schema import encode

REPO = Path(__file__).resolve().parents[2]


def write(path: Path, document: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2))
    return path


def good_document() -> dict:
    return json.loads(encode(make_record("o-1", operations=order_operations())))


def test_the_schema_checked_is_the_published_file() -> None:
    published = json.loads((REPO / "schemas" / SCHEMA_FILE).read_text())

    assert _validator().schema == published


def test_valid_files_pass_with_exit_0(dex, tmp_path) -> None:
    one = write(tmp_path / "a.json", good_document())
    two = write(tmp_path / "b.json", good_document())

    ran = dex("validate", str(one), str(two))

    assert ran.status == 0
    assert ran.out == (f"checked 2 files against {SCHEMA_FILE}: 2 valid, 0 invalid\n")


def test_an_invalid_file_is_reported_with_json_path_and_reason(dex, tmp_path) -> None:
    document = good_document()
    document["Operations"][2]["Status"] = "DONE"
    bad = write(tmp_path / "bad.json", document)
    good = write(tmp_path / "good.json", good_document())

    ran = dex("validate", str(tmp_path))

    assert ran.status == 1
    lines = ran.out.splitlines()
    assert lines[0].startswith(f"{bad}: $.Operations[2].Status: 'DONE' is not one of")
    assert str(good) not in ran.out
    assert lines[-1] == f"checked 2 files against {SCHEMA_FILE}: 1 valid, 1 invalid"


def test_every_problem_of_a_file_is_listed(tmp_path) -> None:
    document = good_document()
    del document["Execution"]["Status"]
    document["Operations"][1]["StepDetails"]["Attempt"] = -1
    document["Surprise"] = 1

    problems = validate_file(write(tmp_path / "bad.json", document))

    assert [(p.path, p.reason) for p in problems] == [
        ("$", "Additional properties are not allowed ('Surprise' was unexpected)"),
        ("$.Execution", "'Status' is a required property"),
        ("$.Operations[1].StepDetails.Attempt", "-1 is less than the minimum of 0"),
    ]


def test_a_file_that_is_not_json_is_invalid(dex, tmp_path) -> None:
    bad = tmp_path / "torn.json"
    bad.write_text('{"SchemaVersion": 1, "Execu')

    ran = dex("validate", str(bad))

    assert ran.status == 1
    assert ran.out.splitlines()[0].startswith(f"{bad}: $: not JSON: ")


def test_what_the_schema_cannot_say_is_checked_by_decoding(tmp_path) -> None:
    document = good_document()
    document["SchemaVersion"] = 7

    problems = validate_file(write(tmp_path / "future.json", document))

    assert [(p.path, p.reason) for p in problems] == [
        (
            "$.SchemaVersion",
            "schema version 7 is newer than this dex reads (up to 1); upgrade dex "
            "to a release that writes SchemaVersion 7",
        )
    ]


def test_hidden_files_like_a_store_index_are_not_records(dex, tmp_path) -> None:
    write(tmp_path / "orders" / "a.json", good_document())
    (tmp_path / ".index").mkdir()
    (tmp_path / ".index" / "rows.json").write_text("not a record")

    ran = dex("validate", str(tmp_path))

    assert ran.status == 0
    assert ran.out == f"checked 1 file against {SCHEMA_FILE}: 1 valid, 0 invalid\n"


def test_a_missing_path_is_bad_input(dex, tmp_path) -> None:
    ran = dex("validate", str(tmp_path / "nope.json"))

    assert ran.status == 2
    assert ran.err == (
        f"dex validate: error: no such file or directory '{tmp_path / 'nope.json'}'\n"
    )


def test_a_directory_without_records_is_bad_input(dex, tmp_path) -> None:
    ran = dex("validate", str(tmp_path))

    assert ran.status == 2
    assert ran.err == (
        f"dex validate: error: '{tmp_path}' holds no record files (*.json); "
        "pass a store directory or record files\n"
    )


def test_without_a_path_the_memory_store_cannot_be_validated(dex) -> None:
    ran = dex("validate")

    assert ran.status == 2
    assert ran.err == (
        "dex validate: error: dex validate without a PATH needs a persistent "
        "store, but the store is 'memory' (from the default), which keeps nothing "
        "after the run that wrote it; use --store filesystem or set "
        "AWS_DEX_STORE_TYPE=filesystem\n"
    )


def test_without_a_path_the_configured_store_directory_is_checked(
    dex, tmp_path, monkeypatch
) -> None:
    write(tmp_path / "orders" / "a.json", good_document())
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "filesystem")
    monkeypatch.setenv("AWS_DEX_STORE_PATH", str(tmp_path))

    ran = dex("validate")

    assert ran.status == 0
    assert ran.out == f"checked 1 file against {SCHEMA_FILE}: 1 valid, 0 invalid\n"


def test_progress_is_shown_on_a_terminal_for_many_files(dex, tmp_path) -> None:
    for index in range(60):
        write(tmp_path / f"r{index:02d}.json", good_document())

    ran = dex("validate", str(tmp_path), terminal=True)

    assert ran.status == 0
    assert "validating" in ran.err
    assert "60/60" in ran.err


def test_no_progress_is_drawn_when_piped(dex, tmp_path) -> None:
    for index in range(60):
        write(tmp_path / f"r{index:02d}.json", good_document())

    ran = dex("validate", str(tmp_path))

    assert ran.err == ""


def test_a_store_directory_is_checked_record_by_record(dex, tmp_path) -> None:
    from dex_store_filesystem import FilesystemExecutionStore

    store_dir = tmp_path / "store"
    store = FilesystemExecutionStore(store_dir)
    good = store.path_for(store.create(make_record("o-1")).arn)
    bad = store.path_for(store.create(make_record("o-2")).arn)
    store.close()
    document = json.loads(bad.read_text())
    document["Revision"] = "two"
    bad.write_text(json.dumps(document))

    ran = dex("validate", str(store_dir))

    assert ran.status == 1
    assert ran.out.splitlines() == [
        f"{store_dir / bad.name}: $.Revision: 'two' is not of type 'integer'",
        f"checked 2 files against {SCHEMA_FILE}: 1 valid, 1 invalid",
    ]
    assert str(good) not in ran.out
