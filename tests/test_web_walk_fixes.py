"""Defects found by walking the pages as users would (issue 12): downloads from a page session,
a published pack that says so, names and words, roles as the spec names them, a step form kept
on Open and on a refusal, a back-run review's deadline (what My work lists: test_my_work_lists)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from api.web.document_view import scalar_text, to_node
from api.web.words import escalation_words, role_label
from domain import names
from domain.cases import ProjectionUpdate
from domain.learning import DEFAULT_ANCHOR
from domain.packs import PACKS
from domain.roles import Role
from store import packs as pack_store
from store.cases import upsert_projection
from store.tables import DocumentOpening, Review
from tests.api_support import open_case
from tests.factories import load, staff_rows
from tests.fixtures.mail import free_port
from tests.pack_seed import NM1, NOW, fixed_clock, seed_weekly
from tests.pack_support import CALENDAR, stored
from tests.pdf_support import pdftotext
from tests.web_support import form, pages_api, sign_in, text
from tests.workflow_support import running_worker


def test_roles_are_named_as_the_spec_names_them() -> None:
    assert role_label(Role.NEAR_MISS_GOVERNANCE_SUPERVISOR) == "Near-Miss Governance Supervisor"
    assert (
        role_label("director_safety_governance_workforce_experience")
        == "Director of Safety Governance and Workforce Experience"
    )
    assert role_label(Role.ADMINISTRATOR) == "administrator" and role_label(None) == "named owner"
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    words = escalation_words(2, now, now, example="acknowledgment", role=None)
    assert words == (
        "overdue — escalated to the Director of Safety Governance and Workforce Experience, "
        "reminder 2"
    )


def test_documents_show_names_for_ids_and_words_for_slugs() -> None:
    names = {"E-OWNER": "Eilidh Wright (E-OWNER)"}
    assert scalar_text("E-OWNER", "Europe/London", names) == "Eilidh Wright (E-OWNER)"
    assert scalar_text("acknowledgment-recovery", "Europe/London") == "Acknowledgment recovery"
    assert scalar_text("manager_non_review", "Europe/London") == "Manager non-review"
    assert scalar_text("2026-12-21", "Europe/London") == "Mon 21 Dec 2026"  # a computed date
    for kept in ("ack-2026-12-07-nm-1", "NM-CRIT-1", "E-OWNER"):  # identifiers stay as they are
        assert scalar_text(kept, "Europe/London") == kept
    tree = to_node(
        {"responsible_owner_id": "E-OWNER", "pathway_type": "acknowledgment-recovery"},
        "Europe/London",
        names=names,
    )
    assert [(label, value.text) for label, value in tree.facts] == [
        ("Responsible owner", "Eilidh Wright (E-OWNER)"),
        ("Pathway type", "Acknowledgment recovery"),
    ]
    # a policy's durations in minutes, in hours and minutes (the risk classification source);
    # a ``_min`` field not known as a duration is no duration (``repeat_category_min``: a count)
    policy = to_node({"ack_emerging_min": 1440, "triage_critical_min": 90, "x_min": 45}, "UTC")
    assert [(label, value.text) for label, value in policy.facts] == [
        ("Acknowledgment emerging", "24 hours"),
        ("Triage critical", "1 hour 30 minutes"),
        ("X min", "45"),
    ]


async def test_a_step_form_keeps_what_was_typed_and_says_why_it_was_refused(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await pages_api(api_for, sqlite_url, own_env, queue)
        case_id, _view = await open_case(api, own_env, sessions)
        step_url = f"/app/cases/{case_id}/steps/triage-attribution"
        await sign_in(api, "E-SUPERVISOR")
        page = await api.http.get(step_url)
        hidden: dict[str, Any] = form(page.text, step_url)["hidden"]
        # Open is a button of the step form (no script needed): the typed note comes back.
        assert 'form="step-form" name="open_document" value="report-chronology"' in page.text
        typed = {**hidden, "note": "Typed before opening", "open_document": "report-chronology"}
        opened = await api.http.post(step_url, data=typed)
        assert opened.status_code == 200, opened.text
        assert "Typed before opening" in opened.text  # kept in the note field
        assert 'id="shown-document"' in opened.text and "<table" in opened.text
        assert "what you typed in the form below is kept" in text(opened.text)
        assert await _opened(sessions, case_id, "report-chronology")  # recorded as the API does
        # Its entries are citable by time and words; the submitted value stays the entry's ID.
        assert "Report chronology: entry " not in text(opened.text), text(opened.text)
        assert 'value="report-chronology#incident-platform:' in opened.text
        # a record by what happened at the date the chronology gives it (its own: reported)
        assert "near miss reported (the incident and near-miss platform" in text(opened.text)
        # one slot of a group in the singular; the script's button reads data-item
        assert "Confirmed source 1" in text(opened.text) and "sources 1" not in opened.text
        assert 'data-item="confirmed source"' in opened.text

        # Someone without the step's role posts it: the step page again, with the reason.
        await sign_in(api, "E-ANALYST")
        refused = await api.http.post(step_url, data={**hidden, "note": "not mine"})
        assert refused.status_code == 403
        words = text(refused.text)
        assert "Triage-failure attribution" in words
        assert "only the Near-Miss Governance Supervisor records this step" in words
        assert "Nothing was recorded" in words and "requires one of the roles" not in words


async def _opened(sessions: Any, case_id: str, document: str) -> bool:
    async with sessions() as session:
        found = await session.scalar(
            select(DocumentOpening).where(
                DocumentOpening.case_id == case_id, DocumentOpening.document == document
            )
        )
    return found is not None


async def test_a_published_pack_says_so_and_its_downloads_open_from_the_page_session(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, api_for
) -> None:
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    async with sessions() as session, session.begin():
        await seed_weekly(session)
    await stored(sessions, names.PACK_WEEKLY, "2026-W48")
    async with sessions() as session, session.begin():
        pack = await pack_store.get_pack(session, names.PACK_WEEKLY, "2026-W48")
        await pack_store.publish(
            session,
            PACKS[names.PACK_WEEKLY],
            pack,
            [NM1],
            "E-DIRECTOR",
            NOW,
            CALENDAR,
            DEFAULT_ANCHOR,
        )
    api = await api_for(sqlite_url, env="development", api_host="127.0.0.1")
    api.app.state.clock = fixed_clock
    pdf_url = "/packs/weekly-sustainability/2026-W48?format=pdf"
    assert (await api.http.get(pdf_url)).status_code == 401  # no session, no token

    await sign_in(api, "E-BOARD")
    page = await api.http.get("/app/packs/weekly-sustainability/2026-W48")
    words = text(page.text)
    # Its heading names the week in words, not by its code (2026-W48 began Mon 23 Nov).
    heading = "Weekly workforce sustainability review pack, week of Mon 23 Nov 2026"
    assert f"<h1>{heading}</h1>" in page.text and "W48</h1>" not in page.text
    # By name, in the pages' one local time format, with the cases it made visible.
    assert "Published by E-Director on Fri 27 Nov, 15:00; 1 case made visible." in words
    assert "Cases made visible by this pack" in words and "awaiting" not in words.lower()
    assert "critical exposure" in words  # the class in the pack's words, as its PDF says it
    # The figures are not on this page: it says where they are, and links them.
    assert "the figures below" not in words
    assert (
        "The pack's figures and charts, as generated, are in its printable page and its PDF"
        in words
    )
    html_url = "/packs/weekly-sustainability/2026-W48?format=html"
    assert f'<a href="{html_url}">printable page</a>' in page.text
    assert "E-DIRECTOR" not in page.text
    assert f'href="{pdf_url.replace("&", "&amp;")}"' in page.text
    pdf = await api.http.get(pdf_url)  # the page's link, with the page's session only
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    pdf_text = " ".join(pdftotext(pdf.content).split())
    assert "Published by E-Director on" in pdf_text and "awaiting" not in pdf_text.lower()
    assert "the figures below are as generated" in pdf_text  # the PDF carries them
    csv = await api.http.get("/packs/weekly-sustainability/2026-W48?format=csv")
    assert csv.status_code == 200 and csv.text.startswith("case_id,")
    # The page gives the stage the pack listed the case at in the CSV's and PDF's words (the
    # walk of 7 December read "made visible on publication" in one and only "Active recovery"
    # in the other), the stage it is at now beside it.
    listed = csv.text.splitlines()[1].split(",")[4]
    assert listed == "made visible on publication" and "Made visible on publication" in words
    evidence = await api.http.get(
        "/evidence", params={"from": "2026-11-01", "to": "2026-11-27", "format": "zip"}
    )
    assert evidence.status_code == 200 and evidence.content[:2] == b"PK"
    # The session reads; it never writes through the API (that needs a token, or a page form).
    publish = await api.http.post("/packs/weekly-sustainability/2026-W48/publish")
    assert publish.status_code == 401
    # The bearer API keeps working beside it.
    assert (await api.get("/packs/weekly-sustainability/2026-W48", "E-BOARD")).status_code == 200


async def test_a_back_run_review_is_due_by_close_of_business_of_its_generation(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, api_for
) -> None:
    """The demo asks for the last ended cycle's audit days after its sign-off deadline: My
    work shows the back-run's deadline (close of business of the generation day), on time."""
    sessions = sessions_for(sqlite_url)
    auditor = {"E-AUDITOR": [Role.LEARNING_VISIBILITY_AUDITOR]}
    await load(sessions, "staff-directory", staff_rows(auditor))
    generated = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Monday; the audit ran on 23 Nov
    async with sessions() as session, session.begin():
        session.add(
            Review(review_id="learning-audit-2026-11-09", example="learning-visibility",
                   period="2026-11-09", as_of=datetime(2026, 11, 23, 7, tzinfo=UTC),
                   generated_at=generated, status="generated", summary={},
                   sign_off_due_at=datetime(2026, 12, 7, 17, tzinfo=UTC), back_run=True)
        )  # fmt: skip
    api = await api_for(sqlite_url, env="development", api_host="127.0.0.1")

    async def clock() -> datetime:
        return generated + timedelta(hours=1)

    api.app.state.clock = clock
    await sign_in(api, "E-AUDITOR")
    words = text((await api.http.get("/app")).text)
    assert "Mark the fortnightly learning-visibility audit reviewed" in words
    assert "Mon 7 Dec, 17:00" in words and "on time" in words and "overdue" not in words


