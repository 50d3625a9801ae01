"""Record file names: readable, injective, bounded, never outside the store."""

import hashlib
from pathlib import Path

import pytest
from dex_store.testing import arns, texts
from dex_store_filesystem import FilesystemExecutionStore, file_name_for
from hypothesis import given, settings
from hypothesis import strategies as st

ARN = (
    "arn:aws:lambda:us-west-2:123456789012:function:orders:$LATEST"
    "/durable-execution/run-1/0f6b8a52-1d9e-4c41-9a4e-4d4f4c2c1a11"
)


def short_hash(arn: str) -> str:
    return hashlib.sha256(arn.encode()).hexdigest()[:12]


def test_a_real_arn_reads_as_itself_with_a_hash_for_what_was_replaced() -> None:
    assert file_name_for(ARN) == (
        "arn_aws_lambda_us-west-2_123456789012_function_orders__LATEST"
        "_durable-execution_run-1_0f6b8a52-1d9e-4c41-9a4e-4d4f4c2c1a11"
        f"~{short_hash(ARN)}.json"
    )


def test_a_name_that_loses_nothing_is_kept_as_is() -> None:
    assert file_name_for("run-1.v2_final") == "run-1.v2_final.json"


def test_names_differing_only_in_replaced_characters_get_different_files() -> None:
    assert file_name_for("a:b") == f"a_b~{short_hash('a:b')}.json"
    assert file_name_for("a_b") == "a_b.json"
    assert file_name_for("a/b") == f"a_b~{short_hash('a/b')}.json"


def test_case_is_kept_apart_on_case_insensitive_file_systems() -> None:
    assert file_name_for("run") == "run.json"
    assert file_name_for("Run") == f"Run~{short_hash('Run')}.json"


def test_hostile_names_stay_inside_the_store() -> None:
    assert file_name_for("..") == f"_.~{short_hash('..')}.json"
    assert file_name_for("../../etc/passwd") == (
        f"_._.._etc_passwd~{short_hash('../../etc/passwd')}.json"
    )
    assert file_name_for("con") == f"con~{short_hash('con')}.json"
    assert file_name_for("nul.txt") == f"nul.txt~{short_hash('nul.txt')}.json"


def test_long_arns_are_cut_and_hashed() -> None:
    arn = "x" * 400

    assert file_name_for(arn) == "x" * 150 + f"~{short_hash(arn)}.json"


@settings(max_examples=60)
@given(texts(min_size=1, max_size=300) | arns())
def test_every_name_is_a_plain_bounded_file_name(arn: str) -> None:
    name = file_name_for(arn)

    assert len(name) <= 150 + 1 + 12 + len(".json")
    assert not name.startswith(".")
    assert name.endswith(".json")
    assert all(c.isascii() and (c.isalnum() or c in "._-~") for c in name)


@settings(max_examples=60)
@given(st.lists(texts(min_size=1, max_size=12) | arns(), min_size=2, max_size=6))
def test_different_arns_never_share_a_file(arns_: list[str]) -> None:
    distinct = set(arns_)

    names = {file_name_for(arn).casefold() for arn in distinct}

    assert len(names) == len(distinct)


def test_path_for_is_inside_the_store_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = FilesystemExecutionStore("relative/store")

    path = store.path_for("../../outside")

    assert store.path == tmp_path / "relative" / "store"
    assert path.parent == store.path
    assert path.name == f"_._.._outside~{short_hash('../../outside')}.json"
