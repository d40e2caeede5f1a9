"""The evidence pack's register verification: each register's last full verification as recorded
(``store.register_checks``), and only the entries added since the last recorded check verified
now (and recorded, as the registers page records its checks). The pack never verifies in full
(minutes for a long register): a register never verified in full is said to be so plainly, and
one is started (a Temporal workflow, ``api.register_runs``) for the next pack to rely on. The
pack never claims more than was checked: an entry altered after it was checked is found by the
next full verification, not by the pack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.anchors import every_temporal_anchor
from api.register_runs import start_verifications
from domain.report import Cell, Doc, local_minute, section, table, text
from domain.titles import capital
from store.evidence import Scope
from store.register_checks import FULL, check_new_entries, recorded
from store.register_verify import Anchor, service_public_key
from store.signing import public_key_hex
from store.tables import RegisterEntry, RegisterHead, RegisterVerification

MEANINGS: list[list[Cell]] = [
    ["Entries", "the register's length: the sequence number of its signed head (below)."],
    ["Entries in range", "entries recorded in the pack's date range."],
    [
        "Last full verification",
        "when (provider local time) every entry of the register was last read again from the "
        "first and checked — its link to the previous entry, its payload against its digest, "
        "its hash and the service's signature — and the outcome: the entries it covered, or "
        "the first entry that failed and why. It runs every night and on demand (the registers "
        "page's Verify in full; POST /registers/NAME/verifications), in the background. “never” "
        "when none has been recorded: this pack does not run one (it takes minutes for a long "
        "register) but starts one, and says whether it could.",
    ],
    [
        "Entries checked now",
        "how many entries this pack read and checked as it was built: those added since the "
        "last recorded check (0 when none were added), then the signed head and the heads "
        "anchored in Temporal. Older entries are not read again here.",
    ],
    [
        "Result",
        "ok, with which check covered which entries (the full verification; checks of new "
        "entries as they were added, on the registers page or by an earlier pack; this pack), "
        "or “not verified” for a register never checked at all (nothing is read for it now), "
        "or FAILS at the first bad entry, why, and which check found it. A failure stands until "
        "a full verification passes. An entry altered after it was checked is found by the "
        "next full verification, not by this pack.",
    ],
]


@dataclass(frozen=True, slots=True)
class Checked:
    """One register's verification as the pack states it."""

    before: RegisterVerification | None  # the record before this pack (None: never checked)
    after: RegisterVerification | None  # the record after this pack's check (None: as before)
    now: int  # entries this pack read and checked


async def _anchors(request: Request) -> tuple[dict[str, list[Anchor]], str]:
    found, where = await every_temporal_anchor(request.app)
    if where != "temporal anchor checked":
        return {}, capital(where)
    return found, f"Temporal anchor: {sum(map(len, found.values()))} signed head(s) checked"


async def check_register(
    session: AsyncSession, head: RegisterHead, before: RegisterVerification | None, *,
    at: datetime, anchors: list[Anchor],
) -> Checked:  # fmt: skip
    """Continue the register's recorded verification through its head (every new entry), and
    record it. A register never checked at all is not read (that would be a full verification,
    minutes long): the caller starts one."""
    if before is None:
        return Checked(None, None, 0)
    after = await check_new_entries(
        session, head.register, at=at, anchors=anchors, before=before, limit=None
    )
    if before.first_bad_seq is not None:
        return Checked(before, after, 0)  # a recorded failure stands: nothing re-read
    reached = after.verified_seq if after.first_bad_seq is None else after.first_bad_seq
    return Checked(before, after, max(0, min(reached, head.seq) - before.verified_seq))


def never_full(c: Checked) -> bool:
    """No full verification of the register has been recorded."""
    return c.after is None or c.after.full_at is None


def _span(first: int, last: int) -> str:
    return f"entry {first:,}" if first == last else f"entries {first:,} to {last:,}"


def full_words(c: Checked, zone: str, started: str) -> str:
    """The last full verification: when (local), through which entry, its outcome; or never,
    and the one this pack started (``started``)."""
    r = c.after
    if r is None or r.full_at is None:
        return f"never: {started}"
    when = local_minute(r.full_at, zone)
    if r.full_ok:
        return f"{when}: passed, {_span(1, r.full_seq or 0)}" if r.full_seq else f"{when}: passed"
    return f"{when}: FAILED at entry {r.first_bad_seq}"