async def test_my_work_reads_the_stored_sign_off_deadline_of_a_delayed_scheduled_review(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, api_for
) -> None:
    """A scheduled daily review delayed by an outage to 14:00 is no back-run: the workflow stored
    its 09:30 deadline, and My work shows it overdue (it used to guess close of business)."""
    sessions = sessions_for(sqlite_url)
    await load(
        sessions, "staff-directory", staff_rows({"E-AN": [Role.SAFETY_LEARNING_ASSURANCE_ANALYST]})
    )
    generated = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # Monday, GMT
    async with sessions() as session, session.begin():
        session.add(
            Review(review_id="ack-review-2026-12-07", example="acknowledgment",
                   period="2026-12-07", as_of=datetime(2026, 12, 7, 7, tzinfo=UTC),
                   generated_at=generated, status="generated", summary={},
                   sign_off_due_at=datetime(2026, 12, 7, 9, 30, tzinfo=UTC), back_run=False)
        )  # fmt: skip
    api = await api_for(sqlite_url, env="development", api_host="127.0.0.1")

    async def clock() -> datetime:
        return generated + timedelta(minutes=30)

    api.app.state.clock = clock
    await sign_in(api, "E-AN")
    words = text((await api.http.get("/app")).text)
    assert "Mon 7 Dec, 09:30" in words and "overdue" in words and "17:00" not in words


