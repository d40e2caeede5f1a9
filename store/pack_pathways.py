"""The packs' pathway table: each case's latest pathway authorization (type, owner, deadlines),
its obligations opened and done (acceptance, actions), read once per pack and shown as one
report table."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.report import Cell, Doc, label, table
from store.driver_rows import kept_rows
from store.pack_common import PATHWAY_KINDS, CaseIds, Record, events_in, ids_param
from store.pack_deadlines import deadline_lines
from store.tables import RegisterEntry

OWNER_FIELDS = ("responsible_owner_id", "accountable_owner_id")


_PATHWAYS = (
    select(RegisterEntry.subject, RegisterEntry.payload)
    .where(RegisterEntry.subject.in_(ids_param()), RegisterEntry.kind.in_(PATHWAY_KINDS))
    .order_by(RegisterEntry.recorded_at)
)


async def pathways(session: AsyncSession, case_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Each case's latest pathway authorization (type, owner, deadlines) from its register."""
    if not case_ids:
        return {}
    rows = (await kept_rows(session, _PATHWAYS, {"ids": case_ids})).all()
    return {subject: dict(payload) for subject, payload in rows}


async def obligations(session: AsyncSession, case_ids: CaseIds) -> dict[str, dict[str, Any]]:
    """Per case: every obligation opened (key → deadline) and whether it is done."""
    events = await events_in(
        session,
        case_ids,
        ("obligation_opened", "step_submitted", "action_done", "pathway_accepted"),
        None,
    )
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    for e in events:
        if e.kind == "obligation_opened":
            found[e.case_id][e.detail["obligation"]] = {
                "deadline": e.detail["deadline"],
                "done": None,
            }
            continue
        key = (
            e.detail.get("step")
            if e.kind == "step_submitted"
            else f"action:{e.detail.get('action')}"
            if e.kind == "action_done"
            else "pathway-acceptance"
        )
        if key in found[e.case_id]:
            found[e.case_id][key]["done"] = e.at
    return found


@dataclass(frozen=True)
class Pathways:
    """A pathway table's rows, read: the cases, each one's latest authorization (type, owner,
    deadlines), its obligations and its owner's staff ID (named once every section's staff are
    known: a pack reads its staff names in one statement, ``names_of``)."""

    cases: list[Record]
    authorized: dict[str, dict[str, Any]]
    owed: dict[str, dict[str, Any]]
    owners: dict[str, str | None]

    @property
    def staff(self) -> set[str]:
        return {o for o in self.owners.values() if o}


async def pathway_reads(
    session: AsyncSession, cases: list[Record], owed: dict[str, dict[str, Any]] | None = None
) -> Pathways:
    """What ``pathway_table`` shows of those cases (``owed``: their obligations when the caller
    read them already, with other cases' or not)."""
    ids = [c.case_id for c in cases]
    authorized = await pathways(session, ids)
    if owed is None:
        owed = await obligations(session, ids)
    owners = {
        case.case_id: next(
            (p[f] for f in OWNER_FIELDS if (p := authorized.get(case.case_id, {})).get(f)), None
        )
        for case in cases
    }
    return Pathways(cases, authorized, owed, owners)


def pathway_table(read: Pathways, who: dict[str, str], zone: str, title: str) -> Doc:
    """Cases with their pathway type, owner, acceptance, actions and deadlines."""
    body: list[list[Cell]] = []
    for case in read.cases:
        pathway = read.authorized.get(case.case_id, {})
        owner = read.owners[case.case_id]
        body.append(
            [
                case.case_id,
                case.service_line,
                label(case.exposure),
                label(pathway.get("pathway_type")),
                who.get(owner, owner) if owner else "—",
                label(case.stage),
                deadline_lines(pathway, read.owed.get(case.case_id, {}), zone),
            ]
        )
    columns = [
        "Case",
        "Service line",
        "Exposure",
        "Pathway",
        "Owner",
        "Stage",
        "Actions and deadlines",
    ]
    return table(title, columns, body)