def result_words(c: Checked, zone: str) -> str:
    """What was checked, by which check, or where and why it fails and what found it."""
    r = c.after
    if r is None:
        return "not verified: no check of this register has been recorded"
    if r.first_bad_seq is not None:
        if c.before is not None and c.before.first_bad_seq is None:
            by = "this pack's check of the new entries"
        elif r.found_by == FULL:
            by = f"the full verification of {local_minute(r.full_at, zone)}"
        else:
            by = f"the check of new entries of {local_minute(r.checked_at, zone)}"
        return f"FAILS at entry {r.first_bad_seq}: {r.reason}; found by {by}"
    full = r.full_seq if r.full_ok and r.full_seq else 0
    before = c.before.verified_seq if c.before else 0
    parts = [f"{_span(1, full)} by the full verification"] if full else []
    if before > full:
        parts.append(f"{_span(full + 1, before)} as they were added")
    if r.verified_seq > before:
        parts.append(f"{_span(before + 1, r.verified_seq)} now")
    return "ok: " + "; ".join(parts) if parts else "ok: no entries"


def started_words(run_at: datetime | None, why: str, zone: str) -> str:
    """What became of the full verification this pack asked for."""
    if run_at is None:
        return f"none could be started ({why or 'Temporal unavailable'})"
    when = local_minute(run_at, zone)
    return f"one was asked for at {when}; it runs in the background, the next pack shows it"


async def registers_section(
    session: AsyncSession, request: Request, scope: Scope, now: datetime
) -> Doc:
    """Every register's last full verification and the entries added since, verified now."""
    anchors, where = await _anchors(request)
    public = service_public_key(session)
    in_range = dict(
        (
            await session.execute(
                select(RegisterEntry.register, func.count())
                .where(
                    RegisterEntry.recorded_at >= scope.win.first,
                    RegisterEntry.recorded_at < scope.win.after,
                )
                .group_by(RegisterEntry.register)
            )
        ).all()
    )
    records = await recorded(session)
    zone = scope.win.zone
    checked: list[tuple[RegisterHead, Checked]] = []
    for head in await session.scalars(select(RegisterHead).order_by(RegisterHead.register)):
        c = await check_register(
            session, head, records.get(head.register), at=now,
            anchors=anchors.get(head.register, []),
        )  # fmt: skip
        checked.append((head, c))
    missing = [head.register for head, c in checked if never_full(c)]
    runs, why = await start_verifications(request.app, missing, now) if missing else ({}, "")
    rows: list[list[Cell]] = []
    signed: list[list[Cell]] = []
    for head, c in checked:
        signed.append([head.register, f"{head.seq}:{head.hash}:{head.signature}"])
        run = runs.get(head.register)
        started = started_words(run.requested_at if run else None, why, zone)
        rows.append(
            [
                head.register, head.seq, int(in_range.get(head.register, 0)),
                full_words(c, zone, started), c.now, result_words(c, zone),
            ]
        )  # fmt: skip
    return section(
        "Register verification",
        text(
            "Each register's hash chain, payload digests, entry signatures and signed head. A "
            "full verification reads every entry again; this pack does not repeat it but states "
            "when it last ran and what it found, and checks now only the entries added since "
            "the last recorded check. A register never verified in full is marked “never”: "
            "this pack starts one (in the background) rather than claim one. "
            f"{where}. Re-verify every entry yourself with "
            "`nearmiss registers verify` or GET /registers/NAME/verify."
        ),
        table(
            "Registers",
            [
                "Register",
                "Entries",
                "Entries in range",
                "Last full verification",
                "Entries checked now",
                "Result",
            ],
            rows,
            "No register has entries yet.",
        ),  # fmt: skip
        table("What each column means", ["Column", "Meaning"], MEANINGS),
        text(
            f"Signed checkpoint: the service's Ed25519 public key is {public_key_hex(public)}. "
            "Keep the heads below: `nearmiss registers verify NAME --head SEQ:HASH:SIGNATURE` "
            "(or GET /registers/NAME/verify?head=…) later shows whether a register still reaches "
            "them; one cut back or rewritten since this pack fails."
        ),
        table("Signed heads", ["Register (NAME)", "Signed head (SEQ:HASH:SIGNATURE)"], signed),
        anchor="registers",
    )
