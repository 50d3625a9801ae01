"""JSON Schema documents generated from the structs, published under schemas/."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import msgspec

from ._record import ExecutionRecord
from ._wire import Event, Operation, OperationUpdate

__all__ = ("json_schemas", "write_json_schemas")

_DOCUMENTS: dict[str, Any] = {
    "execution-record.schema.json": ExecutionRecord,
    "operation.schema.json": Operation,
    "operation-update.schema.json": OperationUpdate,
    "event.schema.json": Event,
}


def json_schemas() -> dict[str, bytes]:
    """Return each published schema file's name and its formatted content."""
    documents: dict[str, bytes] = {}
    for file_name, struct in _DOCUMENTS.items():
        schema = msgspec.json.schema(struct)
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://dex.invalid/schemas/{file_name}",
            **schema,
        }
        encoded = msgspec.json.encode(schema, order="sorted")
        documents[file_name] = msgspec.json.format(encoded, indent=2) + b"\n"
    return documents


def write_json_schemas(directory: Path) -> list[Path]:
    """Write every published schema into ``directory``; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, content in json_schemas().items():
        path = directory / file_name
        path.write_bytes(content)
        written.append(path)
    return written


def main() -> None:
    """Entry point of ``python -m dex_schema DIRECTORY`` (``just schemas``)."""
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")
    for path in write_json_schemas(target):
        print(path)
