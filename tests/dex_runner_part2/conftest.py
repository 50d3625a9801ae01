"""Helpers for part 2's tests: history outlines (fixtures are in tests/conftest.py)."""

from __future__ import annotations

from typing import Any

Outline = list[tuple[str, str | None, str | None, str | None]]


def outline(events: Any) -> Outline:
    """Each event as ``(type, sub-type, name, parent's name)``.

    The names stand in for the random operation ids, so an expected history
    can be written out in full.
    """
    names: dict[str, str | None] = {}
    for event in events:
        if event.id is not None and event.name is not None:
            names.setdefault(event.id, event.name)
    rows: Outline = []
    for event in events:
        name = event.name
        if event.event_type.value.startswith("Execution"):
            name = None
        sub_type = None if event.sub_type is None else str(event.sub_type)
        parent = names.get(event.parent_id) if event.parent_id else None
        rows.append((event.event_type.value, sub_type, name, parent))
    return rows
