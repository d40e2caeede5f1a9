"""Pack activities: list the cases a pack makes visible, store its publication."""

from __future__ import annotations

from temporalio import activity

from activities.deps import ActivityDeps
from domain import names
from domain.cases import PackInput, PackSummary, PublishRequest
from domain.packs import AWAITING_VISIBILITY_STAGES, PACKS
from store import packs as pack_store
from store.cases import cases_at_stages
from store.db import transaction


class PackActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self.deps = deps

    @activity.defn(name=names.ACT_GENERATE_PACK)
    async def generate_pack(self, inp: PackInput) -> PackSummary:
        """Generate the pack's content once (idempotent: an existing pack is returned)."""
        spec = PACKS[inp.kind]
        at = activity.info().scheduled_time
        async with transaction(self.deps.sessions) as session:
            pack = await pack_store.get_pack(session, inp.kind, inp.period)
            if pack is None:
                case_ids = await cases_at_stages(session, spec.example, AWAITING_VISIBILITY_STAGES)
                pack = await pack_store.create_pack(session, spec, inp.period, case_ids, at)
            return pack_store.summary(pack)

    @activity.defn(name=names.ACT_PUBLISH_PACK)
    async def publish_pack(self, request: PublishRequest) -> PackSummary:
        """Publish: refresh the case list, record publisher and time (first publication kept)."""
        spec = PACKS[request.kind]
        async with transaction(self.deps.sessions) as session:
            pack = await pack_store.get_pack(session, request.kind, request.period)
            if pack is None:
                pack = await pack_store.create_pack(session, spec, request.period, [], request.at)
            if pack.published_at is None:
                case_ids = await cases_at_stages(session, spec.example, AWAITING_VISIBILITY_STAGES)
                await pack_store.publish(session, spec, pack, case_ids, request.actor, request.at)
            return pack_store.summary(pack)
