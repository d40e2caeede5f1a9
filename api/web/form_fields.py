"""What kind of form control a pydantic field needs, read from the field's own annotation.

One reading of the step models serves both directions: ``api.web.step_form`` builds controls
from it and turns a posted form back into the dict the same model validates.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel, FutureDatetime, NaiveDatetime, PastDatetime
from pydantic.fields import FieldInfo

NONE_TYPE = type(None)
# pydantic's constrained datetimes are marker classes at run time, not datetime subclasses
DATETIMES: frozenset[Any] = frozenset(
    {datetime, AwareDatetime, NaiveDatetime, FutureDatetime, PastDatetime}
)


@dataclass(frozen=True)
class FieldShape:
    """A field's shape: ``kind`` picks the control, the rest constrains it."""

    kind: str  # select, boolean, integer, number, date, datetime, date_or_datetime, text,
    #            textarea, evidence, choices, group, model
    nullable: bool = False
    options: tuple[str, ...] = ()
    item_model: type[BaseModel] | None = None
    constraints: dict[str, Any] = field(default_factory=dict)


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        for name in ("ge", "gt", "le", "lt", "min_length", "max_length"):
            value = getattr(item, name, None)
            if value is not None:
                found[name] = value
    return found


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, bool, list[Any]]:
    """Strip ``Annotated`` and ``| None``: (inner type, nullable, all metadata)."""
    nullable = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            metadata = [*metadata, *extra]
        elif origin in (Union, types.UnionType) and NONE_TYPE in get_args(annotation):
            nullable = True
            rest = [a for a in get_args(annotation) if a is not NONE_TYPE]
            annotation = rest[0] if len(rest) == 1 else Union[tuple(rest)]  # noqa: UP007
        else:
            return annotation, nullable, metadata


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _scalar_kind(inner: Any, constraints: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    if get_origin(inner) is Literal:
        return "select", tuple(str(a) for a in get_args(inner))
    if isinstance(inner, type) and issubclass(inner, Enum):
        return "select", tuple(str(m.value) for m in inner)
    if get_origin(inner) in (Union, types.UnionType):
        parts = {get_args(p)[0] if get_origin(p) is Annotated else p for p in get_args(inner)}
        if parts & DATETIMES and date in parts:
            return "date_or_datetime", ()
    if inner in DATETIMES:
        return "datetime", ()
    kinds: list[tuple[type, str]] = [
        (bool, "boolean"),
        (int, "integer"),
        (float, "number"),
        (datetime, "datetime"),
        (date, "date"),
    ]
    for python_type, kind in kinds:
        if isinstance(inner, type) and issubclass(inner, python_type):
            return kind, ()
    long_text = int(constraints.get("max_length", 0)) > 500
    return ("textarea" if long_text else "text"), ()


def shape_of(info: FieldInfo) -> FieldShape:
    """The control a field needs (raises nothing: an unknown type is a text input)."""
    inner, nullable, metadata = _unwrap(info.annotation, list(info.metadata))
    constraints = _constraints(metadata)
    if get_origin(inner) is list:
        (item,) = get_args(inner)
        item, _, item_meta = _unwrap(item, [])
        if _is_model(item) and "document" in item.model_fields:
            return FieldShape("evidence", nullable, item_model=item, constraints=constraints)
        if _is_model(item):
            return FieldShape("group", nullable, item_model=item, constraints=constraints)
        kind, options = _scalar_kind(item, _constraints(item_meta))
        return FieldShape("choices", nullable, options=options, constraints=constraints)
    if _is_model(inner):
        return FieldShape("model", nullable, item_model=inner)
    kind, options = _scalar_kind(inner, constraints)
    return FieldShape(kind, nullable, options=options, constraints=constraints)


def group_slots(item_model: type[BaseModel], constraints: dict[str, Any]) -> int:
    """How many repeatable slots a list of sub-forms offers: one per vocabulary entry of its
    first select (each source named once), at most ``max_length``; else three."""
    for info in item_model.model_fields.values():
        shape = shape_of(info)
        if shape.kind == "select":
            slots = len(shape.options)
            break
    else:
        slots = 3
    return min(slots, int(constraints.get("max_length", slots)))
