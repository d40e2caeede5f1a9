"""Every register's signed head as a pack prints it: a reader keeps the heads and later checks
with `nearmiss registers verify NAME --head SEQ:HASH:SIGNATURE` that the register still reaches
them (a register cut back or rewritten since the pack was made fails)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.report import Cell, Doc, section, table, text
from store.anchors import signed_heads
from store.register_verify import service_public_key
from store.signing import public_key_hex

HEADS_CSV = ("register", "seq", "signed_head")


async def head_rows(session: AsyncSession) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per register with entries (its signed head), and a problem per head that is not
    the service's (printed, never hidden)."""
    heads, problems = await signed_heads(session)
    rows = [
        {"register": h.name, "seq": h.seq, "signed_head": f"{h.seq}:{h.hash}:{h.signature}"}
        for h in heads
        if h.seq > 0  # an empty register has nothing to anchor
    ]
    return rows, problems


async def signed_heads_section(
    session: AsyncSession, when: str
) -> tuple[Doc, list[dict[str, Any]]]:
    """The section (public key, how to verify, the heads as at ``when``) and its rows."""
    rows, problems = await head_rows(session)
    public = public_key_hex(service_public_key(session))
    cells: list[list[Cell]] = [[r["register"], r["signed_head"]] for r in rows]
    blocks = [
        text(
            f"Each register's head as signed by the service at {when}. Keep them: "
            "`nearmiss registers verify NAME --head SEQ:HASH:SIGNATURE --public-key KEY` (or "
            "GET /registers/NAME/verify?head=…) shows later whether the register still reaches "
            "its head; one cut back or rewritten since fails at the first missing or altered "
            f"entry. The service's Ed25519 public key (KEY) is {public}."
        ),
        table("Signed heads", ["Register (NAME)", "Signed head (SEQ:HASH:SIGNATURE)"], cells),
        *[text(f"Not signed by the service: {p}.") for p in problems],
    ]
    return section("Signed register heads", *blocks, anchor="signed-heads"), rows
