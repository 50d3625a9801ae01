"""Which store a command reads: the environment, flags overriding it."""

from __future__ import annotations

import pytest

MEMORY_REFUSAL = (
    "dex {cmd}: error: dex {cmd} needs a persistent store, but the store is "
    "'memory' (from {origin}), which keeps nothing after the run that wrote it; "
    "use --store filesystem or set AWS_DEX_STORE_TYPE=filesystem\n"
)

READING = [
    ("list",),
    ("show", "arn:aws:lambda:us-east-1:1:function:f:$LATEST/durable-execution/x/1"),
    ("clean", "--all"),
]


@pytest.mark.parametrize("args", READING, ids=lambda args: args[0])
def test_reading_the_default_memory_store_says_a_persistent_one_is_needed(
    dex, args
) -> None:
    ran = dex(*args)

    assert ran.status == 2
    assert ran.out == ""
    assert ran.err == MEMORY_REFUSAL.format(cmd=args[0], origin="the default")


def test_the_memory_store_named_in_the_environment_is_refused(dex, monkeypatch) -> None:
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "memory")

    ran = dex("list")

    assert ran.err == MEMORY_REFUSAL.format(cmd="list", origin="$AWS_DEX_STORE_TYPE")


def test_the_store_flag_overrides_the_environment(dex, monkeypatch) -> None:
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "filesystem")

    ran = dex("list", "--store", "memory")

    assert ran.err == MEMORY_REFUSAL.format(cmd="list", origin="--store")


@pytest.mark.parametrize("args", READING, ids=lambda args: args[0])
def test_a_missing_store_directory_is_an_error_and_is_not_created(
    dex, tmp_path, args
) -> None:
    missing = tmp_path / "nowhere"

    ran = dex(*args, "--store", "filesystem", "--store-path", str(missing))

    assert ran.status == 2
    assert ran.err == (
        f"dex {args[0]}: error: no store at '{missing}' (from --store-path): the "
        "directory does not exist; run an execution with the filesystem store "
        "first, or point --store-path or $AWS_DEX_STORE_PATH at a store\n"
    )
    assert not missing.exists()


def test_the_path_from_the_environment_is_named(dex, tmp_path, monkeypatch) -> None:
    missing = tmp_path / "nowhere"
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "filesystem")
    monkeypatch.setenv("AWS_DEX_STORE_PATH", str(missing))

    ran = dex("list")

    assert f"no store at '{missing}' (from $AWS_DEX_STORE_PATH)" in ran.err
    assert not missing.exists()


def test_a_file_is_not_a_store(dex, tmp_path) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("hello")

    ran = dex("list", "--store", "filesystem", "--store-path", str(file))

    assert ran.status == 2
    assert ran.err == (
        f"dex list: error: '{file}' (from --store-path) is a file, not a store "
        "directory; point --store-path or $AWS_DEX_STORE_PATH at a store directory\n"
    )


def test_a_directory_that_is_not_a_store_is_an_error(dex, tmp_path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")

    ran = dex("list", "--store", "filesystem", "--store-path", str(tmp_path))

    assert ran.status == 2
    assert ran.err == (
        f"dex list: error: {tmp_path} is not a dex store: it has neither a "
        ".dex-store/store.json nor execution record files; use a directory a dex "
        "filesystem store wrote (store path from --store-path)\n"
    )


def test_an_unknown_store_type_lists_the_installed_ones(dex) -> None:
    ran = dex("list", "--store", "sqlite")

    assert ran.status == 2
    assert ran.err == (
        "dex list: error: --store 'sqlite' names no installed store; "
        "installed stores: filesystem, memory\n"
    )


def test_an_unknown_store_type_in_the_environment_is_reported(dex, monkeypatch) -> None:
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "sqlite")

    ran = dex("list")

    assert ran.status == 2
    assert ran.err == (
        "dex list: error: unknown store type 'sqlite' (from "
        "AWS_DEX_STORE_TYPE='sqlite'); installed stores: filesystem, memory\n"
    )
