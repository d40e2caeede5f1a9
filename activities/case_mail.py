"""The case workflows' mails: "this is now yours" to whoever owes a newly opened obligation
(one mail per pathway to its owner, listing every action), "the pathway changed hands" to both
owners, and the delivery of queued mails (each marked sent
once the server takes it; retried until every one is)."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.deps import ActivityDeps
from activities.vacancies import alert_administrators
from domain import names, notices
from domain.cases import ObligationNotice, PathwayNotice, ReassignmentNotice
from infra import mail
from store import outbox
from store.cases import case_reference
from store.db import transaction
from store.pathways import owed_by
from store.staff import StaffMember, get_staff, staff_with_role


class CaseMail:
    """The mail activities of the case workflows (``CaseActivities`` has them too)."""

    def __init__(self, deps: ActivityDeps) -> None:
        self.deps = deps

    @activity.defn(name=names.ACT_NOTIFY_OPENED)
    async def notify_obligation_opened(self, notice: ObligationNotice) -> int:
        """Mail "this is now yours" to the named owner, else the role's holders, and send it.

        Queueing is idempotent per obligation, opening and person; a retry only re-sends what
        the server has not yet taken.
        """
        async with transaction(self.deps.sessions) as session:
            ids = await self.queue_opened(session, notice)
        return await self.deliver_notifications(ids) if ids else 0

    async def queue_opened(self, session: AsyncSession, notice: ObligationNotice) -> list[int]:
        """Queue NOTICE's mails (once per obligation, opening and person); their IDs."""
        mail_cfg = self.deps.mail
        ids = []
        owers = await self._owers(session, notice)
        reference = await case_reference(session, notice.subject)  # example 3's by its report
        if not owers and (notice.assignee or notice.role):  # nobody can do it: tell admins
            ids += await alert_administrators(session, notice, mail_cfg.public_url, reference)
        for member in owers:
            ids.append(
                await outbox.queue_message(
                    session,
                    dedupe_key=f"opened:{notice.subject}:{notice.obligation}:"
                    f"{notice.opened_at.isoformat()}:{member.employee_id}",
                    recipient=member.email,
                    subject=notices.opened_subject(notice, reference),
                    body=notices.opened_body(
                        notice,
                        member.display_name,
                        mail_cfg.public_url,
                        mail_cfg.timezone,
                        reference,
                    ),
                    at=notice.opened_at,
                )
            )
        return ids

    @activity.defn(name=names.ACT_NOTIFY_PATHWAY)
    async def notify_pathway_opened(self, notice: PathwayNotice) -> int:
        """Mail a pathway's owner one "this is now yours" listing each action with its deadline
        and link, and send it; an owner no longer active: the administrators are told once.

        Queueing is idempotent per pathway opening and owner; a retry only re-sends what the
        server has not yet taken.
        """
        cfg = self.deps.mail
        async with transaction(self.deps.sessions) as session:
            owner = await get_staff(session, notice.owner)
            reference = await case_reference(session, notice.subject)
            if owner is None or not owner.is_current():
                ids = await alert_administrators(
                    session, notice.items[0], cfg.public_url, reference
                )
            else:
                ids = [
                    await outbox.queue_message(
                        session,
                        dedupe_key=f"pathway-opened:{notice.subject}:"
                        f"{notice.opened_at.isoformat()}:{owner.employee_id}",
                        recipient=owner.email,
                        subject=notices.pathway_subject(notice, reference),
                        body=notices.pathway_body(
                            notice, owner.display_name, cfg.public_url, cfg.timezone, reference
                        ),
                        at=notice.opened_at,
                    )
                ]
        return await self.deliver_notifications(ids) if ids else 0

    async def _owers(self, session: AsyncSession, notice: ObligationNotice) -> list[StaffMember]:
        """Who owes a newly opened obligation: its named owner, else its role's current holders."""
        if notice.assignee:
            owner = await get_staff(session, notice.assignee)
            return [owner] if owner is not None and owner.is_current() else []
        if notice.role is None:
            return []
        return [m for m in await staff_with_role(session, notice.role) if m.is_current()]

    @activity.defn(name=names.ACT_NOTIFY_REASSIGNED)
    async def notify_pathway_reassigned(self, notice: ReassignmentNotice) -> int:
        """Mail both owners that the pathway changed hands (queued once each), and send: the
        people by name, each action now the new owner's with its due time and link (read from
        the projection the workflow wrote before starting this)."""
        cfg = self.deps.mail
        async with transaction(self.deps.sessions) as session:
            people = {notice.previous_owner, notice.new_owner, notice.by}
            members = {e: await get_staff(session, e) for e in sorted(people)}
            named = {e: m.display_name for e, m in members.items() if m is not None}
            owed = await owed_by(session, notice.case_id, notice.new_owner)
            ids = []
            for employee_id, to_new in ((notice.new_owner, True), (notice.previous_owner, False)):
                member = members[employee_id]
                if member is None or not member.email:
                    continue  # someone unknown to the directory has no address to write to
                body = notices.reassigned_body(
                    notice, member.display_name, to_new, cfg.public_url, cfg.timezone,
                    names=named, owed=owed,
                )  # fmt: skip
                ids.append(
                    await outbox.queue_message(
                        session,
                        dedupe_key=f"reassigned:{notice.case_id}:{notice.at.isoformat()}:"
                        f"{employee_id}",
                        recipient=member.email,
                        subject=notices.reassigned_subject(notice),
                        body=body,
                        at=notice.at,
                    )
                )
        return await self.deliver_notifications(ids) if ids else 0

    @activity.defn(name=names.ACT_DELIVER_NOTIFICATIONS)
    async def deliver_notifications(self, message_ids: list[int]) -> int:
        """Send queued mails; each is marked sent as soon as the server takes it (sent once).

        Raises while any message is undelivered, so Temporal retries until the server takes it.
        """
        sent, left = await self.send_queued(message_ids)
        if left:
            raise ApplicationError(f"{left} notification(s) not yet delivered")
        return sent

    async def send_queued(
        self, message_ids: list[int], until: float | None = None
    ) -> tuple[int, int]:
        """Send those of MESSAGE_IDS not sent yet, starting none after UNTIL (``time.monotonic``):
        how many were sent and how many are left unsent."""
        async with self.deps.sessions() as session:
            pending = await outbox.unsent(session, message_ids)
            left = 0
            for message in pending:
                if until is not None and time.monotonic() >= until:
                    left += 1
                    continue
                built = mail.build_message(
                    self.deps.mail,
                    recipient=message.recipient,
                    subject=message.subject,
                    body=message.body,
                    dedupe_key=message.dedupe_key,
                    at=activity.info().current_attempt_scheduled_time,
                )
                message.attempts += 1
                try:
                    await mail.send(self.deps.mail, built)
                    message.sent_at = activity.info().current_attempt_scheduled_time
                    message.last_error = None
                except Exception as exc:  # noqa: BLE001 - any SMTP/connection failure is retried
                    left += 1
                    message.last_error = f"{type(exc).__name__}: {exc}"
                await session.commit()
        return len(pending) - left, left