async def test_a_case_without_live_state_says_why_in_words(  # type: ignore[no-untyped-def]
    temporal_env, sqlite_url, sessions_for, api_for
) -> None:
    """A closed past case has no workflow by design: its page says it is closed, not Temporal's
    "workflow not found"; a case with Temporal unreachable says the live state cannot be read
    now. Neither names the workflow ID or Temporal's message (the API's JSON keeps them)."""
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    now = datetime(2026, 11, 6, 15, tzinfo=UTC)
    async with sessions() as session, session.begin():
        for ref, status in (("NM-PAST", "closed"), ("NM-LIVE", "open")):
            update = ProjectionUpdate(
                case_id=f"ack-case-{ref}", example="acknowledgment", reference=ref,
                review_id="ack-review-2026-11-06", service_line="HC-NORTH", exposure="critical",
                stage="closed" if status == "closed" else "triage-attribution", status=status,
                assigned_role=None, assignee=None, deadline=None, escalation_level=0,
                opened_at=now - timedelta(days=3), at=now,
                closed_at=now if status == "closed" else None,
            )  # fmt: skip
            await upsert_projection(session, update)
    api = await api_for(
        sqlite_url, temporal=temporal_env.client, env="development", api_host="127.0.0.1"
    )
    await sign_in(api, "E-SUPERVISOR")
    closed = text((await api.http.get("/app/cases/ack-case-NM-PAST")).text)
    assert "This case is closed; its stored record is shown." in closed
    assert "not found" not in closed and "ack-case-" not in closed
    open_ = text((await api.http.get("/app/cases/ack-case-NM-LIVE")).text)
    assert "This case has no running workflow; its stored record is shown." in open_
    body = (await api.get("/cases/ack-case-NM-PAST", "E-SUPERVISOR")).json()
    assert "not found" in body["live_unavailable"]  # the API keeps the detail

    down = await api_for(
        sqlite_url, temporal_address=f"127.0.0.1:{free_port()}", env="development",
        api_host="127.0.0.1",
    )  # fmt: skip
    await sign_in(down, "E-SUPERVISOR")
    words = text((await down.http.get("/app/cases/ack-case-NM-PAST")).text)
    assert "Its live state cannot be read just now (the workflow service is not answering)" in words
    assert "closed; its stored record" not in words
    assert "Temporal" not in words and "ack-case-" not in words and "127.0.0.1" not in words


async def test_the_pages_and_the_service_have_an_icon(sqlite_url, sessions_for, api_for) -> None:  # type: ignore[no-untyped-def]
    """Every page names the service's icon, and ``/favicon.ico`` (which the dashboard, printable
    packs and evidence pack leave browsers to ask for) answers it: no 404 each page load."""
    await load(sessions_for(sqlite_url), "staff-directory", staff_rows())
    api = await api_for(sqlite_url, env="development", api_host="127.0.0.1")
    page = await api.http.get("/app/sign-in")
    assert '<link rel="icon" href="/app/static/icon.svg" type="image/svg+xml">' in page.text
    for url in ("/app/static/icon.svg", "/favicon.ico"):
        icon = await api.http.get(url)  # no session, no token: public
        assert icon.status_code == 200, url
        assert icon.headers["content-type"].startswith("image/svg+xml")
        assert icon.content.startswith(b"<svg") and b"http://www.w3.org/2000/svg" in icon.content
