"""``dex serve``'s refusals: nothing to serve, a bad flag, a busy port."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest
from dex_cli import Output, main

HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _restored_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo what dex serve sets in the environment (it points the SDK at itself)."""
    for name in (
        "AWS_ENDPOINT_URL_LAMBDA",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ):
        monkeypatch.setenv(name, "recorded")  # so that teardown restores it
        monkeypatch.delenv(name)


def _dex(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(args), output=Output(out, err, terminal=False))
    return status, err.getvalue()


def test_serve_with_nothing_to_serve_says_what_to_give() -> None:
    assert _dex("serve") == (
        2,
        "dex serve: error: nothing to serve: give a MODULE:HANDLER or a --runtime "
        "NAME=URL\n",
    )


def test_a_runtime_without_a_name_is_refused() -> None:
    assert _dex("serve", "--runtime", "http://127.0.0.1:9000") == (
        2,
        "dex serve: error: --runtime 'http://127.0.0.1:9000': expected NAME=URL\n",
    )


def test_a_handler_that_cannot_be_imported_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)

    status, err = _dex("serve", "no_such_module:handler", "--port", "0")

    assert status == 2
    assert err == (
        "dex serve: error: cannot import module 'no_such_module' (from "
        "'no_such_module:handler'): no module named 'no_such_module' on the path; "
        "run dex from the directory that holds it or add that directory to "
        "PYTHONPATH\n"
    )


def test_a_busy_port_is_refused_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(HERE)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        status, err = _dex("serve", "served_functions:order_flow", "--port", str(port))

    assert status == 2
    assert err == (
        f"dex serve: error: cannot listen on 127.0.0.1:{port}: Address already in "
        "use; pick another --port (0 takes a free one)\n"
    )


def test_a_handler_without_the_decorator_is_named_in_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "plain_app.py").write_text(
        "def handler(event, context):\n    return 1\n"
    )
    monkeypatch.chdir(tmp_path)

    # The missing second handler ends the command right after the warning.
    status, err = _dex(
        "serve", "plain_app:handler", "other=gone:handler", "--port", "0"
    )

    assert status == 2
    assert err.splitlines()[0] == (
        "dex serve: plain_app:handler is not decorated with @durable_execution; "
        "its executions will fail with dex.NotDurableHandler"
    )
    assert err.splitlines()[1].startswith(
        "dex serve: error: cannot import module 'gone'"
    )


def test_a_store_path_that_is_a_file_is_refused_before_serving(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")

    status, err = _dex(
        "serve",
        "--runtime",
        "orders=http://127.0.0.1:9000",
        "--port",
        "0",
        "--store",
        "filesystem",
        "--store-path",
        "notes.txt",
    )

    assert (status, err) == (
        2,
        f"dex serve: error: cannot use {tmp_path / 'notes.txt'} as a dex store: it "
        "is a file, not a directory (store path from --store-path)\n",
    )


def test_two_handlers_served_under_one_name_are_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for module in ("first_flow", "second_flow"):
        (tmp_path / f"{module}.py").write_text(
            "from aws_durable_execution_sdk_python import durable_execution\n"
            "@durable_execution\n"
            "def handler(event, context):\n"
            "    return 1\n"
        )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))

    status, err = _dex(
        "serve", "first_flow:handler", "second_flow:handler", "--port", "0"
    )

    assert (status, err) == (
        2,
        "dex serve: error: first_flow:handler and second_flow:handler would both "
        "be served as the function 'handler'; name them: "
        "NAME=second_flow:handler\n",
    )
