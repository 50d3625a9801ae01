"""``dex run``: a durable handler run locally, its outcome and where it is stored."""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

import pytest
from dex_schema import decode

FLOWS = """
from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryDecision

NO_RETRY = StepConfig(retry_strategy=lambda error, attempts: RetryDecision.no_retry())


@durable_execution
def greet(event, context):
    name = context.step(lambda _: event["name"].upper(), name="shout")
    return f"hello {name}"


@durable_execution
def broken(event, context):
    context.step(lambda _: 1 / 0, name="divide", config=NO_RETRY)


@durable_execution
def approval(event, context):
    answer = context.wait_for_callback(lambda callback_id, ctx: None, name="sign-off")
    return {"answer": answer}


@durable_execution
def pause(event, context):
    context.wait(Duration.from_seconds(1), name="pause")
    return "rested"


@durable_execution
def nap(event, context):
    context.wait(Duration.from_minutes(10), name="nap")
    return "rested"
"""


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A current directory holding flows_run.py, importable by dex run."""
    (tmp_path / "flows_run.py").write_text(FLOWS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def stored_in(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("Stored in:"))[
        len("Stored in:   ") :
    ]


def test_a_successful_run_prints_outcome_and_tree_and_exits_0(dex, workdir) -> None:
    ran = dex("run", "flows_run:greet", "--input", '{"name": "ada"}', "--name", "g-1")

    assert ran.status == 0, ran.err
    lines = ran.out.splitlines()
    assert lines[0] == "Execution:   g-1"
    assert lines[1].startswith(
        "ARN:         arn:aws:lambda:us-east-1:123456789012:function:flows-run:"
        "$LATEST/durable-execution/g-1/"
    )
    assert "Status:      SUCCEEDED" in lines
    assert 'Input:       {"name": "ada"}' in lines
    assert 'Result:      "hello ADA"' in lines
    assert stored_in(ran.out) == (
        "memory (not kept after this command; use --store filesystem to keep it)"
    )
    tree = ran.out.split("\n\n", 1)[1].splitlines()
    assert tree[0].startswith("g-1  SUCCEEDED  took ")
    assert tree[1].startswith("  shout  STEP  SUCCEEDED  at +")
    assert tree[1].endswith("  attempt 1")
    assert len(tree) == 2


def test_a_failed_run_prints_the_error_and_exits_1(dex, workdir) -> None:
    ran = dex("run", "flows_run:broken", "--function-name", "calc")

    assert ran.status == 1
    lines = ran.out.splitlines()
    assert "Status:      FAILED" in lines
    assert (
        "Error:       aws_durable_execution_sdk_python.exceptions.StepError: "
        "division by zero"
    ) in lines
    assert ":function:calc:$LATEST/durable-execution/" in lines[1]
    assert any(
        line.startswith("  divide  STEP  FAILED  ")
        and line.endswith("error ZeroDivisionError: division by zero")
        for line in lines
    )


def test_with_the_filesystem_store_the_record_is_kept(dex, workdir) -> None:
    ran = dex(
        "run",
        "flows_run:greet",
        "--input",
        '{"name": "ada"}',
        "--name",
        "kept",
        "--store",
        "filesystem",
        "--store-path",
        "runs",
    )

    assert ran.status == 0, ran.err
    path = Path(stored_in(ran.out))
    assert path.parent == workdir / "runs"
    record = decode(path.read_bytes())
    assert record.execution.durable_execution_name == "kept"
    assert record.execution.result == '"hello ADA"'
    listed = dex("list", "--store", "filesystem", "--store-path", "runs")
    assert listed.out.splitlines()[1].split()[:3] == ["kept", "flows-run", "SUCCEEDED"]


def test_the_store_comes_from_the_environment(dex, workdir, monkeypatch) -> None:
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "filesystem")
    monkeypatch.setenv("AWS_DEX_STORE_PATH", str(workdir / "env-runs"))

    ran = dex("run", "flows_run:greet", "--input", '{"name": "ada"}')

    assert ran.status == 0, ran.err
    assert Path(stored_in(ran.out)).parent == workdir / "env-runs"


def test_a_callback_is_answered_by_name(dex, workdir) -> None:
    ran = dex("run", "flows_run:approval", "--callback", 'sign-off={"ok": true}')

    assert ran.status == 0, ran.err
    assert json.loads(ran.out.split("Result:      ", 1)[1].splitlines()[0]) == {
        "answer": '{"ok": true}'
    }
    assert ran.err == "answered callback 'sign-off' from --callback\n"


def test_an_unanswered_callback_stops_the_execution_when_not_on_a_terminal(
    dex, workdir
) -> None:
    ran = dex("run", "flows_run:approval", "--callback", "other=1")

    assert ran.status == 1
    assert "Status:      STOPPED" in ran.out.splitlines()
    assert (
        "Error:       UnansweredCallback: dex run stopped the execution: callback "
        "'sign-off' had no --callback answer and no terminal to ask on"
    ) in ran.out.splitlines()
    assert ran.err == (
        "callback 'sign-off' was left unanswered (not on a terminal, and no "
        "--callback sign-off=JSON given): the execution was stopped\n"
        "warning: --callback other=... answered nothing: no callback named "
        "'other' started (the callbacks that started: 'sign-off')\n"
    )


def test_on_a_terminal_an_unanswered_callback_is_asked_for(
    dex, workdir, monkeypatch
) -> None:
    monkeypatch.setattr("dex_cli._run.stdin_is_terminal", lambda: True)
    monkeypatch.setattr(sys, "stdin", io.StringIO('s\n{"typed": 1}\n'))

    ran = dex("run", "flows_run:approval")

    assert ran.status == 0, ran.err
    assert "callback sign-off (id " in ran.err
    assert "answer with (s)uccess, (f)ailure or (h)eartbeat" in ran.err
    assert json.loads(ran.out.split("Result:      ", 1)[1].splitlines()[0]) == {
        "answer": '{"typed": 1}'
    }


def test_on_a_terminal_a_callback_can_be_failed(dex, workdir, monkeypatch) -> None:
    monkeypatch.setattr("dex_cli._run.stdin_is_terminal", lambda: True)
    monkeypatch.setattr(sys, "stdin", io.StringIO("f\ncard expired\n"))

    ran = dex("run", "flows_run:approval")

    assert ran.status == 1
    assert "Status:      FAILED" in ran.out.splitlines()
    assert "card expired" in ran.out


def test_on_a_terminal_a_heartbeat_then_an_answer(dex, workdir, monkeypatch) -> None:
    monkeypatch.setattr("dex_cli._run.stdin_is_terminal", lambda: True)
    monkeypatch.setattr(sys, "stdin", io.StringIO('h\ns\n"late"\n'))

    ran = dex("run", "flows_run:approval")

    assert ran.status == 0, ran.err
    assert ran.err.count("callback sign-off (id ") == 2
    assert '"answer": "\\"late\\""' in ran.out


def test_waits_are_skipped_by_default(dex, workdir) -> None:
    ran = dex("run", "flows_run:pause")

    assert ran.status == 0, ran.err
    assert any(
        line.startswith("  pause  WAIT  SUCCEEDED") and "  took 1.0" in line
        for line in ran.out.splitlines()
    )


def test_a_run_past_its_timeout_says_modeled_time_counts(dex, workdir) -> None:
    ran = dex("run", "flows_run:nap", "--timeout", "60")

    assert ran.status == 1
    assert "Status:      TIMED_OUT" in ran.out.splitlines()
    assert ran.err.splitlines()[-1] == (
        "dex run: modeled time (waits, retry delays, callback timeouts) counts "
        "against the execution timeout of 60 s; raise --timeout"
    )


def test_no_skip_time_lets_a_wait_take_real_time(dex, workdir) -> None:
    started = time.monotonic()

    ran = dex("run", "flows_run:pause", "--no-skip-time")

    assert ran.status == 0, ran.err
    assert time.monotonic() - started >= 1.0


def test_input_can_be_read_from_a_file(dex, workdir) -> None:
    (workdir / "order.json").write_text('{"name": "grace"}\n')

    ran = dex("run", "flows_run:greet", "--input", "@order.json")

    assert ran.status == 0, ran.err
    assert 'Result:      "hello GRACE"' in ran.out.splitlines()


def test_an_input_file_that_does_not_exist(dex, workdir) -> None:
    ran = dex("run", "flows_run:greet", "--input", "@missing.json")

    assert ran.status == 2
    assert ran.err == (
        "dex run: error: --input '@missing.json': cannot read 'missing.json': "
        "No such file or directory\n"
    )


def test_a_store_path_that_holds_other_files_is_refused(dex, workdir) -> None:
    (workdir / "photos").mkdir()
    (workdir / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")

    ran = dex(
        "run",
        "flows_run:greet",
        "--input",
        '{"name": "ada"}',
        "--store",
        "filesystem",
        "--store-path",
        "photos",
    )

    assert ran.status == 2
    assert ran.out == ""
    assert ran.err == (
        f"dex run: error: {workdir / 'photos'} is not a dex store and not empty "
        "(it holds cat.jpg); refusing to write executions into it: use a new or "
        "empty directory (store path from --store-path)\n"
    )
