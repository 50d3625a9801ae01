"""Every command has help text with an example and a section in docs/cli.md."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from dex_cli import Command, all_commands, build_parser, register_commands

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
COMMAND_NAMES = [command.name for command in all_commands()]


def test_the_five_commands_of_dex_cli_are_registered() -> None:
    assert {"run", "list", "show", "validate", "clean"} <= set(COMMAND_NAMES)


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_command_help_has_a_description_and_an_example(name, dex) -> None:
    ran = dex(name, "--help")

    assert ran.status == 0
    command = next(c for c in all_commands() if c.name == name)
    assert f"usage: dex {name}" in ran.out
    assert "examples:" in ran.out
    for example in command.examples:
        assert example.startswith(f"dex {name}") or f" dex {name}" in example
        assert example in ran.out
    assert command.summary in build_parser().format_help()


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_command_has_a_section_in_the_docs(name) -> None:
    headings = re.findall(r"^## (.+)$", DOCS.read_text(), flags=re.M)

    assert f"dex {name}" in headings, f"docs/cli.md has no '## dex {name}' section"


def test_a_command_without_an_example_cannot_be_registered() -> None:
    parser = argparse.ArgumentParser(prog="dex")
    bare = Command(
        name="bare",
        summary="does nothing",
        description="Does nothing.",
        examples=(),
        add_arguments=lambda parser: None,
        run=lambda args, output: 0,
    )

    with pytest.raises(ValueError) as raised:
        register_commands(parser.add_subparsers(), [bare])

    assert str(raised.value) == (
        "dex command 'bare' needs a summary, a description and at least one "
        "example for its --help"
    )


def test_a_registered_command_runs(dex) -> None:
    calls = []
    parser = argparse.ArgumentParser(prog="dex")
    echo = Command(
        name="echo",
        summary="echo a word",
        description="Echo a word.",
        examples=("dex echo hello",),
        add_arguments=lambda parser: parser.add_argument("word"),
        run=lambda args, output: calls.append(args.word) or 0,
    )
    register_commands(parser.add_subparsers(), [echo])

    args = parser.parse_args(["echo", "hello"])

    assert args.command.run(args, None) == 0
    assert calls == ["hello"]


def test_dex_without_a_command_prints_help_and_exits_2(dex) -> None:
    ran = dex()

    assert ran.status == 2
    assert "usage: dex" in ran.err


def test_an_unknown_option_exits_2(dex) -> None:
    ran = dex("list", "--colour")

    assert ran.status == 2
    assert "unrecognized arguments: --colour" in ran.err


class FakeEntryPoint:
    def __init__(self, name: str, obj: object) -> None:
        self.name = name
        self.value = f"fake_package:{name.upper()}"
        self._obj = obj

    def load(self) -> object:
        return self._obj


def test_other_packages_add_commands_through_entry_points(dex, monkeypatch) -> None:
    hello = Command(
        name="hello",
        summary="say hello",
        description="Say hello.",
        examples=("dex hello",),
        add_arguments=lambda parser: None,
        run=lambda args, output: output.line("hello from a plugin") or 0,
    )
    monkeypatch.setattr(
        "dex_cli._app.entry_points",
        lambda group: (
            [FakeEntryPoint("hello", hello)] if group == "dex.commands" else []
        ),
    )

    assert [c.name for c in all_commands()][-1] == "hello"
    ran = dex("hello")
    assert ran.status == 0
    assert ran.out == "hello from a plugin\n"


def test_an_entry_point_that_is_not_a_command_is_named(monkeypatch) -> None:
    monkeypatch.setattr(
        "dex_cli._app.entry_points", lambda group: [FakeEntryPoint("oops", 42)]
    )

    with pytest.raises(TypeError) as raised:
        all_commands()

    assert str(raised.value) == (
        "entry point 'fake_package:OOPS' in 'dex.commands' is a int, not a "
        "dex_cli.Command"
    )
