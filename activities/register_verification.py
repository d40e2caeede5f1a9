"""The nightly full verification's activity: every register verified again and recorded."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from temporalio import activity

from activities.deps import ActivityDeps
from domain import names
from domain.anchors import AnchorState, RegistersVerified
from store.anchors import queue_checkpoint_mails
from store.db import transaction
from store.register_checks import recorded, verify_in_full
from store.register_verify import Anchor
from store.tables import RegisterHead


class RegisterVerificationActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self.deps = deps

    async def _anchored(self) -> dict[str, list[Anchor]]:
        """The anchor workflow's signed heads (none when it cannot be asked: the database's
        own checks still run)."""
        if self.deps.client is None:
            return {}
        try:
            handle = self.deps.client.get_workflow_handle(names.REGISTER_ANCHOR_ID)
            state = await handle.query(names.QUERY_ANCHORS, result_type=AnchorState)
        except Exception:  # noqa: BLE001 - verification without the outside copy still runs
            return {}
        found: dict[str, list[Anchor]] = {}
        for h in state.anchored:
            found.setdefault(h.name, []).append(
                Anchor(h.name, h.seq, h.hash, h.signature, "temporal")
            )
        return found

    @activity.defn(name=names.ACT_VERIFY_REGISTERS)
    async def verify_registers(self) -> RegistersVerified:
        """Verify every register in full, one transaction each, and record each outcome; queue
        an alert to the inspectors when one fails. Retry-safe: a rerun verifies again and
        records the later outcome (the alert's dedupe key keeps it to one mail)."""
        anchored = await self._anchored()
        async with self.deps.sessions() as session:
            registers = list(
                await session.scalars(select(RegisterHead.register).order_by(RegisterHead.register))
            )
        out = RegistersVerified(registers=len(registers))
        for name in registers:
            activity.heartbeat(name)
            async with transaction(self.deps.sessions) as session:
                before = (await recorded(session)).get(name)
                at = datetime.now(UTC)
                result = await verify_in_full(
                    session, name, at=at, anchors=anchored.get(name, []), before=before
                )
            out.entries += result.entries
            if not result.ok:
                out.failed.append(f"{name}: entry {result.first_bad_seq} {result.reason}")
        if out.failed:
            async with transaction(self.deps.sessions) as session:
                problems = [f"full verification: {f}" for f in out.failed]
                out.message_ids = await queue_checkpoint_mails(
                    session, [], problems, datetime.now(UTC)
                )
        return out
