"""Typed columns extracted from a source record's content at ingestion (migrations 0005, 0013,
0024).

Set-based reviews (``store.acknowledgment_review``, ``store.learning_audit``,
``store.credibility_review``) compare and subtract these columns in SQL instead of decoding every
record's JSON in Python. Field names are shared across feeds (every feed with an
``employee_id`` fills that column); a field a feed does not have is NULL.

Instants are integer microseconds since the Unix epoch (UTC): integer arithmetic is exact and
identical on SQLite and PostgreSQL (SQLite has no timestamp type; ``julianday`` floats would
round elapsed minutes differently at whole-minute boundaries). A stamp is an instant as the
content writes it (its ISO 8601 text, offset kept: column ``<field>_iso``) and a list of names
its JSON text: example 3 writes them back into each item's document as they came.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from pydantic_core import to_jsonable_python
from sqlalchemy import BigInteger, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.instants import instant

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# (field, kind) in column order. Kinds: an instant (column ``<field>_us``, epoch microseconds),
# a stamp (column ``<field>_iso``, the instant's text as in the content), text, a flag
# (boolean), a count (integer) or names (a list of strings as compact JSON text). Anything else
# in the content is NULL.
FIELDS: tuple[tuple[str, str], ...] = (
    # Migration 0005 (example 1's daily review).
    ("submitted_at", "instant"),
    ("first_acknowledged_at", "instant"),
    ("triage_completed_at", "instant"),
    ("employee_id", "text"),
    ("service_line", "text"),
    ("triage_owner_id", "text"),
    ("triage_status", "text"),
    ("risk_domain", "text"),
    ("manager_line", "text"),
    ("manager_reviewed", "flag"),
    ("unsafe_condition_active", "flag"),
    # Migration 0013 (example 2's audit, example 3's review).
    ("closed_at", "instant"),
    ("due_at", "instant"),
    ("completed_at", "instant"),
    ("feedback_to_reporter_at", "instant"),
    ("bulletin_issued_at", "instant"),
    ("reopened_at", "instant"),
    ("reference", "text"),
    ("corrective_action_ref", "text"),
    ("status", "text"),
    ("evidence_type", "text"),
    ("wider_relevance", "flag"),
    ("recurrence_within_30_days", "flag"),
    ("confirmed", "flag"),
    ("repeat_count_same_domain", "count"),
    # Migration 0024: the reviews' item documents, written without decoding the content
    # (example 3's, then example 1's, then example 2's bulletin log).
    ("closure_category", "text"),
    ("final_reviewing_role", "text"),
    ("closed_at", "stamp"),
    ("last_employee_communication_at", "stamp"),
    ("responded_at", "stamp"),
    ("reopened_at", "stamp"),
    ("flags", "names"),
    ("submitted_at", "stamp"),
    ("first_acknowledged_at", "stamp"),
    ("triage_completed_at", "stamp"),
    ("category_code", "text"),
    ("client_id", "text"),
    ("recurrence_risk", "flag"),
    ("feedback_to_reporter_at", "stamp"),
    ("bulletin_id", "text"),
)
_SUFFIX = {"instant": "_us", "stamp": "_iso"}

# Column names, in the order of ``typed_values``: instants get a ``_us`` suffix, stamps ``_iso``.
TYPED_COLUMNS: tuple[str, ...] = tuple(name + _SUFFIX.get(kind, "") for name, kind in FIELDS)
# PostgreSQL array types of the columns, in the same order (the bulk UPDATE of store.sources).
TYPED_ARRAY_TYPES: tuple[str, ...] = tuple(
    {
        "instant": "bigint",
        "stamp": "text",
        "text": "text",
        "flag": "boolean",
        "count": "int",
        "names": "text",
    }[kind]
    for _, kind in FIELDS
)


class TypedSourceColumns:
    """The typed columns of ``source_records`` (a mixin of ``store.tables.SourceRecord``)."""

    submitted_at_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    first_acknowledged_at_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    triage_completed_at_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    employee_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    service_line: Mapped[str | None] = mapped_column(String(128), nullable=True)
    triage_owner_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    triage_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    risk_domain: Mapped[str | None] = mapped_column(String(64), nullable=True)
    manager_line: Mapped[str | None] = mapped_column(String(128), nullable=True)
    manager_reviewed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    unsafe_condition_active: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    closed_at_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    due_at_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    completed_at_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    feedback_to_reporter_at_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    bulletin_issued_at_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reopened_at_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reference: Mapped[str | None] = mapped_column(String(128), nullable=True)
    corrective_action_ref: Mapped[str | None] = mapped_column(String(128), nullable=True)
    status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    evidence_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    wider_relevance: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    recurrence_within_30_days: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    confirmed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    repeat_count_same_domain: Mapped[int | None] = mapped_column(Integer, nullable=True)
    closure_category: Mapped[str | None] = mapped_column(String(128), nullable=True)
    final_reviewing_role: Mapped[str | None] = mapped_column(String(128), nullable=True)
    closed_at_iso: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_employee_communication_at_iso: Mapped[str | None] = mapped_column(
        String(64), nullable=True
    )
    responded_at_iso: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reopened_at_iso: Mapped[str | None] = mapped_column(String(64), nullable=True)
    flags: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_at_iso: Mapped[str | None] = mapped_column(String(64), nullable=True)
    first_acknowledged_at_iso: Mapped[str | None] = mapped_column(String(64), nullable=True)
    triage_completed_at_iso: Mapped[str | None] = mapped_column(String(64), nullable=True)
    category_code: Mapped[str | None] = mapped_column(String(128), nullable=True)
    client_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    recurrence_risk: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    feedback_to_reporter_at_iso: Mapped[str | None] = mapped_column(String(64), nullable=True)
    bulletin_id: Mapped[str | None] = mapped_column(String(128), nullable=True)


def epoch_us(value: datetime | str | None) -> int | None:
    """Microseconds since the epoch of an instant (ISO 8601 text or datetime; naive = UTC)."""
    moment = instant(value) if isinstance(value, datetime | str) else None
    return None if moment is None else (moment - _EPOCH) // _MICROSECOND


def _value(kind: str, value: Any) -> Any:
    return _CONVERT[kind](value) if value is not None else None


def _instant(value: Any) -> int | None:
    if value.__class__ is datetime and value.tzinfo is not None:  # a validated record's
        since = value - _EPOCH  # aware arithmetic: from the UTC instant; exact integers below
        return (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds
    return epoch_us(value)


def _stamp(value: Any) -> str | None:
    # A validated record holds a datetime: written as model_dump(mode="json") writes it.
    return to_jsonable_python(value) if isinstance(value, datetime) else _text(value)


def _names(value: Any) -> str | None:
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return json.dumps(list(value), separators=(",", ":"))
    return None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str) else None


# Each kind's conversion of a value that is not None (None is NULL whatever the kind).
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "instant": _instant,
    "stamp": _stamp,
    "names": _names,
    "text": _text,
    "flag": _flag,
    "count": _count,
}


def _typed(get: Callable[[str], Any]) -> tuple[Any, ...]:
    return tuple(_value(kind, get(name)) for name, kind in FIELDS)


def typed_from_content(content: dict[str, Any]) -> tuple[Any, ...]:
    """The typed columns of a stored record's JSON content (the backfill, SQLite writes)."""
    return _typed(content.get)


