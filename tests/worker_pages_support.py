"""What the reporting worker's page tests set up alike: the staff directory and her report on
the incident platform, the pages' API with her signed in, her "not resolved" sent from the
confirmation form, and her report's card on My reports."""

from __future__ import annotations

from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import load, report_rows, staff_rows
from tests.fixtures.api import ApiClient, ApiFactory
from tests.web_support import csrf, idempotency_key, sign_in

WORKER = "W-100"  # the reporting worker of ``report_rows``


async def staff_and_report(
    sessions: async_sessionmaker[AsyncSession], reference: str, submitted_at: datetime
) -> None:
    """The staff directory, and the worker's report REFERENCE on the incident platform
    (acknowledged 45 minutes after it was submitted)."""
    await load(sessions, "staff-directory", staff_rows())
    rows = report_rows(reference, submitted_at=submitted_at, ack_minutes=45)
    await load(sessions, "incident-platform", [rows["incident-platform"]])


async def worker_signed_in(database_url: str, api_for: ApiFactory) -> ApiClient:
    """The pages' API (development "sign in as") with the worker signed in."""
    api = await api_for(database_url, env="development", api_host="127.0.0.1")
    await sign_in(api, WORKER, "/app")
    return api


async def not_resolved(
    api: ApiClient, form: str, case_ref: str, comment: str | None = None
) -> httpx.Response:
    """The worker's confirmation FORM (its page's HTML) sent back "not resolved" for CASE_REF,
    with COMMENT if given: the answer (a 303 to the receipt when accepted)."""
    data = {
        "csrf_token": csrf(form),
        "idempotency_key": idempotency_key(form),
        "case_ref": case_ref,
        "confirmed": "no",
    }
    return await api.http.post(
        "/app/forms/employee-confirmation", data=data | ({"comment": comment} if comment else {})
    )


def report_card(page: str, reference: str) -> str:
    """The card of report REFERENCE on My reports (its HTML)."""
    start = page.index(f'id="report-{reference}"')
    return page[start : page.index("</section>", start)]
