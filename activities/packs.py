"""Pack activities: list the cases a pack makes visible, store its content and publication."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.deps import ActivityDeps
from domain import names
from domain.calendar import calendar_for
from domain.pack_periods import PeriodError, period_bounds
from domain.packs import PACKS
from domain.periodic import PackInput, PackSummary, PublishRequest
from store import packs as pack_store
from store.db import transaction


class PackActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self.deps = deps

    @activity.defn(name=names.ACT_GENERATE_PACK)
    async def generate_pack(self, inp: PackInput) -> PackSummary:
        """Generate the pack's content once (idempotent: an existing pack is returned)."""
        spec = PACKS[inp.kind]
        try:  # the API and the schedules only start valid periods; anything else fails at once
            period_bounds(inp.kind, inp.period, self.deps.cycle_anchor)
        except PeriodError as exc:
            raise ApplicationError(str(exc), type="InvalidPeriod", non_retryable=True) from None
        at = activity.info().scheduled_time
        calendar, anchor = calendar_for(self.deps.calendar), self.deps.cycle_anchor
        async with transaction(self.deps.sessions) as session:
            pack = await pack_store.get_pack(session, inp.kind, inp.period)
            if pack is None:
                ids = await pack_store.awaiting_cases(session, spec, inp.period, calendar, anchor)
                pack = await pack_store.create_pack(
                    session, spec, inp.period, ids, at, calendar, anchor
                )
            return pack_store.summary(pack)

    @activity.defn(name=names.ACT_PUBLISH_PACK)
    async def publish_pack(self, request: PublishRequest) -> PackSummary:
        """Publish: refresh the case list and content, record publisher and time (once)."""
        spec = PACKS[request.kind]
        calendar, anchor = calendar_for(self.deps.calendar), self.deps.cycle_anchor
        async with transaction(self.deps.sessions) as session:
            pack = await pack_store.get_pack(session, request.kind, request.period)
            if pack is None:
                pack = await pack_store.create_pack(
                    session, spec, request.period, [], request.at, calendar, anchor
                )
            if pack.published_at is None:
                ids = await pack_store.awaiting_cases(
                    session, spec, request.period, calendar, anchor
                )
                await pack_store.publish(
                    session, spec, pack, ids, request.actor, request.at, calendar, anchor
                )
            return pack_store.summary(pack)
