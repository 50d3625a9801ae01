"""``dex show``: one execution's summary, operation tree and history."""

from __future__ import annotations

import datetime as dt
import json

import msgspec
from cli_records import T0, arn_of, make_record, order_operations
from dex_schema import (
    ErrorObject,
    Event,
    EventError,
    EventType,
    ExecutionStatus,
    RetryDetails,
    StepFailedDetails,
    decode,
    encode,
)


def test_show_a_file_prints_summary_and_operation_tree(dex, tmp_path) -> None:
    record = make_record(
        "o-1", status=ExecutionStatus.FAILED, seconds=62, operations=order_operations()
    )
    path = tmp_path / "o-1.json"
    path.write_bytes(encode(record))

    ran = dex("show", str(path))

    assert ran.status == 0
    assert ran.out == (
        "Execution:   o-1\n"
        f"ARN:         {arn_of('o-1')}\n"
        "Function:    arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST\n"
        "Status:      FAILED\n"
        "Started:     2026-11-20 09:00:00Z\n"
        "Ended:       2026-11-20 09:01:02Z\n"
        "Duration:    1m02s\n"
        "Invocations: 0\n"
        'Input:       {"order_id": "o-1"}\n'
        "Error:       OutOfStock: no widgets left\n"
        f"Stored in:   {path}\n"
        "\n"
        "o-1  FAILED  took 1m02s\n"
        "  reserve  STEP  SUCCEEDED  at +0.000s  took 1.500s  attempt 2\n"
        "  cool-off  WAIT  SUCCEEDED  at +1.500s  took 1m00s  until 1m02s\n"
        "  ship  CONTEXT/RunInChildContext  FAILED  at +1m02s  took 0.500s\n"
        "    label  STEP  FAILED  at +1m02s  took 0.300s  attempt 3  "
        "error PrinterJam: tray 2\n"
    )


def test_show_history_prints_the_events_as_a_timeline(dex, tmp_path) -> None:
    events = (
        Event(
            event_type=EventType.EXECUTION_STARTED,
            event_id=1,
            id="exec",
            event_timestamp=T0,
        ),
        Event(
            event_type=EventType.STEP_FAILED,
            event_id=2,
            id="1",
            name="reserve",
            event_timestamp=T0 + dt.timedelta(seconds=1),
            step_failed_details=StepFailedDetails(
                error=EventError(
                    payload=ErrorObject(error_type="Busy", error_message="try later")
                ),
                retry_details=RetryDetails(
                    current_attempt=1, next_attempt_delay_seconds=5
                ),
            ),
        ),
    )
    record = msgspec.structs.replace(make_record("o-1"), events=events)
    path = tmp_path / "o-1.json"
    path.write_bytes(encode(record))

    ran = dex("show", str(path), "--history")

    assert ran.status == 0
    history = ran.out.split("History (2 events):\n", 1)[1]
    assert history.splitlines() == [
        "#  at       event             operation    details",
        "1  +0.000s  ExecutionStarted  (execution)",
        "2  +1.000s  StepFailed        reserve      error=Busy: try later "
        "retry_details=(current_attempt=1, next_attempt_delay_seconds=5)",
    ]


def test_show_json_prints_the_record_itself(dex, tmp_path) -> None:
    record = make_record("o-1", operations=order_operations())
    path = tmp_path / "o-1.json"
    path.write_bytes(encode(record))

    ran = dex("show", str(path), "--json")

    assert ran.status == 0
    assert decode(ran.out) == record
    assert json.loads(ran.out)["Execution"]["DurableExecutionName"] == "o-1"


def test_show_a_corrupt_file_is_a_one_line_error(dex, tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"SchemaVersion": 1, "Execution": 3}')

    ran = dex("show", str(path))

    assert ran.status == 2
    assert ran.out == ""
    assert ran.err == (
        f"dex show: error: '{path}' is not a valid execution record: at "
        "$.Execution: expected object, got int; "
        f"`dex validate {path}` lists every problem\n"
    )


def test_show_a_missing_file_is_a_one_line_error(dex, tmp_path) -> None:
    ran = dex("show", str(tmp_path / "gone.json"))

    assert ran.status == 2
    assert ran.err == f"dex show: error: no such file '{tmp_path / 'gone.json'}'\n"


def test_show_on_a_terminal_draws_a_tree(dex, tmp_path) -> None:
    path = tmp_path / "o-1.json"
    path.write_bytes(encode(make_record("o-1", operations=order_operations())))

    ran = dex("show", str(path), terminal=True)

    assert ran.status == 0
    assert "└── " in ran.out
    assert "label" in ran.out
