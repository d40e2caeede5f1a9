"""`nearmiss registers verify [NAME]` and `nearmiss registers public-key`."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from config.settings import Settings
from domain import names
from domain.anchors import AnchorState
from infra.temporal import connect
from store.db import make_engine, make_sessionmaker
from store.register_verify import Anchor, ChainVerification, verify_chain
from store.signing import head_signature_ok, load_public_key, public_key_hex, signing_key
from store.tables import RegisterHead


def run_public_key() -> None:
    """Print the public half of the configured signing key."""
    typer.echo(public_key_hex(signing_key(Settings().signing_key)))


async def _temporal_anchors(settings: Settings) -> tuple[list[Anchor], str]:
    try:
        client = await asyncio.wait_for(connect(settings), 5)
        state = await client.get_workflow_handle(names.REGISTER_ANCHOR_ID).query(
            names.QUERY_ANCHORS, result_type=AnchorState, rpc_timeout=timedelta(seconds=5)
        )
    except Exception as exc:  # noqa: BLE001 - the database checks still run
        return [], f"temporal anchor unavailable ({type(exc).__name__})"
    anchors = [Anchor(h.name, h.seq, h.hash, h.signature, "temporal") for h in state.anchored]
    return anchors, f"temporal anchor: {len(anchors)} head(s)"


def _given(heads: list[str], registers: list[str], key: Ed25519PublicKey) -> list[Anchor]:
    """Each ``SEQ:HASH:SIGNATURE`` as an anchor of the register whose head it is signed as."""
    anchors = []
    for head in heads:
        seq, _, rest = head.partition(":")
        hash_, _, signature = rest.partition(":")
        if not seq.isdigit() or not signature:
            raise typer.BadParameter(f"{head!r}: expected SEQ:HASH:SIGNATURE", param_hint="--head")
        owner = next(
            (r for r in registers if head_signature_ok(key, r, int(seq), hash_, signature)), None
        )
        if owner is None:
            raise typer.BadParameter(f"{head!r}: not signed by the service", param_hint="--head")
        anchors.append(Anchor(owner, int(seq), hash_, signature, "the given head"))
    return anchors


async def _verify_all(
    settings: Settings, name: str | None, heads: list[str], public_hex: str | None
) -> list[ChainVerification]:
    key = (
        load_public_key(public_hex)
        if public_hex
        else signing_key(settings.signing_key).public_key()
    )
    anchors, where = await _temporal_anchors(settings)
    typer.echo(where)
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine, settings.signing_key)() as session:
            known = list(await session.scalars(select(RegisterHead.register)))
            registers = [name] if name else known
            anchors += _given(heads, registers, key)
            return [
                await verify_chain(
                    session, r, public=key, anchors=[a for a in anchors if a.register == r]
                )
                for r in registers
            ]
    finally:
        await engine.dispose()


def run_verify(name: str | None, heads: list[str], public_hex: str | None) -> None:
    """Verify and print one line per register; exit 1 when any fails."""
    results = asyncio.run(_verify_all(Settings(), name, heads, public_hex))
    for r in results:
        anchored = f", anchored to seq {r.anchored_seq}" if r.anchored_seq else ""
        if r.ok:
            typer.echo(f"{r.register}: ok, {r.entries} entries{anchored}")
        else:
            typer.echo(f"{r.register}: FAILS at entry {r.first_bad_seq}: {r.reason}{anchored}")
    if not results or not all(r.ok for r in results):
        raise typer.Exit(1)
