"""Every wire struct is, member for member, the shape botocore's model defines.

The structs are walked recursively alongside botocore's ``lambda`` model:
each struct's JSON keys must be exactly its shape's members, each member's
type must be the shape's type, required members must be required, and each
enum must hold exactly the model's values.
"""

import datetime as dt
import enum
import types
import typing
from typing import Any

import botocore.session
import dex_schema
import msgspec
import pytest
from botocore.model import ListShape, Shape, StructureShape

MODEL = botocore.session.get_session().get_service_model("lambda")

ROOTS = {
    dex_schema.Operation: "Operation",
    dex_schema.OperationUpdate: "OperationUpdate",
    dex_schema.Event: "Event",
    dex_schema.ErrorObject: "ErrorObject",
    dex_schema.Execution: "Execution",
    dex_schema.ExecutionSummary: "GetDurableExecutionResponse",
}

ENUMS = {
    dex_schema.OperationType: "OperationType",
    dex_schema.OperationStatus: "OperationStatus",
    dex_schema.OperationAction: "OperationAction",
    dex_schema.ExecutionStatus: "ExecutionStatus",
    dex_schema.EventType: "EventType",
}

SCALARS = {
    str: {"string"},
    int: {"integer", "long"},
    bool: {"boolean"},
    dt.datetime: {"timestamp"},
}


def unwrap(annotation: Any) -> tuple[Any, bool]:
    """The type inside ``X | None`` and ``Annotated[X, ...]``; and optional?"""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = True
            assert len(args) == 1, annotation
            annotation = args[0]
        else:
            return annotation, optional


def check(struct: type[msgspec.Struct], shape: Shape, where: str) -> list[str]:
    """Every difference between ``struct`` and ``shape``, as readable lines."""
    assert isinstance(shape, StructureShape), where
    problems = []
    fields = {f.encode_name: f for f in msgspec.structs.fields(struct)}
    missing = sorted(set(shape.members) - set(fields))
    extra = sorted(set(fields) - set(shape.members))
    if missing or extra:
        problems.append(f"{where}: missing {missing}, not in the model {extra}")
    required = set(shape.required_members)
    hints = typing.get_type_hints(struct, include_extras=True)
    for key, member in shape.members.items():
        if key not in fields:
            continue
        field = fields[key]
        inner, optional = unwrap(hints[field.name])
        path = f"{where}.{key}"
        if key in required and (optional or field.required is False):
            problems.append(f"{path}: required by the model, optional here")
        problems.extend(check_type(inner, member, path))
    return problems


def check_type(annotation: Any, shape: Shape, path: str) -> list[str]:
    if isinstance(shape, StructureShape):
        if not (
            isinstance(annotation, type) and issubclass(annotation, msgspec.Struct)
        ):
            return [f"{path}: the model has structure {shape.name}, got {annotation}"]
        return check(annotation, shape, path)
    if isinstance(shape, ListShape):
        if typing.get_origin(annotation) is not tuple:
            return [f"{path}: the model has a list, got {annotation}"]
        item = typing.get_args(annotation)[0]
        return check_type(unwrap(item)[0], shape.member, f"{path}[]")
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        if getattr(shape, "enum", None) and sorted(
            m.value for m in annotation
        ) != sorted(shape.enum):
            return [f"{path}: enum {annotation.__name__} differs from {shape.name}"]
        return []
    if shape.type_name not in SCALARS.get(annotation, set()):
        return [f"{path}: the model has {shape.type_name}, got {annotation}"]
    if getattr(shape, "enum", None):
        return [f"{path}: the model has enum {shape.name}, got a plain {annotation}"]
    return []


@pytest.mark.parametrize("struct", ROOTS, ids=lambda s: s.__name__)
def test_struct_matches_its_botocore_shape(struct: type[msgspec.Struct]) -> None:
    shape = MODEL.shape_for(ROOTS[struct])

    assert check(struct, shape, struct.__name__) == []


def test_every_exported_wire_struct_is_a_botocore_shape_of_its_name() -> None:
    wire = [
        getattr(dex_schema, name)
        for name in dex_schema.__all__
        if isinstance(getattr(dex_schema, name), type)
        and issubclass(getattr(dex_schema, name), msgspec.Struct)
        and getattr(dex_schema, name).__module__ == "dex_schema._wire"
    ]

    problems = []
    for struct in wire:
        name = struct.__name__
        if name not in MODEL.shape_names:
            problems.append(f"{name}: no shape of that name")
            continue
        problems.extend(check(struct, MODEL.shape_for(name), name))

    assert len(wire) == 51
    assert problems == []


@pytest.mark.parametrize("python_enum", ENUMS, ids=lambda e: e.__name__)
def test_enum_values_are_the_model_enum(python_enum: type[enum.Enum]) -> None:
    shape = MODEL.shape_for(ENUMS[python_enum])

    assert [member.value for member in python_enum] == shape.enum


def test_known_sub_types_fit_the_model_pattern() -> None:
    shape = MODEL.shape_for("OperationSubType")
    pattern = shape.metadata["pattern"]

    for member in dex_schema.OperationSubType:
        assert msgspec.json.decode(
            b'"' + member.value.encode() + b'"',
            type=typing.Annotated[
                str,
                msgspec.Meta(
                    pattern=f"^{pattern}$",
                    min_length=shape.metadata["min"],
                    max_length=shape.metadata["max"],
                ),
            ],
        )


def test_the_check_catches_a_drifted_struct() -> None:
    class Operation(msgspec.Struct, rename="pascal"):
        id: str
        parent_id: int | None = None
        colour: str | None = None

    problems = check(Operation, MODEL.shape_for("Operation"), "Operation")

    assert problems[0].startswith("Operation: missing ['CallbackDetails', ")
    assert problems[0].endswith("not in the model ['Colour']")
    assert problems[1:] == [
        "Operation.ParentId: the model has string, got <class 'int'>"
    ]
