"""Signed register heads for anchoring, checks against earlier anchors, and checkpoint mails."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.anchors import AnchoredHead
from domain.report import day_words
from domain.roles import Role
from store import outbox, tables
from store.driver_rows import kept_rows
from store.registers import service_key
from store.signing import head_signature_ok, public_half, public_key_hex
from store.staff import staff_with_role

CHECKPOINT_PREFIX = "checkpoint:"


@lru_cache(maxsize=1024)
def _signed_by(key: Ed25519PrivateKey, register: str, seq: int, hash_: str, sig: str) -> bool:
    """``head_signature_ok`` with ``key``'s public half, remembered: a pack prints every head,
    and a head (its seq, hash and signature, all in the key) is checked once per process, not
    once per pack built (~0.3 ms each)."""
    return head_signature_ok(public_half(key), register, seq, hash_, sig)


_HEAD = tables.RegisterHead
_HEADS = select(_HEAD.register, _HEAD.seq, _HEAD.hash, _HEAD.signature).order_by(_HEAD.register)


async def signed_heads(session: AsyncSession) -> tuple[list[AnchoredHead], list[str]]:
    """Every register's head whose signature is the service's, and a problem per other head."""
    key = service_key(session)
    heads, problems = [], []
    await session.flush()  # a Core read (store.driver_rows.kept_rows): no autoflush of its own
    for register, seq, hash_, signature in await kept_rows(session, _HEADS, {}):
        head = AnchoredHead(name=register, seq=seq, hash=hash_, signature=signature)
        if seq == 0 or _signed_by(key, register, seq, hash_, signature):
            heads.append(head)
        else:
            problems.append(f"{register}: head seq {seq} is not signed by the service")
    return heads, problems


async def anchor_violations(session: AsyncSession, anchored: list[AnchoredHead]) -> list[str]:
    """Each earlier anchor the database no longer holds (entry gone or changed)."""
    problems = []
    for anchor in anchored:
        stored = await session.scalar(
            select(tables.RegisterEntry.hash).where(
                tables.RegisterEntry.register == anchor.name,
                tables.RegisterEntry.seq == anchor.seq,
            )
        )
        if stored != anchor.hash:
            state = "is missing" if stored is None else "has changed"
            problems.append(f"{anchor.name}: anchored entry seq {anchor.seq} {state}")
    return problems


def checkpoint_body(heads: list[AnchoredHead], public_key: str, problems: list[str]) -> str:
    """The text of a checkpoint mail: every signed head and how to check it without a secret."""
    lines = [
        "Signed register heads (Ed25519; service public key below). Keep this mail: a register",
        "that no longer reaches a head listed here has been cut back.",
        "",
        f"public key: {public_key}",
        "",
    ]
    lines += [f"{h.name} seq {h.seq} hash {h.hash} signature {h.signature}" for h in heads]
    lines += ["", "Check: nearmiss registers verify NAME --head SEQ:HASH:SIGNATURE"]
    if problems:
        lines += ["", "PROBLEMS FOUND:", *problems]
    return "\n".join(lines) + "\n"


async def queue_checkpoint_mails(
    session: AsyncSession,
    heads: list[AnchoredHead],
    problems: list[str],
    at: datetime,
    tz: str = "UTC",
) -> list[int]:
    """Queue today's checkpoint (or an alert) to every inspector; ids of all unsent checkpoints.
    The subject names the provider's local day in words ("Register checkpoint, Mon 7 Dec
    2026"); the once-a-day key stays the UTC date, as before."""
    if heads or problems:
        public = public_key_hex(service_key(session))
        key = f"{at.date().isoformat()}" if not problems else f"alert:{len(problems)}:{problems[0]}"
        subject = "Register checkpoint" if not problems else "ALERT: register tampering detected"
        for member in await staff_with_role(session, Role.INSPECTOR, on=at.date()):
            await outbox.queue_message(
                session,
                dedupe_key=f"{CHECKPOINT_PREFIX}{key}:{member.employee_id}"[:300],
                recipient=member.email,
                subject=f"{subject}, {day_words(at.astimezone(ZoneInfo(tz)).date())}",
                body=checkpoint_body(heads, public, problems),
                at=at,
            )
    pending = await outbox.unsent(session)
    return [m.id for m in pending if m.dedupe_key.startswith(CHECKPOINT_PREFIX)]
