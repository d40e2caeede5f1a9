"""Operator alerts: mail every administrator in the staff directory (deduplicated per alert)."""

from __future__ import annotations

from temporalio import activity

from activities.deps import ActivityDeps
from domain import names
from domain.alerts import AlertResult, ValuesAlert, alert_body, alert_subject
from domain.roles import Role
from store import outbox
from store.db import transaction
from store.staff import staff_with_role


class AlertActivities:
    """Alerts raised by workflows."""

    def __init__(self, deps: ActivityDeps) -> None:
        self.deps = deps

    @activity.defn(name=names.ACT_ALERT_VALUES)
    async def alert_values_failing(self, alert: ValuesAlert) -> AlertResult:
        """Queue one mail per administrator about a case's failing values (retry-safe)."""
        async with transaction(self.deps.sessions) as session:
            admins = await staff_with_role(session, Role.ADMINISTRATOR)
            ids = [
                await outbox.queue_message(
                    session,
                    dedupe_key=f"values:{alert.case_id}:{alert.step}:{admin.employee_id}",
                    recipient=admin.email,
                    subject=alert_subject(alert),
                    body=alert_body(alert),
                    at=alert.at,
                )
                for admin in admins
                if admin.email
            ]
        return AlertResult(notified=[a.employee_id for a in admins], message_ids=ids)
