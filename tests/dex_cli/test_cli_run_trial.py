"""``dex run`` where a first try went wrong: bad store paths, bad files, EOF, Ctrl-C."""

from __future__ import annotations

import io
import sys

import pytest
from dex_schema import ExecutionStatus, decode
from dex_store_filesystem import FilesystemExecutionStore

FLOWS = """
from aws_durable_execution_sdk_python import durable_execution


@durable_execution
def greet(event, context):
    return context.step(lambda _: "hello", name="shout")


@durable_execution
def approval(event, context):
    answer = context.wait_for_callback(lambda callback_id, ctx: None, name="sign-off")
    return {"answer": answer}
"""

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="uses /proc and /dev/null"
)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A current directory holding flows_trial.py, importable by dex run."""
    (tmp_path / "flows_trial.py").write_text(FLOWS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def run_filesystem(dex, store_path, *args):
    return dex(
        "run",
        "flows_trial:greet",
        "--store",
        "filesystem",
        "--store-path",
        store_path,
        *args,
    )


def test_a_file_as_store_path_is_one_line_and_exit_2(dex, workdir) -> None:
    ran = run_filesystem(dex, "flows_trial.py")

    assert ran.status == 2
    assert ran.out == ""
    assert ran.err == (
        f"dex run: error: cannot use {workdir / 'flows_trial.py'} as a dex store: "
        "it is a file, not a directory (store path from --store-path)\n"
    )


@linux_only
@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/dev/null/x", "/dev/null is a file, not a directory"),
        (
            "/proc/nope",
            "/proc does not let a directory be made in it (No such file or directory)",
        ),
    ],
)
def test_a_store_path_that_cannot_be_made_is_one_line(
    dex, workdir, path, reason
) -> None:
    ran = run_filesystem(dex, path)

    assert ran.status == 2
    assert ran.err == (
        f"dex run: error: cannot use {path} as a dex store: {reason} "
        "(store path from --store-path)\n"
    )


def test_the_environment_is_named_when_the_path_came_from_it(
    dex, workdir, monkeypatch
) -> None:
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "filesystem")
    monkeypatch.setenv("AWS_DEX_STORE_PATH", "flows_trial.py")

    ran = dex("run", "flows_trial:greet")

    assert ran.status == 2
    assert ran.err.endswith("(store path from $AWS_DEX_STORE_PATH)\n")


@pytest.mark.parametrize("option", ["--input", "--callback"])
def test_a_file_that_is_not_utf8_is_named(dex, workdir, option) -> None:
    (workdir / "latin.json").write_bytes(b'{"name": "Jos\xe9"}')
    value = "@latin.json" if option == "--input" else "sign-off=@latin.json"
    named = "--input" if option == "--input" else "--callback sign-off"

    ran = dex("run", "flows_trial:greet", option, value)

    assert ran.status == 2
    assert ran.err == (
        f"dex run: error: {named} '@latin.json': 'latin.json' is not UTF-8 text "
        "(byte 0xe9 at offset 13); save the JSON as UTF-8\n"
    )


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", '{"x": NaN}'])
def test_nan_and_infinity_are_not_json(dex, workdir, value) -> None:
    ran = dex("run", "flows_trial:greet", "--input", value)

    constant = value.removeprefix('{"x": ').removesuffix("}")
    assert ran.status == 2
    assert ran.err == (
        f"dex run: error: --input is not JSON: {constant} is not a JSON value "
        f"(JSON has no NaN or Infinity) in {value!r}; quote strings as JSON "
        """('"text"')\n"""
    )


def test_eof_at_the_callback_prompt_stops_the_execution(
    dex, workdir, monkeypatch
) -> None:
    monkeypatch.setattr("dex_cli._run.stdin_is_terminal", lambda: True)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    ran = dex(
        "run",
        "flows_trial:approval",
        "--store",
        "filesystem",
        "--store-path",
        "runs",
    )

    assert ran.status == 1
    assert "Traceback" not in ran.err
    assert "Status:      STOPPED" in ran.out.splitlines()
    assert (
        "Error:       UnansweredCallback: dex run stopped the execution: callback "
        "'sign-off' got no answer: standard input ended"
    ) in ran.out.splitlines()
    assert ran.err.endswith(
        "callback 'sign-off' was left unanswered (standard input ended before an "
        "answer, and no --callback sign-off=JSON given): the execution was "
        "stopped\n"
    )
    rows = FilesystemExecutionStore(workdir / "runs").query().rows
    assert [row.status for row in rows] == [ExecutionStatus.STOPPED]


def test_ctrl_c_stops_and_records_the_execution_then_exits_130(
    dex, workdir, monkeypatch
) -> None:
    from dex_runner import DurableFunctionTestRunner

    started = DurableFunctionTestRunner.wait_for_callback

    def interrupted(self, arn, name=None, timeout=None):
        started(self, arn, name=name, timeout=10)  # the callback is waiting
        raise KeyboardInterrupt  # and the user presses Ctrl-C

    monkeypatch.setattr(DurableFunctionTestRunner, "wait_for_callback", interrupted)

    ran = dex(
        "run",
        "flows_trial:approval",
        "--store",
        "filesystem",
        "--store-path",
        "runs",
        "--name",
        "a-1",
    )

    store = FilesystemExecutionStore(workdir / "runs")
    (row,) = store.query().rows
    assert ran.status == 130
    assert row.status is ExecutionStatus.STOPPED
    record = decode(store.path_for(row.arn).read_bytes())
    assert record.execution.error is not None
    assert record.execution.error.error_type == "Interrupted"
    assert ran.err == (
        f"dex run: stopped execution {row.arn}; its record: "
        f"{store.path_for(row.arn)}\n"
        "dex run: interrupted\n"
    )


def test_a_callback_flag_that_answered_nothing_is_warned_about(dex, workdir) -> None:
    ran = dex("run", "flows_trial:greet", "--callback", "nosuch=1")

    assert ran.status == 0
    assert ran.err == (
        "warning: --callback nosuch=... answered nothing: no callback named "
        "'nosuch' started (no callback started)\n"
    )
