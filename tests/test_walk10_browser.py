"""What the tenth walk saw, checked in Chromium as the people see it: a staff form refused in
the same plain words as the worker forms ("Please answer this question", never pydantic's
"Field required"); a pack period that does not exist is a page not found, in words; one
navigation, from the person's roles, the same on every page; a worker's My reports in plain
words, its steps in the order they happened; the category "none" and an empty list in words,
not a bare "None"; a computed value shown once on a step page, under one label; the
acceptance receipt's actions soonest due first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import Page, expect

from domain.acknowledgment_steps import RETENTION_DOCUMENTS
from domain.roles import Role
from store.tables import CaseEvent
from tests.api_support import (
    TRIAGE_DOCS,
    attribution,
    impact,
    open_case,
    open_docs,
    pathway,
    wait_stage,
)
from tests.browser_support import PHONE, another_page, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import case_row, load, report_rows, staff_rows
from tests.workflow_support import running_worker


async def test_a_staff_form_and_a_bad_pack_period_in_plain_words(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, _view = await open_case(api, own_env, sessions)
        step = f"/app/cases/{case_id}/steps/triage-attribution"
        async with signed_in_page(
            chromium, sqlite_url, "E-Supervisor", step, env=own_env, queue=queue
        ) as (base, page):
            history = page.locator("main")  # the case's history in words, not "Stage is now"
            await expect(history).to_contain_text("Case opened.")
            await expect(history).to_contain_text("Now at the step Triage-failure attribution.")
            await expect(history).not_to_contain_text("Stage is now")
            # Submitted empty: each question says so beside it, as the worker forms say it.
            await page.get_by_role("button", name="Submit triage-failure attribution").click()
            body = page.locator("main")
            await expect(body).to_contain_text("Please answer this question")
            await expect(body).not_to_contain_text("Field required")

            await page.goto(f"{base}/app/packs/weekly-sustainability/2026-W99")
            heading = page.get_by_role("heading", level=1)
            await expect(heading).to_have_text("Not found")
            await expect(heading).not_to_contain_text("correct the form")
            await expect(body).to_contain_text(
                "There is no weekly workforce sustainability review pack for 2026-W99. Check "
                "the address: it needs an ISO week, e.g. 2026-W48."
            )


READER_LINKS = ["Reviews", "Registers", "Dashboard", "Analytics"]
WORKER_LINKS = ["My reports", "Speaking up"]
# Who sees what: by their roles, and only that, on every page they may open.
NAVIGATION = {
    "E-Inspector": (["My work", *READER_LINKS], ["/app/registers", "/app/reviews"]),
    "E-Operator": (["My work", "Operations"], ["/app/operations"]),
    "E-Owner": (["My work", *WORKER_LINKS], ["/app/my-reports"]),
    "E-Supervisor": (["My work", *WORKER_LINKS, *READER_LINKS], ["/app/reviews"]),
}


async def test_one_navigation_from_the_roles_on_every_page(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows({"E-OPERATOR": [Role.OPERATOR]}))
    async with signed_in_page(chromium, sqlite_url, None) as (base, first):
        for who, (expected, pages) in NAVIGATION.items():
            page = await another_page(first, base, who, "/app", {"width": 1024, "height": 800})
            for path in ["/app", *pages]:
                await page.goto(f"{base}{path}")
                assert await _links(page) == expected, (who, path)
                if path != "/app":  # the page shown is marked as such in the navigation
                    current = page.get_by_role("navigation", name="Main").locator(
                        "[aria-current=page]"
                    )
                    await expect(current).to_have_attribute("href", path)
            await page.close()


async def _links(page: Page) -> list[str]:
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    return [text.strip() for text in await links.all_inner_texts()]


async def test_my_reports_in_a_workers_words_in_the_order_things_happened(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    submitted = datetime(2026, 12, 1, 17, 40, tzinfo=UTC)
    rows = report_rows("NM-PLAIN-1", submitted_at=submitted, ack_minutes=60)
    await load(sessions, "incident-platform", [rows["incident-platform"]])
    case = case_row("ack-case-NM-PLAIN-1", "W-100")
    case.stage, case.status, case.closed_at = "active-recovery", "open", None
    case.opened_at = submitted + timedelta(days=6)
    async with sessions() as session, session.begin():
        session.add(case)
        session.add(
            CaseEvent(
                case_id=case.case_id, at=case.opened_at + timedelta(minutes=1),
                kind="step_submitted", actor="E-SUPERVISOR",
                detail={"step": "triage-attribution"}, dedupe_key="plain-1",
            )
        )  # fmt: skip
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    async with signed_in_page(chromium, sqlite_url, "W-100", "/app/my-reports", **phone) as (
        _base,
        page,
    ):
        card = page.locator("main")
        await expect(card).to_contain_text(
            "Where it stands: The safety team is checking how your report was acknowledged"
            " and triaged: the actions to put things right are under way"
        )
        for jargon in ("governance review", "attribution", "active recovery"):
            await expect(card).not_to_contain_text(jargon)
        steps = [
            " ".join(t.split("— ")[-1].split())
            for t in await page.locator("ol.milestones li").all_inner_texts()
        ]
        assert steps == [
            "You reported it",
            "Acknowledged",
            "A triage owner was named to look into it (the records do not say when)",  # before
            # the review it led to, not last
            "The safety team started checking how your report was acknowledged and triaged",
            "The team worked out what went wrong with its triage",
        ], steps


async def test_none_in_words_computed_values_once_actions_by_due_date(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, view = await open_case(api, own_env, sessions)
        steps = f"/cases/{case_id}/steps"
        await open_docs(api, case_id, "E-SUPERVISOR", TRIAGE_DOCS)
        done = await api.post(f"{steps}/triage-attribution", "E-SUPERVISOR", json=attribution(view))
        assert done.status_code == 200, done.text
        view = await wait_stage(api, case_id, "retention-impact")
        computed = view["live"]["computed"]["retention-impact"]
        assert computed["prior_90d_retention_risk"] == "none"  # the seed's worker: no risk
        step = f"/app/cases/{case_id}/steps/retention-impact"
        async with signed_in_page(
            chromium, sqlite_url, "E-Manager", step, env=own_env, queue=queue
        ) as (base, page):
            main = page.locator("main")
            risk = page.locator("#f-prior-90d-retention-risk")
            await expect(risk).to_contain_text("Prior 90-day retention risk: None recorded")
            # Each computed value once: the form's shown value, not also the list above it.
            for label in ("Prior 90-day retention risk", "Repeated exposures same domain"):
                await expect(main.get_by_text(label, exact=False)).to_have_count(1)
            await expect(main).not_to_contain_text("Repeated exposures same domain (180 days)")

            await open_docs(api, case_id, "E-MANAGER", list(RETENTION_DOCUMENTS))
            done = await api.post(
                f"{steps}/retention-impact", "E-MANAGER", json=impact(view, "high")
            )
            assert done.status_code == 200, done.text
            await wait_stage(api, case_id, "recovery-pathway")
            other = await another_page(
                page, base, "E-Director", f"/app/cases/{case_id}/steps/recovery-pathway",
                {"width": 1024, "height": 800},
            )  # fmt: skip
            sheet = other.locator("section[aria-labelledby=computed-h]")
            await expect(sheet).to_contain_text("Complete: Yes; nothing missing")
            await expect(sheet).not_to_contain_text("None")

            await open_docs(api, case_id, "E-DIRECTOR", ["reporting-control-authorization-sheet"])
            today = (await own_env.get_current_time()).date()
            every_action = {  # four actions, due on different days
                **pathway(today, "E-OWNER"),
                "immediate_senior_acknowledgment": True,
                "temporary_daily_service_line_review": True,
                "same_day_unsafe_condition_escalation": True,
            }
            done = await api.post(f"{steps}/recovery-pathway", "E-DIRECTOR", json=every_action)
            assert done.status_code == 200, done.text
            await wait_stage(api, case_id, "pathway-acceptance")
            owner = await another_page(
                page, base, "E-Owner", f"/app/cases/{case_id}/pathway/accept",
                {"width": 1024, "height": 800},
            )  # fmt: skip
            await owner.get_by_role("button", name="Accept the pathway").click()
            await expect(owner.locator("main")).to_contain_text("Actions you can now do")
            listed = await owner.locator("main li", has_text=", due ").all_inner_texts()
            due = [_local(text.rsplit(", due ", 1)[1], today.year) for text in listed]
            assert len(due) >= 3 and due == sorted(due), listed


def _local(words: str, year: int) -> datetime:
    """ "Tue 8 Dec, 17:00" (the pages' local time) as a comparable time in YEAR."""
    return datetime.strptime(f"{words.strip()} {year}", "%a %d %b, %H:%M %Y")
