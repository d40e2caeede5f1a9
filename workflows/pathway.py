"""Generic pathway handling shared by every example: acceptance, actions, visibility, closure."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.cases import CloseRequest, TimelineEvent
    from domain.roles import Role

from workflows.case_base import CaseWorkflowBase
from workflows.engine import deliver, run_db

ACCEPTANCE = "pathway-acceptance"

# (action slug, title, deadline: ISO date -> close of business that day, ISO instant, or
# None -> close of business of the authorization day, for "same-day"/"immediate" actions)
ActionPlan = list[tuple[str, str, str | None]]


def noon_utc(day: date) -> datetime:
    """An instant inside DAY in any European zone: 'close of business' from it is that day's."""
    return datetime.combine(day, time(12), tzinfo=UTC)


class PathwayCaseWorkflow(CaseWorkflowBase):
    """A case with a pathway whose named owner accepts it and completes its actions."""

    async def open_pathway(
        self, owner: str, title: str, authorized_at: datetime, actions: ActionPlan
    ) -> list[asyncio.Task[object]]:
        """Open acceptance (1 working day) and each action's deadline; watchers run concurrently."""
        self.state.pathway_owner = owner
        await self.obligations.open(
            ACCEPTANCE,
            f"Accept the {title}",
            rule="1 working day",
            start=authorized_at,
            assignee=owner,
        )
        keys = []
        for action, action_title, when in actions:
            key = f"action:{action}"
            if when is None:
                await self.obligations.open(
                    key, action_title, rule="close of business", start=authorized_at, assignee=owner
                )
            elif len(when) <= 10:
                await self.obligations.open(
                    key,
                    action_title,
                    rule="close of business",
                    start=noon_utc(date.fromisoformat(when)),
                    assignee=owner,
                )
            else:
                await self.obligations.open_at(
                    key,
                    action_title,
                    deadline=datetime.fromisoformat(when),
                    rule="explicit",
                    version="explicit",
                    assignee=owner,
                )
            keys.append(key)
        await self.set_stage(ACCEPTANCE)
        return [asyncio.create_task(self.obligations.watch(k)) for k in keys]

    def visible_in_pack(self, kind: str) -> bool:
        return any(p.startswith(kind + "/") for p in self.state.visible_in)

    async def await_activation(self, pack_kind: str | None, active_stage: str) -> datetime:
        """Wait for acceptance, then (if required) publication in a pack; returns activation."""
        await self.obligations.watch(ACCEPTANCE)
        if pack_kind is not None and not self.visible_in_pack(pack_kind):
            await self.set_stage("awaiting-visibility")
            await workflow.wait_condition(lambda: self.visible_in_pack(pack_kind))
        await self.set_stage(active_stage)
        return workflow.now()

    async def close(self, category: str, final_role: Role) -> None:
        """Close the case, record closure, and ask the worker to confirm (employee confirmation)."""
        now = workflow.now()
        self.state.status = "closed"
        self.state.closure = {
            "category": category,
            "final_reviewing_role": final_role.value,
            "closed_at": now.isoformat(),
        }
        message_ids = await run_db(
            names.ACT_CLOSE_CASE,
            CloseRequest(
                case_id=self.state.case_id,
                reference=self.state.reference,
                example=self.state.example,
                category=category,
                final_reviewing_role=final_role.value,
                at=now,
                register_name=self.pathway_log,
            ),
            list[int],
        )
        await self.set_stage("closed")
        await self.project(
            TimelineEvent(at=now, kind="closed", actor="system", detail=self.state.closure)
        )
        delivery = deliver(message_ids if isinstance(message_ids, list) else [])
        if delivery is not None:
            await delivery  # the confirmation request must reach the worker before we finish
