"""The anchor activity: read every register's signed head, check earlier anchors, mail them."""

from __future__ import annotations

from temporalio import activity

from activities.deps import ActivityDeps
from domain import names
from domain.anchors import AnchorRequest, AnchorResult
from store.anchors import anchor_violations, queue_checkpoint_mails, signed_heads
from store.db import transaction


class AnchorActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self.deps = deps

    @activity.defn(name=names.ACT_ANCHOR_HEADS)
    async def anchor_register_heads(self, request: AnchorRequest) -> AnchorResult:
        """Signed heads now, each earlier anchor the database lost, and checkpoint mails queued
        (one a day per inspector; an alert at once when something is wrong)."""
        async with transaction(self.deps.sessions) as session:
            heads, problems = await signed_heads(session)
            problems += await anchor_violations(session, request.anchored)
            ids = await queue_checkpoint_mails(
                session, heads, problems, request.at, self.deps.calendar.timezone
            )
        return AnchorResult(heads=heads, violations=problems, message_ids=ids)
