"""The published JSON Schema files: current, and valid for what stores write."""

import json
from pathlib import Path

import dex_schema
import jsonschema
import pytest
from dex_schema import ExecutionRecord, encode
from dex_store.testing import execution_records, sample_record
from dex_store_filesystem import FilesystemExecutionStore
from dex_store_memory import MemoryExecutionStore
from hypothesis import HealthCheck, given, settings

SCHEMAS = Path(__file__).parents[2] / "schemas"
RECORD_SCHEMA = json.loads((SCHEMAS / "execution-record.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(RECORD_SCHEMA)


def test_checked_in_schemas_are_what_the_structs_generate() -> None:
    generated = dex_schema.json_schemas()

    assert sorted(generated) == sorted(p.name for p in SCHEMAS.glob("*.json"))
    for name, content in generated.items():
        assert (SCHEMAS / name).read_bytes() == content, (
            f"schemas/{name} is out of date: run `just schemas`"
        )


def test_the_record_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(RECORD_SCHEMA)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(record=execution_records())
def test_files_the_filesystem_store_writes_validate(
    tmp_path_factory: pytest.TempPathFactory, record: ExecutionRecord
) -> None:
    store = FilesystemExecutionStore(tmp_path_factory.mktemp("store"))
    store.create(record)

    for path in store.record_paths():
        VALIDATOR.validate(json.loads(path.read_bytes()))


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(record=execution_records())
def test_records_the_memory_store_holds_validate_once_encoded(
    record: ExecutionRecord,
) -> None:
    store = MemoryExecutionStore()
    store.create(record)

    VALIDATOR.validate(json.loads(encode(store.load(record.arn))))


def test_the_schema_refuses_what_decode_refuses() -> None:
    document = json.loads(encode(sample_record("x", operations=4)))
    document["Operations"][3]["StepDetails"]["Attempt"] = "1"

    error = jsonschema.exceptions.best_match(VALIDATOR.iter_errors(document))

    assert error is not None
    assert error.message == "'1' is not valid under any of the given schemas"
    assert list(error.absolute_path) == [
        "Operations",
        3,
        "StepDetails",
        "Attempt",
    ]
