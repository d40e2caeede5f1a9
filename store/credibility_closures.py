"""Example 3's month of closures, read by its review's statement (``store.credibility_review``).

The month's closures are the ``closed-case-register``'s rows closed in it and the cases the
service closed itself (read from its own tables by ``store.credibility.own_closures`` and passed
as one JSON parameter, ``own``; the service's own row wins over a register row with the same
``case_ref``). Also the statement's bind parameters and the summary's count of register rows.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Integer,
    and_,
    bindparam,
    false,
    func,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy import String as SqlString
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.credibility import CLOSED_REGISTER, CredibilityPolicy
from domain.feeds import ClosedCaseRegister
from store.review_sql import param, text
from store.source_fields import epoch_us
from store.tables import SourceRecord


def _month(row: Any) -> Any:
    return and_(
        row.feed == CLOSED_REGISTER,
        row.closed_at_us >= param("start_us"),
        row.closed_at_us < param("end_us"),
    )


def _register_fields(c: Any) -> dict[str, Any]:
    """A register row's own fields but its ``flags``, each from its typed column (PostgreSQL
    writes a register item's fields from these, with the review's values set on them)."""
    return {
        "case_ref": c.key,
        "reference": c.reference,
        "employee_id": c.employee_id,
        "service_line": c.service_line,
        "manager_line": c.manager_line,
        "closed_at": c.closed_at_iso,
        "closure_category": c.closure_category,
        "final_reviewing_role": c.final_reviewing_role,
        "last_employee_communication_at": c.last_employee_communication_at_iso,
    }


_REGISTER_FIELDS = tuple(_register_fields(SourceRecord))
assert {*_REGISTER_FIELDS, "flags"} == set(ClosedCaseRegister.model_fields)


def month_closures(dialect: str) -> Any:
    """Every closure of the month: ``ref, employee_id, closed_us, service, no_entry, source,
    origin, flags, base`` and the register row's own fields (``_REGISTER_FIELDS``, NULL for the
    service's rows). ``flags``: the closure's flags as JSON text. ``base``: the service's own
    row, and on SQLite the register row (PostgreSQL writes a register item's fields from its
    columns); ``source`` and ``origin`` are set on the item's fields with the review's own
    values."""
    c = aliased(SourceRecord, name="c")
    own = bindparam("own", type_=SqlString)
    own_base: Any
    own_flags: Any
    if dialect == "postgresql":
        elements = func.json_array_elements(sql_cast(own, JSON)).table_valued("value")

        def field(name: str) -> Any:
            return elements.c.value.op("->>")(text(name))

        own_base = sql_cast(elements.c.value.op("->")(text("row")), JSONB)
        own_flags = sql_cast(own_base.op("->")(text("flags")), SqlString)
    else:
        elements = func.json_each(own).table_valued("value")

        def field(name: str) -> Any:
            return func.json_extract(elements.c.value, text(f"$.{name}"))

        own_base = func.json_extract(elements.c.value, text("$.row"))
        own_flags = func.json_extract(elements.c.value, text("$.row.flags"))
    own_refs = select(field("case_ref")).select_from(elements)
    register = select(
        c.key.label("ref"),
        c.employee_id.label("employee_id"),
        c.closed_at_us.label("closed_us"),
        false().label("service"),
        false().label("no_entry"),
        text(CLOSED_REGISTER).label("source"),
        sql_cast(null(), SqlString).label("origin"),
        c.flags.label("flags"),
        sql_cast(null(), JSONB if dialect == "postgresql" else SqlString).label("base"),
        *(column.label(f"r_{name}") for name, column in _register_fields(c).items()),
    ).where(_month(c), c.key.not_in(own_refs.scalar_subquery()))
    service = select(
        field("case_ref"),
        field("employee_id"),
        sql_cast(field("closed_at_us"), BigInteger),
        true(),
        sql_cast(field("no_entry"), Integer) == 1,
        field("source"),
        field("origin_example"),
        own_flags,
        own_base,
        *(sql_cast(null(), SqlString) for _ in _REGISTER_FIELDS),
    ).select_from(elements)
    return union_all(register, service).subquery("cl")


def review_parameters(
    review_id: str,
    bounds: tuple[datetime, datetime],
    zone: str,
    policy: CredibilityPolicy,
    own: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The statement's bind parameters for one month's review."""
    closures = [
        {
            "case_ref": ref,
            "employee_id": row.get("employee_id"),
            "closed_at_us": epoch_us(row.get("closed_at")),
            # the service's own closure without its closure entry (a register row has none)
            "no_entry": int(row.get("source") == "service" and row.get("closure_entry_at") is None),
            "source": row.get("source"),
            "origin_example": row.get("origin_example"),
            "row": row,
        }
        for ref, row in own.items()
    ]
    return {
        "review_id": review_id,
        "start_us": epoch_us(bounds[0]),
        "end_us": epoch_us(bounds[1]),
        "zone": zone,
        "reopen_days": policy.reopen_days,
        "own": json.dumps(closures),
    }


async def register_count(
    session: AsyncSession, bounds: tuple[datetime, datetime], items: int, own: Collection[str]
) -> int:
    """How many ``closed-case-register`` rows closed in the month (own cases' included), from
    the review's ``items``: each such row not of an ``own`` case (the service's closures, an
    item each) is an item; the own cases' rows are looked up by key (none when the service
    closed none). Counting the month's register rows again took 20-70 ms of the build's serial
    time at 100k (bench/RESULTS.md, "Eleventh session — example 3")."""
    shadowed: int | None = 0
    if own:
        shadowed = await session.scalar(
            select(func.count())
            .select_from(SourceRecord)
            .where(_month(SourceRecord), SourceRecord.key.in_(list(own))),
            {"start_us": epoch_us(bounds[0]), "end_us": epoch_us(bounds[1])},
        )
    return items - len(own) + int(shadowed or 0)
