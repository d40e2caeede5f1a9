"""Erasure beyond the registers: a person's values leave every other table, counts intact.

A person is found by employee ID or email in the staff directory (every version). Their values
are that ID, each name and email they were known by, and the free texts of the records they
made (a report's narrative, a form's comment). Each is replaced wherever it appears: in source
records and their versions, the case projection and timeline, reviews, packs, form submissions and
the outbox. The employee ID becomes one random token, the same everywhere, so a worker's reports
still count once per worker and every aggregate stays as it was, while nothing kept links the token
to the person (the mapping is never stored). Names, emails and texts become ``[erased]``. A mail not
yet sent to the person is withdrawn (deleted): nobody is left to receive it.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import JSON, String, Table, Text, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from store import tables
from store.sources import content_hash

ERASED = "[erased]"
# Free-text fields of a record that belong to the person who made it (SOURCES.md feeds).
_OWN_TEXTS = ("narrative", "comment")
# Chained and signed: register payloads are erased by store.erasure, the rest stays as the chain
# needs it (see the README's Guarantees: an actor's ID in a register is the audit trail itself).
_SKIPPED = {tables.RegisterEntry.__tablename__, tables.RegisterHead.__tablename__}
_HASHED = {tables.SourceRecord.__tablename__, tables.SourceRecordVersion.__tablename__}


@dataclass
class Person:
    """What to replace, and with what (value -> replacement)."""

    employee_id: str
    replacements: dict[str, str] = field(default_factory=dict)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Any value as a whole word: ``W-100`` is not inside ``W-1000`` (built on first use,
        once every value is known)."""
        values = sorted(self.replacements, key=len, reverse=True)
        alternatives = "|".join(re.escape(v) for v in values)
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

    def text(self, value: str) -> str:
        return self.pattern.sub(lambda m: self.replacements[m.group(0)], value)

    def value(self, value: Any) -> Any:
        """``value`` (any JSON) with every occurrence replaced, dict keys included."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def mentioned_in(self, value: Any) -> bool:
        return bool(self.value(value) != value)


async def find_person(session: AsyncSession, person: str) -> Person | None:
    """The person named by ``person`` (employee ID or email) with every value to erase; None
    when the staff directory never knew them."""
    versions = tables.SourceRecordVersion
    rows = await session.scalars(
        select(versions).where(
            versions.feed == "staff-directory",
            or_(*contains_any(versions.content, [person])),
        )
    )
    staff = [
        r.content for r in rows if person in (r.content.get("employee_id"), r.content.get("email"))
    ]
    if not staff:
        return None
    employee_id = str(staff[0]["employee_id"])
    found = Person(employee_id, {employee_id: erasure_token()})
    for content in staff:
        for key in ("display_name", "email"):
            if content.get(key):
                found.replacements.setdefault(str(content[key]), ERASED)
    own = await session.scalars(
        select(versions.content).where(or_(*contains_any(versions.content, [employee_id])))
    )
    for content in own:
        if content.get("employee_id") == employee_id:
            for key in _OWN_TEXTS:
                if isinstance(content.get(key), str) and content[key].strip():
                    found.replacements.setdefault(content[key], ERASED)
    return found


def erasure_token() -> str:
    """A random stand-in for an erased employee ID (never stored beside the ID)."""
    return f"ERASED-{secrets.token_hex(6).upper()}"


def contains_any(column: Any, values: Iterable[str]) -> list[ColumnElement[bool]]:
    """SQL prefilter: the column's text holds a value as written or as JSON escapes it."""
    text = cast(column, String)
    forms = {form for v in values for form in (v, json.dumps(v)[1:-1])}
    return [text.contains(form, autoescape=True) for form in sorted(forms)]


def _searchable(table: Table) -> list[Any]:
    return [c for c in table.columns if isinstance(c.type, String | Text | JSON)]


async def erase_rows(session: AsyncSession, person: Person) -> dict[str, int]:
    """Replace the person's values in every table but the registers; rows changed per table."""
    changed: dict[str, int] = {}
    for table in tables.Base.metadata.sorted_tables:
        if table.name in _SKIPPED:
            continue
        if table.name == tables.OutboxMessage.__tablename__:
            changed["outbox withdrawn"] = await _withdraw_unsent(session, person)
        columns = _searchable(table)
        filters = [f for c in columns for f in contains_any(c, person.replacements)]
        rows = (await session.execute(select(table).where(or_(*filters)))).mappings().all()
        for row in rows:
            new = {c.name: person.value(row[c.name]) for c in columns if row[c.name] is not None}
            new = {k: v for k, v in new.items() if v != row[k]}
            if not new:
                continue
            if table.name in _HASHED and "content" in new:
                new["content_hash"] = content_hash(new["content"])
            keys = [c == row[c.name] for c in table.primary_key.columns]
            await session.execute(update(table).where(*keys).values(**new))
            changed[table.name] = changed.get(table.name, 0) + 1
    return {k: v for k, v in changed.items() if v}


async def _withdraw_unsent(session: AsyncSession, person: Person) -> int:
    """Delete the mails not yet sent to the person (their address is about to go)."""
    outbox = tables.OutboxMessage
    addresses = [v for v, r in person.replacements.items() if r == ERASED and "@" in v]
    if not addresses:
        return 0
    result = await session.execute(
        delete(outbox).where(outbox.sent_at.is_(None), outbox.recipient.in_(addresses))
    )
    return int(getattr(result, "rowcount", 0) or 0)
