"""The full verification's activity: the registers asked for (nightly: every one) verified again
and recorded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy import select
from temporalio import activity
from temporalio.client import RPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from activities.deps import ActivityDeps
from domain import names
from domain.anchors import (
    ANCHOR_QUERY_TIMEOUT,
    AnchorState,
    RegistersVerified,
    RegisterVerificationInput,
)
from store.anchors import queue_checkpoint_mails
from store.db import transaction
from store.register_checks import recorded, verify_in_full
from store.register_verify import Anchor, anchors_by_register
from store.tables import RegisterHead

HEARTBEAT_EVERY = 20.0  # seconds; the workflow's heartbeat timeout is a few times this
ANCHOR_UNANSWERED = "AnchorQueryUnanswered"  # the ApplicationError type; retried by the policy
_TIMED_OUT = frozenset({RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED})


def temporal_now(started: float) -> datetime:
    """Now on Temporal's clock (the time-skipping server's in tests, as every activity reads
    it): this attempt's scheduled time plus the time it has run."""
    elapsed = timedelta(seconds=time.monotonic() - started)
    return activity.info().current_attempt_scheduled_time + elapsed


@asynccontextmanager
async def heartbeating(every: float = HEARTBEAT_EVERY) -> AsyncIterator[None]:
    """Heartbeat while the body runs: one register of millions of entries takes many minutes,
    and without a heartbeat a crashed worker's run would be retried only at its 6 h limit."""

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(every)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()


class RegisterVerificationActivities:
    def __init__(
        self, deps: ActivityDeps, anchor_timeout: timedelta = ANCHOR_QUERY_TIMEOUT
    ) -> None:
        self.deps = deps
        self.anchor_timeout = anchor_timeout

    async def _anchored(self) -> dict[str, list[Anchor]]:
        """The anchor workflow's signed heads; none when there is no client or no anchor
        workflow was ever started (nothing outside the database to check against). A query
        that times out or fails raises a retryable ``ANCHOR_UNANSWERED`` error: a pass is never
        recorded without the anchor check the workflow exists to give, and the workflow's retry
        policy asks again (its last failure leaves the recorded verification as it was)."""
        if self.deps.client is None:
            return {}
        handle = self.deps.client.get_workflow_handle(names.REGISTER_ANCHOR_ID)
        seconds = self.anchor_timeout.total_seconds()
        try:
            # wait_for too: the client retries an unreachable server past its rpc_timeout.
            state = await asyncio.wait_for(
                handle.query(
                    names.QUERY_ANCHORS, result_type=AnchorState, rpc_timeout=self.anchor_timeout
                ),
                seconds + 1,
            )
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                return {}
            if exc.status not in _TIMED_OUT:
                raise
            raise self._unanswered(seconds) from exc
        except (RPCTimeoutOrCancelledError, TimeoutError) as exc:
            raise self._unanswered(seconds) from exc
        return anchors_by_register(state)

    @staticmethod
    def _unanswered(seconds: float) -> ApplicationError:
        return ApplicationError(
            f"the anchor workflow did not answer its query in {seconds:g} s",
            type=ANCHOR_UNANSWERED,
        )

    @activity.defn(name=names.ACT_VERIFY_REGISTERS)
    async def verify_registers(
        self, request: RegisterVerificationInput | None = None
    ) -> RegistersVerified:
        """Verify the registers named (none: every register) in full, one transaction each, and
        record each outcome; queue an alert to the inspectors when one fails. Retry-safe: a
        rerun verifies again and records the later outcome (the alert's dedupe key keeps it to
        one mail). A name with no register is skipped (nothing to verify)."""
        started = time.monotonic()
        async with heartbeating():
            return await self._verify_all(started, request or RegisterVerificationInput())

    async def _verify_all(
        self, started: float, request: RegisterVerificationInput
    ) -> RegistersVerified:
        anchored = await self._anchored()
        query = select(RegisterHead.register).order_by(RegisterHead.register)
        if request.registers:
            query = query.where(RegisterHead.register.in_(request.registers))
        async with self.deps.sessions() as session:
            registers = list(await session.scalars(query))
        out = RegistersVerified(registers=len(registers))
        for name in registers:
            async with transaction(self.deps.sessions) as session:
                before = (await recorded(session)).get(name)
                at = temporal_now(started)
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
                    session, [], problems, temporal_now(started), self.deps.calendar.timezone
                )
        return out
