"""Fixtures of the dex command's tests: a captured in-process ``dex``."""

from __future__ import annotations

import io
from collections.abc import Callable

import msgspec
import pytest
from dex_cli import Output, main


class Ran(msgspec.Struct, kw_only=True):
    """What one ``dex`` invocation printed and returned."""

    status: int
    out: str
    err: str


RunDex = Callable[..., Ran]


@pytest.fixture
def dex() -> RunDex:
    """Run ``dex ARGS`` in-process with plain (piped) output; return what it did."""

    def run(*args: str, terminal: bool = False) -> Ran:
        out, err = io.StringIO(), io.StringIO()
        status = main(list(args), output=Output(out, err, terminal=terminal))
        return Ran(status=status, out=out.getvalue(), err=err.getvalue())

    return run


@pytest.fixture(autouse=True)
def _no_store_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no store configured in the environment."""
    monkeypatch.delenv("AWS_DEX_STORE_TYPE", raising=False)
    monkeypatch.delenv("AWS_DEX_STORE_PATH", raising=False)
