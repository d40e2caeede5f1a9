"""When an obligation opens and nobody can owe it (no active holder of its role, or a named
owner who is absent), the administrators are mailed so they can fix the staff directory or
reassign the pathway; their "my work" page shows the same."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain import notices
from domain.cases import ObligationNotice
from domain.links import link
from domain.roles import Role
from store import outbox
from store.staff import staff_with_role

ADMIN_PAGE = "/app/admin/pathways"


async def alert_administrators(
    session: AsyncSession, notice: ObligationNotice, public_url: str, reference: str | None
) -> list[int]:
    """Queue (once per obligation opening and administrator) the mail saying nobody owes it;
    REFERENCE is the case's report as the caller read it (``store.cases.case_reference``)."""
    page = link(public_url, ADMIN_PAGE)
    ids = []
    for admin in await staff_with_role(session, Role.ADMINISTRATOR):
        ids.append(
            await outbox.queue_message(
                session,
                dedupe_key=f"nobody:{notice.subject}:{notice.obligation}:"
                f"{notice.opened_at.isoformat()}:{admin.employee_id}",
                recipient=admin.email,
                subject=notices.nobody_subject(notice, reference),
                body=notices.nobody_body(notice, admin.display_name, page, reference),
                at=notice.opened_at,
            )
        )
    return ids
