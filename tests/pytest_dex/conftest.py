"""Fixtures of the pytest plugin's tests: ``pytester`` with a clean environment."""

from __future__ import annotations

import hypothesis  # noqa: F401
import pytest

# Each in-process pytester run forgets the modules it imported, and the
# hypothesis plugin imports hypothesis at the end of every run; importing it
# here once keeps every run from importing (and assertion-rewriting) it again.

DEX_ENV = (
    "AWS_DEX_MODE",
    "AWS_DEX_STORE_TYPE",
    "AWS_DEX_STORE_PATH",
    "AWS_DEX_ENDPOINT",
    "AWS_DEX_FUNCTION_MAP",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
)


@pytest.fixture(autouse=True)
def _clean_dex_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the environment of the outer run out of the runs under test."""
    for name in DEX_ENV:
        monkeypatch.delenv(name, raising=False)
