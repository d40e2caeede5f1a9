"""A form generated from a step's own pydantic model, and the posted form read back into it.

The same model is the API's body and OpenAPI schema and the workflow's validator's, so the
page, the API and the workflow never disagree about a field. Controls carry display-ready
values; the template only lays them out. Names are the fields' dotted paths
(``confirmed_sources.0.evidence``), which is also how every rejection names its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic_core import PydanticUndefined
from starlette.datastructures import FormData

from api.case_actions import OWNER_SUFFIX
from api.errors import FieldError
from api.web.form_fields import FieldShape, group_slots, shape_of
from api.web.words import NONE_RECORDED, humanize, yes_no
from domain.text import unstorable

HINTS = {
    "date_or_datetime": "A date alone means close of business that day; add a time for an "
    "exact instant (provider local time).",
    "datetime": "Provider local time.",
    "evidence": "Cite documents you have opened for this case.",
}
FIELD_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")  # a field named in a message
ENTRY_MARK = "#"  # an evidence checkbox's value: "document" or "document#entry"
MAX_ENTRIES = 30  # entries offered per document (a chronology can be long)
TIME_SUFFIX = "__time"  # the optional time beside a date that may also be an instant
INPUT_TYPES = {
    "integer": "number",
    "number": "number",
    "date": "date",
    "datetime": "datetime-local",
}


@dataclass
class Control:
    """One labelled control (or a fieldset of them) ready for the template."""

    name: str
    label: str
    kind: str
    hint: str = ""
    input_type: str = "text"
    options: list[tuple[str, str]] = field(default_factory=list)
    groups: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)  # <optgroup>s
    value: str = ""
    chosen: list[str] = field(default_factory=list)
    display: str = ""
    required: bool = False
    least: int = 0  # a list's fewest items (its group slots after these are optional)
    attrs: dict[str, str] = field(default_factory=dict)
    error: str = ""
    time_value: str = ""  # date_or_datetime: the optional time posted beside the date
    slots: list[list[Control]] = field(default_factory=list)

    @property
    def item(self) -> str:
        """One slot of a group in the singular: "Confirmed sources" → "Confirmed source"."""
        head, _, last = self.label.rpartition(" ")
        if last.endswith("s") and not last.endswith(("ss", "is", "us")):
            last = last[:-1]
        return f"{head} {last}" if head else last

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("_", "-")

    @property
    def described_by(self) -> str:
        """The IDs of the hint and the error, for ``aria-describedby``."""
        parts = [f"{self.id}-hint" if self.hint else "", f"{self.id}-error" if self.error else ""]
        return " ".join(p for p in parts if p)


@dataclass
class FormContext:
    """What a form is rendered with: posted values, fixed (computed) values, errors, documents."""

    posted: Mapping[str, Sequence[str]] = field(default_factory=dict)
    fixed: Mapping[str, Any] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    documents: Sequence[str] = ()
    entries: Mapping[str, Sequence[str]] = field(default_factory=dict)  # document -> entry IDs
    entry_labels: Mapping[str, str] = field(default_factory=dict)  # "document#entry" -> words
    evidence_hint: str = ""
    # The people an owner field offers: (employee ID, "Name — role, service line (ID)").
    people: Sequence[tuple[str, str]] = ()
    people_groups: Sequence[tuple[str, list[tuple[str, str]]]] = ()  # the same, labelled groups


def _attrs(shape: FieldShape) -> dict[str, str]:
    c = shape.constraints
    attrs = {"min": str(c.get("ge", "")), "max": str(c.get("le", ""))}
    if shape.kind == "number":
        attrs["step"] = "any"
    if "max_length" in c and shape.kind in ("text", "textarea"):
        attrs["maxlength"] = str(c["max_length"])
    return {k: v for k, v in attrs.items() if v}


def _options(shape: FieldShape) -> list[tuple[str, str]]:
    if shape.kind == "boolean":
        return [("true", "Yes"), ("false", "No")]
    return [(value, humanize(value)) for value in shape.options]


def _value(default: Any) -> str:
    if default is PydanticUndefined or default is None:
        return ""
    if isinstance(default, bool):
        return "true" if default else "false"
    return str(default)


def evidence_options(ctx: FormContext) -> list[tuple[str, str]]:
    """Each opened document, then each of its entries (``document#entry``), citable."""
    options = []
    for document in ctx.documents:
        options.append((document, humanize(document)))
        for entry in list(ctx.entries.get(document, ()))[:MAX_ENTRIES]:
            value = f"{document}{ENTRY_MARK}{entry}"
            words = ctx.entry_labels.get(value) or f"entry {entry}"
            options.append((value, f"{humanize(document)}: {words}"))
    return options


def _required(info: Any, shape: FieldShape) -> bool:
    """Whether the label says "(required)": a list must have at least one item to count."""
    if shape.kind in ("evidence", "choices", "group"):
        return int(shape.constraints.get("min_length", 0)) >= 1
    return bool(info.is_required()) and not shape.nullable


def _control(name: str, info: Any, shape: FieldShape, ctx: FormContext) -> Control:
    hint = info.description or HINTS.get(shape.kind, "")
    if shape.kind == "evidence" and ctx.evidence_hint:
        hint = f"{hint} {ctx.evidence_hint}"
    owner = name.endswith(OWNER_SUFFIX)
    if owner:  # the model's description speaks of an ID; the page offers people
        hint = "Choose the person from the staff directory (name, role, employee ID)."
    control = Control(
        name=name,
        label=info.title or humanize(name.rsplit(".", 1)[-1]),
        kind=shape.kind,
        hint=hint,
        input_type=INPUT_TYPES.get(
            shape.kind, "date" if shape.kind == "date_or_datetime" else "text"
        ),
        options=_options(shape),
        required=_required(info, shape),
        attrs=_attrs(shape),
        error=ctx.errors.get(name, ""),
        least=int(shape.constraints.get("min_length", 0)),
    )
    if owner:  # a labelled choice of people, not a typed ID (works without JavaScript)
        control.kind, control.options, control.attrs = "select", list(ctx.people), {}
        control.groups = list(ctx.people_groups)
        control.label = control.label.removesuffix(" id").removesuffix(" ID")
    key = name.rsplit(".", 1)[-1]
    if "." not in name and key in ctx.fixed:
        fixed = ctx.fixed[key]
        control.kind, control.value = "fixed", _value(fixed)
        control.display = _fixed_words(fixed)
    elif shape.kind in ("evidence", "choices"):
        if shape.kind == "evidence":
            control.options = evidence_options(ctx)
        control.chosen = list(ctx.posted.get(name, ()))
    else:
        posted = ctx.posted.get(name)
        control.value = posted[0] if posted else _value(info.default)
        clock = ctx.posted.get(f"{name}{TIME_SUFFIX}")
        control.time_value = clock[0] if clock else ""
    return control


def has_evidence(model: type[BaseModel]) -> bool:
    """Whether the form of ``model`` (or one of its sub-forms) has an evidence field."""
    for info in model.model_fields.values():
        shape = shape_of(info)
        if shape.kind == "evidence":
            return True
        if shape.item_model is not None and has_evidence(shape.item_model):
            return True
    return False


def build_controls(model: type[BaseModel], ctx: FormContext, prefix: str = "") -> list[Control]:
    """The controls of ``model`` (recursively for sub-forms), filled from ``ctx``."""
    controls = []
    for field_name, info in model.model_fields.items():
        name = f"{prefix}{field_name}"
        shape = shape_of(info)
        control = _control(name, info, shape, ctx)
        if shape.kind in ("group", "model") and shape.item_model is not None:
            count = group_slots(shape.item_model, shape.constraints) if shape.kind == "group" else 1
            for slot in range(count):
                sub = f"{name}.{slot}." if shape.kind == "group" else f"{name}."
                control.slots.append(build_controls(shape.item_model, ctx, sub))
        controls.append(control)
    return controls


def _scalar(raw: str, shape: FieldShape, tz: str, time_of_day: str = "") -> Any:
    """A posted value as the model reads it; a local date and time become an aware instant."""
    if shape.kind == "date_or_datetime" and time_of_day and "T" not in raw:
        raw = f"{raw}T{time_of_day}"
    local = shape.kind in ("datetime", "date_or_datetime") and "T" in raw
    if local and "+" not in raw and not raw.endswith("Z"):
        try:
            return datetime.fromisoformat(raw).replace(tzinfo=ZoneInfo(tz)).isoformat()
        except ValueError:
            return raw  # the model names the field and says why
    return raw


def _citation(value: str) -> dict[str, str]:
    document, _, entry = value.partition(ENTRY_MARK)
    return {"document": document, "entry": entry} if entry else {"document": document}


def _read(model: type[BaseModel], form: FormData, prefix: str, tz: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        name, shape = f"{prefix}{field_name}", shape_of(info)
        if shape.kind == "evidence":
            data[field_name] = [_citation(d) for d in form.getlist(name) if isinstance(d, str)]
        elif shape.kind == "choices":
            data[field_name] = [v for v in form.getlist(name) if isinstance(v, str)]
        elif shape.kind == "group" and shape.item_model is not None:
            slots = range(group_slots(shape.item_model, shape.constraints))
            items = [_read(shape.item_model, form, f"{name}.{i}.", tz) for i in slots]
            data[field_name] = [
                item for item in items if any(v not in (None, []) for v in item.values())
            ]
        elif shape.kind == "model" and shape.item_model is not None:
            data[field_name] = _read(shape.item_model, form, f"{name}.", tz)
        else:
            raw = form.get(name)
            text = raw.strip() if isinstance(raw, str) else ""
            clock = form.get(f"{name}{TIME_SUFFIX}")
            if text:
                data[field_name] = _scalar(text, shape, tz, str(clock or "").strip())
            elif shape.nullable:
                data[field_name] = None
    return data


def read_form(model: type[BaseModel], form: FormData, tz: str) -> dict[str, Any]:
    """The posted form as the dict ``model`` validates: blanks left out (so "required" is
    reported on the field), blank nullable fields None, empty repeatable slots dropped."""
    return _read(model, form, "", tz)


def _fixed_words(value: Any) -> str:
    """A computed value the form shows read-only: the category ``none`` as "None recorded"."""
    if not isinstance(value, str):
        return yes_no(value)
    return NONE_RECORDED if value == "none" else humanize(value)


def unstorable_errors(posted: Mapping[str, Sequence[str]]) -> list[FieldError]:
    """Text no store can keep (NUL, lone surrogates), refused on its field as the API does."""
    return [
        FieldError(field=name, message=reason)
        for name, values in posted.items()
        for value in values
        if (reason := unstorable(value)) is not None
    ]


def posted_values(form: FormData) -> dict[str, list[str]]:
    """Every posted name with its values, to fill the form again after a rejection."""
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}
