"""My work: everything the signed-in person owes now, in words, soonest due first — reviews to
sign off, case steps for their roles, a pathway they own, forms they are asked for."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import expect

from api.web.work_words import time_left
from domain import names
from domain.calendar import BusinessCalendar, CalendarConfig
from store.cases import sync_open_obligations
from store.db import transaction
from store.tables import Case
from tests.api_support import CRITICAL, EMERGING, seed, wait_stage
from tests.browser_support import (
    LAPTOP,
    PHONE,
    accessible,
    another_page,
    signed_in_page,
)
from tests.browser_support import chromium as chromium  # the fixture
from tests.fixtures.api import ApiFactory
from tests.my_work_support import CLOSED, NOW, PATHWAY, seeded
from tests.web_support import pages_api, sign_in, text
from tests.workflow_support import (
    next_working_day,
    running_worker,
    skip,
    skip_to_as_of,
    wait_for,
)

LONDON = BusinessCalendar(CalendarConfig())


def _rows(page: str) -> list[str]:
    """The my-work table's rows as text, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [text(row) for row in body.split("</tr>") if "<td" in row]


def test_working_time_left_follows_the_business_calendar() -> None:
    monday_9 = datetime(2026, 12, 7, 9, tzinfo=UTC)  # London is on UTC in December
    assert time_left(LONDON, monday_9, datetime(2026, 12, 8, 13, tzinfo=UTC)) == (
        "1 working day 4 h left"
    )
    friday_16 = datetime(2026, 12, 11, 16, tzinfo=UTC)  # over the weekend: 1 h Fri + 1 h Mon
    assert time_left(LONDON, friday_16, datetime(2026, 12, 14, 10, tzinfo=UTC)) == "2 h left"
    late = time_left(LONDON, datetime(2026, 12, 7, 9, 30, tzinfo=UTC), monday_9)
    assert late == "overdue by 30 min of working time"
    weeks_late = time_left(LONDON, datetime(2026, 12, 18, 9, 30, tzinfo=UTC), monday_9)
    assert weeks_late == "overdue by 9 working days 30 min"  # not "… days of working time"


