"""A review item's ``fields`` document, rendered on read: the one expression every reader of
``review_items.fields`` goes through (``ReviewItem.fields`` is it, as a column property).

Example 2 (and example 3's closures the service made itself, and example 1's items stored before
migration 0033) store their document in the ``fields`` column, returned as it is. Example 1's
items (migration 0033) store their values as typed columns (``ACK_VALUES``, their yes/no values
and indicators as bits of ``ack_bits``, which is set for them alone) and the document is rendered
from them as the review's statement built it (``json_document`` in ``ITEM_FIELDS``' order), byte
for byte the text it stored before. Example 3's register closures (migration 0028) store no
document: the review writes the closure's own values and its findings as typed columns
(``ITEM_VALUES``, the flags, credibility reasons and yes/no answers as bits of ``item_bits``)
and the document is rendered from them, equal to what the review stored before: on PostgreSQL
byte for byte the text the ``jsonb`` merge stored (``review_sql.jsonb_form``), on SQLite the
``json_set`` of the register row's canonical content (keys sorted) with the review's values
appended in their order. Building and validating ~1 KB of JSON per item was the largest part of
the review's statement (bench/RESULTS.md, "Ninth session — example 3's review").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Integer,
    String,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    null,
    true,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from domain.acknowledgment import ITEM_FIELDS
from domain.credibility import CLOSED_REGISTER, FLAGS

# The typed columns of an example-3 register item (``review_items``), in ``ItemFields``' order
# after ``fields``, ``reference`` and ``employee_id``.
ITEM_VALUES = (
    "closure_reference",
    "service_line",
    "manager_line",
    "closed_at_iso",
    "closure_category",
    "final_reviewing_role",
    "last_communication_iso",
    "responded_at_iso",
    "reopened_at_iso",
    "evidence_type",
    "days_to_reopen",
    "item_bits",
)
# The item's credibility reasons in the order the review lists them.
REASONS = (
    "reopened_within_30_days",
    "employee_answered_not_resolved",
    "no_employee_confirmation",
    "no_final_action_evidence",
    "final_action_evidence_none",
)
FLAG_NAMES = tuple(sorted(FLAGS))
# Bits of ``item_bits``: each flag, each credibility reason, then the answers (a yes/no that may
# be unknown has a bit for yes and one for no; neither: null).
FLAG_BIT = {name: 1 << n for n, name in enumerate(FLAG_NAMES)}
REASON_BIT = {name: 1 << (len(FLAG_NAMES) + n) for n, name in enumerate(REASONS)}
_ANSWERS = ("received", "confirmed", "not_confirmed", "within", "not_within")
ANSWER_BIT = {name: 1 << (len(FLAG_NAMES) + len(REASONS) + n) for n, name in enumerate(_ANSWERS)}


# The typed columns of an example-1 item, after ``ITEM_VALUES``' in ``ItemFields``' order (with
# ``reference``, ``employee_id``, ``service_line`` and ``manager_line``, shared with example 3).
ACK_VALUES = (
    "submitted_at_iso",
    "category_code",
    "first_acknowledged_iso",
    "triage_completed_iso",
    "triage_status",
    "client_id",
    "risk_domain",
    "triage_owner_id",
    "ack_elapsed_min",
    "triage_elapsed_min",
    "ack_bits",
)
# Bits of ``ack_bits``: the two yes/no values (a bit for yes, one for no; neither: null), whether
# the item has indicators (not an exception), then each indicator in the review's order.
ACK_YES_NO = {
    "recurrence_risk": (1, 2),
    "unsafe_condition_active": (4, 8),
}
ACK_CLASSIFIED = 16
ACK_INDICATORS = (
    "ack_over_threshold",
    "triage_over_threshold",
    "no_named_triage_owner",
    "manager_not_reviewed",
    "unsafe_condition_while_triage_incomplete",
)
ACK_INDICATOR_BIT = {name: 32 << n for n, name in enumerate(ACK_INDICATORS)}
# ``ItemFields``' arguments, by name, in order.
DOCUMENT_COLUMNS = ("fields", "reference", "employee_id", *ITEM_VALUES, *ACK_VALUES)


class ItemFields(FunctionElement[Any]):
    """``fields`` as stored, or rendered from the typed columns when none is (arguments:
    ``DOCUMENT_COLUMNS``, or those before ``ACK_VALUES``)."""

    name = "item_fields"
    type = JSON()
    inherit_cache = True


def _text(value: str) -> Any:
    return literal(value, String)


def _has(bits: Any, bit: int) -> Any:
    return bits.op("&")(literal_column(str(bit))) != 0


def _names(bits: Any, named: dict[str, int], *, spaced: bool) -> Any:
    from store.review_sql import json_list

    return json_list([case((_has(bits, b), _text(n))) for n, b in named.items()], spaced=spaced)


def _answer(bits: Any, yes: int, no: int | None) -> Any:
    """JSON ``true`` / ``false`` / ``null`` text of a yes/no answer (``no`` None: never null)."""
    if no is None:
        return case((_has(bits, yes), _text("true")), else_=_text("false"))
    return case((_has(bits, yes), _text("true")), (_has(bits, no), _text("false")), else_=null())


def rendered(dialect: str, columns: dict[str, Any]) -> Any:
    """The register item's document from its typed columns (``columns``: by name)."""
    from store.review_sql import as_json, jsonb_form

    bits = columns["item_bits"]
    register = {
        "case_ref": columns["reference"],
        "reference": columns["closure_reference"],
        "employee_id": columns["employee_id"],
        "service_line": columns["service_line"],
        "manager_line": columns["manager_line"],
        "closed_at": columns["closed_at_iso"],
        "closure_category": columns["closure_category"],
        "final_reviewing_role": columns["final_reviewing_role"],
        "last_employee_communication_at": columns["last_communication_iso"],
    }
    spaced = dialect == "postgresql"

    def raw(value: Any) -> Any:  # JSON text, embedded as it is
        return type_coerce(value, JSON) if spaced else func.json(value)

    added = {
        "source": cast(_text(CLOSED_REGISTER), String),
        "origin_example": cast(null(), String),
        "flags": raw(_names(bits, FLAG_BIT, spaced=spaced)),
        "confirmation_received": raw(_answer(bits, ANSWER_BIT["received"], None)),
        "confirmed": raw(
            _answer(bits, ANSWER_BIT["confirmed"], ANSWER_BIT["not_confirmed"]),
        ),
        "confirmation_responded_at": columns["responded_at_iso"],
        "reopened_within_30_days": raw(
            _answer(bits, ANSWER_BIT["within"], ANSWER_BIT["not_within"]),
        ),
        "reopened_at": columns["reopened_at_iso"],
        "days_to_reopen": type_coerce(columns["days_to_reopen"], Integer),
        "evidence_type": columns["evidence_type"],
        "credibility_reasons": raw(_names(bits, REASON_BIT, spaced=spaced)),
    }
    if spaced:
        return jsonb_form(register | added)
    # SQLite: the content's keys sorted (canonical JSON), its flags removed, then the review's.
    pairs = [p for name in sorted(register) for p in (_text(name), register[name])]
    pairs += [p for name, value in added.items() for p in (_text(name), value)]
    return as_json(dialect, func.json_object(*pairs))


