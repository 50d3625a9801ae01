"""docs/pytest.md documents every setting and every marker keyword."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_dex import KEYWORDS
from pytest_dex._settings import SETTINGS, Setting

DOCS = Path(__file__).parents[2] / "docs" / "pytest.md"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.option)
def test_every_setting_is_in_the_settings_table(setting: Setting) -> None:
    text = DOCS.read_text()
    table = text[text.index("## Settings\n") :].split("\n\n")[1]

    rows = [
        line
        for line in table.splitlines()
        if f"`{setting.option} " in line or f"`{setting.option}`" in line
    ]

    assert len(rows) == 1, (
        f"{setting.option} has no row (or several) in the settings table of {DOCS}"
    )
    assert f"`{setting.ini}`" in rows[0]
    assert setting.env is None or f"`{setting.env}`" in rows[0]


@pytest.mark.parametrize("keyword", KEYWORDS)
def test_every_marker_keyword_is_in_the_signature_block(keyword: str) -> None:
    text = DOCS.read_text()
    block = text[text.index("@pytest.mark.durable_execution(\n") :]
    block = block[: block.index(")\n```")]

    assert f"    {keyword}=" in block
