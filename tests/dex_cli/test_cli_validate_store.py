"""``dex validate`` in a store checks what the store checks; links to nothing."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from cli_records import arn_of, make_record
from dex_cli import Output, main
from dex_cli._validate import SCHEMA_FILE
from dex_schema import encode
from dex_store_filesystem import FilesystemExecutionStore, file_name_for


@pytest.fixture
def store_dir(tmp_path):
    """A filesystem store holding o-1 and o-2."""
    path = tmp_path / "store"
    store = FilesystemExecutionStore(path)
    store.create(make_record("o-1"))
    store.create(make_record("o-2"))
    store.close()
    return path


def copied_reason(arn: str, name: str) -> str:
    return (
        f"$.Execution.DurableExecutionArn: the file holds {arn!r}, which the store "
        f"keeps in {file_name_for(arn)!r}, not {name!r}, so the store cannot read "
        "it (renamed, copied or edited by hand); rename it or move it out of the "
        "store"
    )


def test_a_record_copied_by_hand_in_a_store_is_invalid(dex, store_dir) -> None:
    copy = store_dir / "copy-of-o1.json"
    shutil.copy(store_dir / file_name_for(arn_of("o-1")), copy)

    ran = dex("validate", str(store_dir))
    listed = dex("list", "--store", "filesystem", "--store-path", str(store_dir))

    assert ran.status == 1
    assert ran.out.splitlines() == [
        f"{copy}: {copied_reason(arn_of('o-1'), copy.name)}",
        f"checked 3 files against {SCHEMA_FILE}: 2 valid, 1 invalid",
    ]
    assert "UNREADABLE" in listed.out  # what the store says, validate says too


def test_a_record_whose_arn_was_edited_is_invalid_in_the_configured_store(
    dex, store_dir, monkeypatch
) -> None:
    path = store_dir / file_name_for(arn_of("o-2"))
    document = json.loads(path.read_text())
    document["Execution"]["DurableExecutionArn"] = arn_of("o-7")
    path.write_text(json.dumps(document, indent=2))
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "filesystem")
    monkeypatch.setenv("AWS_DEX_STORE_PATH", str(store_dir))

    ran = dex("validate")
    one = dex("validate", str(path))

    assert ran.status == 1
    assert ran.out.splitlines() == [
        f"{path}: {copied_reason(arn_of('o-7'), path.name)}",
        f"checked 2 files against {SCHEMA_FILE}: 1 valid, 1 invalid",
    ]
    assert one.status == 1
    assert (
        one.out.splitlines()[0] == f"{path}: {copied_reason(arn_of('o-7'), path.name)}"
    )


def test_outside_a_store_only_the_schema_counts(dex, tmp_path) -> None:
    exported = tmp_path / "exported"
    exported.mkdir()
    (exported / "run-1.json").write_bytes(encode(make_record("o-1")))

    ran = dex("validate", str(exported))

    assert ran.status == 0
    assert ran.out == f"checked 1 file against {SCHEMA_FILE}: 1 valid, 0 invalid\n"


def test_a_symlink_to_nothing_is_reported_unreadable(dex, tmp_path) -> None:
    (tmp_path / "good.json").write_bytes(encode(make_record("o-1")))
    (tmp_path / "gone.json").symlink_to(tmp_path / "deleted.json")

    ran = dex("validate", str(tmp_path))

    assert ran.status == 1
    assert ran.out.splitlines() == [
        f"{tmp_path / 'gone.json'}: $: cannot read the file: it is a symbolic link "
        f"to {str(tmp_path / 'deleted.json')!r}, which does not exist",
        f"checked 2 files against {SCHEMA_FILE}: 1 valid, 1 invalid",
    ]


def test_progress_on_a_terminal_never_interleaves_with_results(tmp_path) -> None:
    for index in range(60):
        (tmp_path / f"r{index:02d}.json").write_text("{}")
    terminal = io.StringIO()  # standard output and error on one terminal

    status = main(
        ["validate", str(tmp_path)],
        output=Output(terminal, terminal, terminal=True),
    )

    text = terminal.getvalue()
    assert status == 1
    first_result = text.index(str(tmp_path / "r00.json"))
    assert text.rindex("60/60") < first_result  # the bar is gone by then
    assert "━" not in text[first_result:]
    assert text.count(": $") == 60