def ack_values(dialect: str, columns: dict[str, Any]) -> dict[str, Any]:
    """An example-1 item's document values, by name, from its typed columns (``columns``): each
    of the type the review's statement wrote it with, so ``json_document`` writes the same text."""
    from store.review_sql import json_list, json_text

    bits = columns["ack_bits"]

    def yes_no(name: str) -> Any:  # as ``review_sql.json_bool`` writes the value
        yes, no = ACK_YES_NO[name]
        if dialect == "postgresql":
            return case((_has(bits, yes), true()), (_has(bits, no), false()), else_=null())
        return func.json(
            case((_has(bits, yes), _text("true")), (_has(bits, no), _text("false")), else_=null())
        )

    classified = _has(bits, ACK_CLASSIFIED)
    indicators = json_list([case((_has(bits, b), _text(n))) for n, b in ACK_INDICATOR_BIT.items()])
    count = sum(
        (case((_has(bits, b), 1), else_=0) for b in ACK_INDICATOR_BIT.values()),
        literal(0, Integer),
    )
    return {
        "reference": columns["reference"],
        "employee_id": columns["employee_id"],
        "submitted_at": columns["submitted_at_iso"],
        "category_code": columns["category_code"],
        "first_acknowledged_at": columns["first_acknowledged_iso"],
        "triage_completed_at": columns["triage_completed_iso"],
        "triage_status": columns["triage_status"],
        "client_id": columns["client_id"],
        "risk_domain": columns["risk_domain"],
        "triage_owner_id": columns["triage_owner_id"],
        "recurrence_risk": yes_no("recurrence_risk"),
        "ack_elapsed_min": type_coerce(columns["ack_elapsed_min"], Integer),
        "triage_elapsed_min": type_coerce(columns["triage_elapsed_min"], Integer),
        "service_line": columns["service_line"],
        "manager_line": columns["manager_line"],
        "unsafe_condition_active": yes_no("unsafe_condition_active"),
        "indicators": case((classified, json_text(dialect, indicators)), else_=null()),
        "indicator_count": case((classified, count), else_=null()),
    }


