"""``dex run``: bad input is one line on standard error and exit status 2."""

from __future__ import annotations

import sys

import pytest


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty current directory whose modules dex run can import."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_a_module_that_does_not_exist(dex, workdir) -> None:
    ran = dex("run", "no_such_module:handler")

    assert ran.status == 2
    assert ran.out == ""
    assert ran.err == (
        "dex run: error: cannot import module 'no_such_module' (from "
        "'no_such_module:handler'): no module named 'no_such_module' on the path; "
        "run dex from the directory that holds it or add that directory to "
        "PYTHONPATH\n"
    )


def test_a_spec_without_a_colon(dex, workdir) -> None:
    ran = dex("run", "orders.handler")

    assert ran.status == 2
    assert ran.err == (
        "dex run: error: expected MODULE:HANDLER (like "
        "examples.order_workflow:handler); got 'orders.handler'\n"
    )


def test_a_module_without_the_handler(dex, workdir) -> None:
    (workdir / "flows_a.py").write_text("def other(event, context):\n    pass\n")

    ran = dex("run", "flows_a:handler")

    assert ran.status == 2
    assert ran.err == (
        "dex run: error: module 'flows_a' has no attribute 'handler' "
        "(from 'flows_a:handler')\n"
    )


def test_a_handler_that_is_not_callable(dex, workdir) -> None:
    (workdir / "flows_b.py").write_text("handler = 42\n")

    ran = dex("run", "flows_b:handler")

    assert ran.status == 2
    assert ran.err == (
        "dex run: error: 'flows_b:handler' is a int, not a durable handler; point "
        "at a function decorated with @durable_execution\n"
    )


def test_a_module_that_raises_on_import(dex, workdir) -> None:
    (workdir / "flows_c.py").write_text("raise RuntimeError('missing config')\n")

    ran = dex("run", "flows_c:handler")

    assert ran.status == 2
    assert ran.err == (
        "dex run: error: importing 'flows_c' (from 'flows_c:handler') raised "
        "RuntimeError: missing config\n"
    )


def test_a_module_whose_dependency_is_missing(dex, workdir) -> None:
    (workdir / "flows_d.py").write_text("import not_installed_lib\n")

    ran = dex("run", "flows_d:handler")

    assert ran.status == 2
    assert ran.err == (
        "dex run: error: importing 'flows_d' (from 'flows_d:handler') failed: it "
        "imports 'not_installed_lib', which is not installed\n"
    )


def test_input_that_is_not_json(dex, workdir) -> None:
    (workdir / "flows_e.py").write_text("def handler(event, context):\n    pass\n")

    ran = dex("run", "flows_e:handler", "--input", "{order: 1}")

    assert ran.status == 2
    assert ran.err == (
        "dex run: error: --input is not JSON: Expecting property name enclosed in "
        "double quotes: line 1 column 2 (char 1) in '{order: 1}'; quote strings "
        """as JSON ('"text"')\n"""
    )


def test_a_callback_answer_without_a_name(dex, workdir) -> None:
    (workdir / "flows_f.py").write_text("def handler(event, context):\n    pass\n")

    ran = dex("run", "flows_f:handler", "--callback", '{"ok": true}')

    assert ran.status == 2
    assert ran.err == (
        "dex run: error: --callback expects NAME=JSON (like "
        """approval='{"ok": true}'); got '{"ok": true}'\n"""
    )


def test_a_callback_answer_that_is_not_json(dex, workdir) -> None:
    (workdir / "flows_g.py").write_text("def handler(event, context):\n    pass\n")

    ran = dex("run", "flows_g:handler", "--callback", "approval=yes")

    assert ran.status == 2
    assert ran.err.startswith("dex run: error: --callback approval is not JSON: ")


def test_a_function_that_is_not_a_durable_handler(dex, workdir) -> None:
    (workdir / "flows_h.py").write_text("def handler(event, context):\n    pass\n")

    ran = dex("run", "flows_h:handler")

    assert ran.status == 2
    assert ran.out == ""
    assert ran.err == (
        "dex run: error: 'flows_h:handler' is not a durable handler: it is not "
        "decorated with @durable_execution from aws_durable_execution_sdk_python\n"
    )


def test_a_timeout_below_one_second(dex, workdir) -> None:
    ran = dex("run", "flows_i:handler", "--timeout", "0")

    assert ran.status == 2
    assert ran.err == "dex run: error: --timeout must be 1 or more seconds; got 0\n"
