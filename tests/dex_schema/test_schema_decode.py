"""decode: strict, names the JSON path of every problem, refuses newer files."""

import pytest
from dex_schema import (
    CURRENT_SCHEMA_VERSION,
    OperationSubType,
    SchemaError,
    decode,
    encode,
)
from dex_store.testing import execution_records, sample_record
from hypothesis import HealthCheck, given, settings


def damaged(old: bytes, new: bytes) -> bytes:
    data = encode(sample_record("x", operations=4))
    assert old in data
    return data.replace(old, new)


def test_a_wrong_type_names_the_path_expected_and_got() -> None:
    data = encode(sample_record("x", operations=4))
    data = data.replace(
        b'"Attempt": 1,\n        "Result": "{\\"value\\": 4}"',
        b'"Attempt": "1",\n        "Result": "{\\"value\\": 4}"',
    )

    with pytest.raises(SchemaError) as caught:
        decode(data, source="runs/x.json")

    error = caught.value
    assert error.path == "$.Operations[3].StepDetails.Attempt"
    assert error.reason == "expected int, got str"
    assert error.source == "runs/x.json"
    assert str(error) == (
        "runs/x.json: $.Operations[3].StepDetails.Attempt: expected int, got str"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            b'"Status": "SUCCEEDED"',
            b'"Status": "DONE"',
            "$.Execution.Status: invalid enum value 'DONE'",
        ),
        (
            b'"SchemaVersion": 1',
            b'"SchemaVersion": 1, "Colour": 1',
            "$: object contains unknown field Colour",
        ),
        (
            b'"Attempt": 1',
            b'"Attempt": -1',
            "$.Operations[0].StepDetails.Attempt: expected int >= 0",
        ),
        (
            b'"StartTimestamp": "2026-01-01T00:00:00Z",\n    "Status"',
            b'"StartTimestamp": "yesterday",\n    "Status"',
            "$.Execution.StartTimestamp: invalid RFC3339 encoded datetime",
        ),
        (
            b'"DurableExecutionName": "x",',
            b"",
            "$.Execution: object missing required field DurableExecutionName",
        ),
    ],
)
def test_every_problem_names_its_path(old: bytes, new: bytes, message: str) -> None:
    with pytest.raises(SchemaError) as caught:
        decode(damaged(old, new))

    assert str(caught.value) == message


def test_a_newer_schema_version_is_refused_naming_the_version() -> None:
    data = damaged(b'"SchemaVersion": 1', b'"SchemaVersion": 3')

    with pytest.raises(SchemaError) as caught:
        decode(data, source="x.json")

    assert str(caught.value) == (
        "x.json: $.SchemaVersion: schema version 3 is newer than this dex reads "
        f"(up to {CURRENT_SCHEMA_VERSION}); upgrade dex to a release that writes "
        "SchemaVersion 3"
    )


def test_an_unknown_older_schema_version_is_refused() -> None:
    with pytest.raises(SchemaError) as caught:
        decode(damaged(b'"SchemaVersion": 1', b'"SchemaVersion": 0'))

    assert str(caught.value) == "$.SchemaVersion: unknown schema version 0"


def test_not_json_at_all() -> None:
    with pytest.raises(SchemaError) as caught:
        decode(b"\x00garbage")

    assert str(caught.value) == "$: JSON is malformed: invalid character (byte 0)"


def test_a_known_sub_type_decodes_to_the_enum_member_and_others_stay_strings() -> None:
    record = sample_record("x", operations=2)
    data = (
        encode(record)
        .replace(b'"Type": "STEP",', b'"Type": "STEP",\n      "SubType": "Step",', 1)
        .replace(
            b'"Type": "STEP",\n      "Start',
            b'"Type": "STEP",\n      "SubType": "MyOwnKind",\n      "Start',
            1,
        )
    )

    operations = decode(data).operations

    assert operations[0].sub_type is OperationSubType.STEP
    assert operations[1].sub_type == "MyOwnKind"
    assert type(operations[1].sub_type) is str


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(execution_records())
def test_generated_records_round_trip_through_the_json(record: object) -> None:
    assert decode(encode(record)) == record  # type: ignore[arg-type]