def _columns(element: ItemFields) -> dict[str, Any]:
    """The arguments by name: all of ``DOCUMENT_COLUMNS``, or those before ``ACK_VALUES`` (the
    schema before migration 0033: 0028's downgrade renders register items with it)."""
    clauses = list(element.clauses)
    assert len(clauses) in (len(DOCUMENT_COLUMNS), len(DOCUMENT_COLUMNS) - len(ACK_VALUES))
    return dict(zip(DOCUMENT_COLUMNS, clauses, strict=False))


@compiles(ItemFields)
def _compile(element: ItemFields, compiler: SQLCompiler, **kw: Any) -> str:
    from store.review_sql import json_document

    columns = _columns(element)
    dialect = compiler.dialect.name
    typed = rendered(dialect, columns)
    if "ack_bits" in columns:
        ack = ack_values(dialect, columns)
        ack_document = json_document(dialect, {name: ack[name] for name in ITEM_FIELDS})
        typed = case((columns["ack_bits"].is_not(None), ack_document), else_=typed)
    document = func.coalesce(columns["fields"], typed, type_=JSON)
    # Its constants inline: the same SQL text wherever it is used (a GROUP BY repeats it).
    return compiler.process(document, **(kw | {"literal_binds": True}))


# The document's string keys a register item holds in a typed column, and that column.
TYPED_TEXT = {
    "case_ref": "reference",
    "reference": "closure_reference",
    "employee_id": "employee_id",
    "service_line": "service_line",
    "manager_line": "manager_line",
    "closed_at": "closed_at_iso",
    "closure_category": "closure_category",
    "final_reviewing_role": "final_reviewing_role",
    "last_employee_communication_at": "last_communication_iso",
    "confirmation_responded_at": "responded_at_iso",
    "reopened_at": "reopened_at_iso",
    "evidence_type": "evidence_type",
}


# The document's string keys an example-1 item holds in a typed column, and that column.
ACK_TEXT = {
    "reference": "reference",
    "employee_id": "employee_id",
    "submitted_at": "submitted_at_iso",
    "category_code": "category_code",
    "first_acknowledged_at": "first_acknowledged_iso",
    "triage_completed_at": "triage_completed_iso",
    "triage_status": "triage_status",
    "client_id": "client_id",
    "risk_domain": "risk_domain",
    "triage_owner_id": "triage_owner_id",
    "service_line": "service_line",
    "manager_line": "manager_line",
}


def item_text(item: Any, name: str) -> Any:
    """The string value of ``name`` in a review item's document (``item``: the ``ReviewItem``
    class or an alias), as ``item.fields[name].as_string()`` gives it. A register closure's
    (or an example-1 item's) key with a typed column is read from the column, not from its
    rendered document: rendering ~1 KB of JSON per item to read one value made such reads of a
    whole review slower than when the document was stored (bench/RESULTS.md, "Tenth session —
    example 3's review")."""
    stored = item.fields[name].as_string()
    column, ack = TYPED_TEXT.get(name), ACK_TEXT.get(name)
    if column is None and ack is None:
        return stored
    return case(
        (item.stored_fields.is_not(None), item.stored_fields[name].as_string()),
        (item.ack_bits.is_not(None), stored if ack is None else getattr(item, ack)),
        else_=stored if column is None else getattr(item, column),
    )