def typed_from_record(record: Any) -> tuple[Any, ...]:
    """The same columns from a validated feed model (ingestion: no JSON decoding). A feed model
    (extras forbidden) reads only the fields it declares, from its ``__dict__``: asking a
    pydantic model for a field it lacks costs an ``AttributeError`` in its ``__getattr__``,
    which made this function the slowest step of ingestion (about 8k rows/s)."""
    extract = _extractor(type(record))
    if extract is None:
        return _typed(lambda name: getattr(record, name, None))
    return extract(record.__dict__)


_Extract = Callable[[dict[str, Any]], tuple[Any, ...]]
_EXTRACTORS: dict[type, _Extract | None] = {}


def _extractor(model: type) -> _Extract | None:
    """A function of a pydantic model's ``__dict__`` giving its typed columns, written once per
    class from the FIELDS it declares (None for any other class: read attribute by attribute).

    Generated as one tuple expression: each declared field read once (an instant and its stamp
    share it), each column converted inline or by its kind's function, the others ``None``. A
    loop over (index, field, conversion) with a list filled in spent 8.9 µs/row on
    incident-platform rows; this, 4-5 (``bench/RESULTS.md``, "Twelfth session — ingestion").
    """
    if model not in _EXTRACTORS:
        declared = getattr(model, "model_fields", None)
        _EXTRACTORS[model] = _compile(declared) if isinstance(declared, dict) else None
    return _EXTRACTORS[model]


# Inline conversions of a value known not to be None (``v``); the same results as _CONVERT's.
_INLINE = {
    "text": "{v} if {v}.__class__ is str else _text({v})",
    "flag": "{v} if {v}.__class__ is bool else None",
}


def _compile(declared: dict[str, Any]) -> _Extract:
    names = list(dict.fromkeys(name for name, _ in FIELDS if name in declared))
    local = {name: f"v{i}" for i, name in enumerate(names)}
    columns = []
    for name, kind in FIELDS:
        if name not in local:
            columns.append("None")
            continue
        convert = _INLINE.get(kind, f"_{kind}({{v}})").format(v=local[name])
        columns.append(f"(None if {local[name]} is None else {convert})")
    source = "def extract(d):\n"
    source += "".join(f"    {local[name]} = d[{name!r}]\n" for name in names)
    source += f"    return ({', '.join(columns)},)\n"
    namespace: dict[str, Any] = {f"_{kind}": _CONVERT[kind] for kind in _CONVERT}
    exec(source, namespace)  # noqa: S102 (field names of the feed models, quoted by repr)
    return cast(_Extract, namespace["extract"])


def typed_dict(values: tuple[Any, ...]) -> dict[str, Any]:
    """``{column: value}`` for an executemany or an UPDATE."""
    return dict(zip(TYPED_COLUMNS, values, strict=True))