async def test_reviews_and_steps_come_to_the_people_who_owe_them(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await pages_api(api_for, sqlite_url, own_env, queue)
        day = await next_working_day(own_env)
        await skip_to_as_of(own_env, day)  # a review starts from its 07:00 as-of
        await seed(sessions, day)
        rid = (await api.post(f"/reviews/acknowledgment/{day}", "E-ADMIN")).json()["review_id"]

        async def generated() -> bool:
            return (await api.get(f"/reviews/{rid}", "E-ANALYST")).status_code == 200

        await wait_for(generated)
        await sign_in(api, "E-ANALYST")
        [review] = _rows((await api.http.get("/app")).text)
        assert "Mark the daily acknowledgment review reviewed" in review
        assert f"{day:%a} {day.day} {day:%b}, 09:30" in review and "on time" in review
        assert f'href="/app/reviews/{rid}"' in (await api.http.get("/app")).text

        assert (await api.post(f"/reviews/{rid}/reviewed", "E-ANALYST")).status_code == 200
        await wait_stage(api, names.ack_case_id(CRITICAL), "triage-attribution")
        await wait_stage(api, names.ack_case_id(EMERGING), "triage-attribution")
        assert "Nothing is waiting for you" in (await api.http.get("/app")).text

        await sign_in(api, "E-SUPERVISOR")
        page = (await api.http.get("/app")).text
        rows = _rows(page)
        assert len(rows) == 2 and all("Triage-failure attribution" in r for r in rows)
        assert "Critical" in html.unescape(page) or "critical" in page
        assert f'href="/app/cases/{names.ack_case_id(CRITICAL)}/steps/triage-attribution"' in page
        assert all("HC-NORTH" in r and " left" in r and "on time" in r for r in rows)

        view = (await api.get(f"/cases/{names.ack_case_id(CRITICAL)}", "E-SUPERVISOR")).json()
        deadline = datetime.fromisoformat(
            view["live"]["obligations"]["triage-attribution"]["deadline"]
        )
        await skip(own_env, deadline - await own_env.get_current_time() + timedelta(minutes=30))

        async def escalated() -> list[str]:
            rows = _rows((await api.http.get("/app")).text)
            return rows if "reminder 1 to the" in rows[0] else []

        rows = await wait_for(escalated)
        assert "overdue — reminder 1 to the Near-Miss Governance Supervisor" in rows[0]
        assert "overdue, no working time since" in rows[0]  # 17:30: after close of business

        await sign_in(api, "W-100")
        worker = text((await api.http.get("/app")).text)
        assert (
            "Nothing is waiting for you" in worker
            and "What you are asked to do appears here" in worker
        )


# -- from the projection alone (no Temporal): a named owner's pathway, a form asked for ------


async def test_a_named_owner_sees_their_pathway_and_a_worker_the_form_asked_for(
    sqlite_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    api = await seeded(sqlite_url, sessions_for, api_for)
    await sign_in(api, "E-OWNER")
    page = (await api.http.get("/app")).text
    accept, action = _rows(page)  # soonest due first
    assert "Accept the recovery pathway" in accept and "Retrain the triage rota" in action
    assert "overdue — escalated to the Director of" in accept and "reminder 2" in accept
    assert "Report NM-OWNED" in accept and "HC-SOUTH" in accept
    assert "Mon 7 Dec, 12:00" in accept and "overdue by 2 working days" in accept
    assert f'href="/app/cases/{PATHWAY}/pathway/accept"' in page
    assert f'href="/app/cases/{PATHWAY}/pathway/actions/retrain"' in page
    assert "on time" in action and "Mon 14 Dec, 12:00" in action and "3 working days left" in action

    await sign_in(api, "W-100")
    page = (await api.http.get("/app")).text
    [form] = _rows(page)
    assert "resolved for you" in form and "NM-CLOSED" in form
    assert f'href="/app/forms/employee-confirmation?case_ref={CLOSED}"' in page
    answer = {"case_ref": CLOSED, "confirmed": True}
    assert (await api.post("/forms/employee-confirmation", "W-100", json=answer)).status_code == 200
    assert "Nothing is waiting for you" in (await api.http.get("/app")).text
    assert 'href="/app/reviews"' not in (await api.http.get("/app")).text  # a worker reads none

    await sign_in(api, "E-INSPECTOR")  # nothing owed, but the evidence is one link away
    page = (await api.http.get("/app")).text
    assert 'href="/app/reviews"' in page and "As inspector you run no steps" in page
    assert (await api.http.get("/app/reviews")).status_code == 200


async def test_my_work_in_the_browser_on_a_laptop_and_a_phone(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, api_for, chromium
) -> None:
    await seeded(sqlite_url, sessions_for, api_for)

    async def clock() -> datetime:
        return NOW

    async with signed_in_page(chromium, sqlite_url, "E-Owner", clock=clock) as (base, page):
        table = page.get_by_role("table", name="What you owe now, soonest due first")
        await expect(table.get_by_role("row")).to_have_count(3)  # the header and two rows
        await accessible(page, "my-work")
        await page.keyboard.press("Tab")  # skip link first, then the page in order
        link = page.get_by_role("link", name="Accept the recovery pathway")
        for _ in range(12):
            if await link.evaluate("el => el === document.activeElement"):
                break
            await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{base}/app/cases/{PATHWAY}/pathway/accept")

        admin = await another_page(page, base, "E-Admin", "/app", LAPTOP)
        await expect(admin.get_by_role("heading", name="Administration")).to_be_visible()
        await accessible(admin, "my-work-administrator")
        card = admin.get_by_role("region", name="Administration")  # the navigation has one too
        await card.get_by_role("link", name="Pathways and roles").click()
        await expect(admin.get_by_role("heading", name="Roles nobody holds")).to_be_visible()
        await accessible(admin, "admin-pathways")

        phone = await another_page(page, base, "W-100", "/app", PHONE)
        await expect(phone.get_by_role("link", name=re.compile("resolved for you"))).to_be_visible()
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
        await accessible(phone, "my-work-phone")


async def test_the_acceptance_comes_before_the_actions_waiting_for_it(
    sqlite_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    """Accepting is due after the actions, yet it comes first: they wait for it (walk defect)."""
    api = await seeded(sqlite_url, sessions_for, api_for)
    later, soon = NOW + timedelta(days=6), NOW + timedelta(days=2)
    detail = {"pathway_owner": "E-OWNER", "open": [
        {"key": "pathway-acceptance", "title": "Accept the recovery pathway", "role": None,
         "assignee": "E-OWNER", "deadline": later.isoformat()},
        {"key": "action:retrain", "title": "Retrain the triage rota", "role": None,
         "assignee": "E-OWNER", "deadline": soon.isoformat()},
    ]}  # fmt: skip
    async with transaction(api.app.state.sessions) as session:
        pathway = await session.get(Case, PATHWAY)
        assert pathway is not None
        pathway.detail = detail
        await sync_open_obligations(session, pathway, detail)
    await sign_in(api, "E-OWNER")
    accept, action = _rows((await api.http.get("/app")).text)
    assert "Accept the recovery pathway" in accept and "Tue 15 Dec" in accept
    assert "Retrain the triage rota (once you have accepted the pathway)" in action
