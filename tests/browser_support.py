"""Pages in a real browser: the app served by uvicorn on loopback, Debian Chromium driven by
Playwright, axe-core's accessibility check, and screenshots in ``var/screenshots/``."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, async_playwright, expect

from api.app import create_app
from api.clock import Clock
from api.web.words import humanize
from domain import mail_words
from tests.factories import email
from tests.fixtures.temporal import make_test_settings
from tests.ops_support import serve_app
from tests.start_support import suite_clock
from tests.workflow_support import wait_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAPTOP = {"width": 1024, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"
BLOCKING = frozenset({"serious", "critical"})


@asynccontextmanager
async def serve_pages(
    database_url: str, client: Any, queue: str, clock: Clock
) -> AsyncIterator[str]:
    """The app in development mode on 127.0.0.1 (free port), with the given clock."""
    settings = make_test_settings(
        database_url, temporal_task_queue=queue, env="development", api_host="127.0.0.1"
    )
    app = create_app(settings)
    app.state.temporal_client = client
    app.state.clock = clock
    async with serve_app(app) as base:
        yield base


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium; a missing browser fails the test (`make browsers` installs it)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is required: run `make browsers` (apt-get install chromium)")
    return str(CHROMIUM)


@dataclass
class Walk:
    """What each phase of an end-to-end walk works with: the API, the time-skipping server,
    the signed-in page and its base URL, the inbox, the case, the database."""

    api: Any
    env: Any
    page: Page
    base: str
    inbox: Any
    case_id: str
    sessions: Any


async def sign_in_as(page: Page, base: str, display_name: str, next_path: str) -> None:
    """Development "sign in as" through the page, returning to ``next_path``."""
    await page.goto(f"{base}/app/sign-in?next={next_path}")
    await page.get_by_role("button", name=f"Sign in as {display_name}", exact=True).click()
    await page.wait_for_url(f"{base}{next_path}")


async def accessible(page: Page, name: str) -> None:
    """axe-core finds no serious or critical violation; the page is saved as ``name``.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = await Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in blocking]
    assert not blocking, f"{name}: {summary}"


@asynccontextmanager
async def signed_in_page(
    chromium: str,
    database_url: str,
    who: str | None,
    path: str = "/app",
    *,
    env: Any = None,
    queue: str = "unused",
    clock: Clock = suite_clock,
    **page_options: Any,
) -> AsyncIterator[tuple[str, Page]]:
    """The pages served (on ENV's Temporal client and clock if given, else with none and on
    CLOCK) and one Chromium page (1024 px unless ``viewport`` says otherwise; any
    ``Browser.new_page`` option), signed in as WHO (development "sign in as"; None: signed out)
    and at PATH: (base, page). The browser closes on the way out."""
    client, clock = (env.client, env.get_current_time) if env is not None else (None, clock)
    async with (
        serve_pages(database_url, client, queue, clock) as base,
        async_playwright() as pw,
    ):
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(**({"viewport": LAPTOP} | page_options))
            if who is not None:
                await sign_in_as(page, base, who, path)
            yield base, page
        finally:
            await browser.close()


async def another_page(page: Page, base: str, who: str, path: str, viewport: Any) -> Page:
    """A second page of PAGE's browser (its own cookies), signed in as WHO and at PATH."""
    browser = page.context.browser
    assert browser is not None
    other = await browser.new_page(viewport=viewport)
    await sign_in_as(other, base, who, path)
    return other


@asynccontextmanager
async def browser_page(
    env: Any, database_url: str, queue: str, chromium: str
) -> AsyncIterator[tuple[str, Page]]:
    """The pages served on the test server's clock and one 1024 px Chromium page: (base, page)."""
    async with signed_in_page(chromium, database_url, None, env=env, queue=queue) as (base, page):
        yield base, page


LINK = re.compile(r"http://127\.0\.0\.1:8000(/app/\S+)")


def link_in(message: Message) -> str:
    """The page path a mail links to."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    match = LINK.search(payload.decode())
    assert match, payload
    return match.group(1)


async def mail_link(inbox: Any, who: str, subject: str, about: str = "") -> str:
    """The link of the mail to WHO whose subject starts with SUBJECT (and names ABOUT, a case's
    or review's ID, as mails name it: "near miss NM-1")."""
    about = mail_words.about(about) if about else ""

    async def found() -> str | None:
        for message in inbox.to(email(who)):
            text = " ".join(message["Subject"].split())
            if text.startswith(subject) and about in text:
                return link_in(message)
        return None

    path: str = await wait_for(found)
    return path


async def from_mail(
    page: Page, base: str, inbox: Any, who: str, subject: str, about: str = ""
) -> str:
    """WHO follows the link of their mail (subject starting SUBJECT, naming ABOUT) and signs in
    (the factories' display name: the employee ID in title case); returns the page path."""
    path = await mail_link(inbox, who, subject, about)
    await sign_in_as(page, base, who.title(), path)
    return path


async def from_pathway_mail(page: Page, base: str, inbox: Any, title: str, case_id: str) -> str:
    """E-OWNER follows, in the one mail their pathway's authorization sent, the link listed
    under the item whose title starts TITLE (its acceptance or an action) and signs in; returns
    the page path."""
    about = mail_words.about(case_id)

    async def found() -> str | None:
        for message in inbox.to(email("E-OWNER")):
            text = " ".join(message["Subject"].split())
            if text.startswith("This is now yours: the ") and about in text:
                payload = message.get_payload(decode=True)
                assert isinstance(payload, bytes)
                listed = re.search(
                    rf"^- {re.escape(title)}[^\n]*, due .*\r?\n  Do it here: http://127\.0\.0\.1:8000"
                    r"(/app/\S+)",
                    payload.decode(),
                    re.MULTILINE,
                )
                assert listed, payload
                return listed.group(1)
        return None

    path: str = await wait_for(found)
    await sign_in_as(page, base, "E-Owner", path)
    return path


async def fill(page: Page, values: dict[str, str]) -> None:
    """Fill named controls as a person would: choose, tick or type (read-only ones are kept)."""
    for name, value in values.items():
        control = page.locator(f'[name="{name}"]').first
        tag = await control.evaluate("e => e.tagName.toLowerCase()")
        kind = await control.get_attribute("type")
        if await control.get_attribute("readonly") is not None:
            continue
        if tag == "select":
            await control.select_option(value)
        elif kind == "radio":
            await page.locator(f'[name="{name}"][value="{value}"]').check()
        elif kind == "checkbox":
            await control.set_checked(value == "true")
        else:
            await control.fill(value)


async def open_documents(page: Page, documents: Iterable[str]) -> None:
    """Open each prerequisite document from the step page (its Open button, named with the
    page's own words for the document) and come back."""
    for doc in documents:
        await page.get_by_role("button", name=f"Open {humanize(doc).lower()}").click()
        await page.get_by_role("link", name="Back").click()


# What the service says of its own steps (api.web.event_words): shown in a chronology, never
# offered as evidence (the walk of 8 December cited "Case opened" for a triage failure).
BOOKKEEPING = re.compile(
    r"— (Case opened|Now (at|waiting|in)\b|.* opened, due |.* opened the |Exposure (raised|"
    r"confirmed)|.*: deadline missed)"
)


async def evidence_choices(page: Page) -> list[str]:
    """The first confirmed source's evidence checkboxes, by the words a person reads."""
    boxes = page.locator('input[type="checkbox"][name="confirmed_sources.0.evidence"]')
    words = await boxes.evaluate_all("bs => bs.map(b => b.labels[0].textContent)")
    return [" ".join(str(w).split()) for w in words]


async def attribute(page: Page, source: str, documents: Iterable[str]) -> None:
    """An attribution's first confirmed source and the documents evidencing it, after checking
    that the entries offered are records and recorded actions, not the service's own events."""
    choices = await evidence_choices(page)
    entries = [c for c in choices if " — " in c]
    assert entries, choices  # an opened chronology's entries are offered
    assert not [c for c in entries if BOOKKEEPING.search(c)], choices
    await page.get_by_role("combobox", name="Source", exact=True).first.select_option(source)
    for document in documents:
        await page.get_by_role("checkbox", name=document, exact=True).first.check()


async def recorded(page: Page, name: str, title: str) -> None:
    """The receipt page of TITLE is shown (and is accessible, saved as NAME)."""
    await expect(page.get_by_role("heading", level=1)).to_contain_text(f"Recorded: {title}")
    await accessible(page, name)


async def submit(page: Page, button: str, name: str, title: str) -> None:
    """Press the form's BUTTON and see TITLE's receipt (saved as NAME)."""
    await page.get_by_role("button", name=button).click()
    await recorded(page, name, title)


async def complete_step(
    page: Page, title: str, values: dict[str, str], name: str, receipt: str
) -> None:
    """Fill the open step TITLE's form with VALUES, check it (saved as NAME), submit it and see
    its receipt (saved as RECEIPT)."""
    await fill(page, values)
    await accessible(page, name)
    await submit(page, f"Submit {title.lower()}", receipt, title)


def days_after(today: date, **days: int) -> dict[str, str]:
    """Date fields' values, each its number of DAYS after TODAY."""
    return {name: str(today + timedelta(days=n)) for name, n in days.items()}


async def mark_reviewed(page: Page, name: str) -> None:
    """Mark the open review reviewed from its page."""
    await page.get_by_role("button", name="Mark reviewed").click()
    await expect(page.get_by_role("status")).to_contain_text("Marked reviewed")
    await accessible(page, name)


async def accept_pathway(page: Page, base: str, inbox: Any, case_id: str, name: str) -> None:
    """The named owner E-OWNER accepts the pathway from the mail's link."""
    await from_pathway_mail(page, base, inbox, "Accept the", case_id)
    await submit(page, "Accept the pathway", name, "Accept the")


async def publish_pack(page: Page, name: str) -> None:
    """Publish the pack whose page is open."""
    await page.get_by_role("button", name="Publish this pack").click()
    await expect(page.get_by_role("status")).to_contain_text("Published")
    await accessible(page, name)


async def mark_actions_done(
    page: Page, base: str, inbox: Any, case_id: str, titles: Iterable[str], prefix: str
) -> None:
    """E-OWNER marks each pathway action done from its link in the pathway's one mail (the first
    tried with a note of spaces: refused beside the field and in the linked summary, on a phone
    too)."""
    for n, title in enumerate(titles):
        await from_pathway_mail(page, base, inbox, title, case_id)
        note = page.get_by_role("textbox", name="Note")
        if n == 0:
            await note.fill("   ")  # passes the browser's own check; the service refuses it
            await page.get_by_role("button", name=f"Mark “{title}” done").click()
            await expect(note).to_have_attribute("aria-invalid", "true")
            summary = page.get_by_role("alert")
            await expect(summary.get_by_role("link", name="Note — Please answer this question"))\
                .to_have_attribute("href", "#f-note")  # fmt: skip
            await expect(summary).to_contain_text("Nothing was recorded.")
            size = page.viewport_size
            await page.set_viewport_size(PHONE)
            await accessible(page, f"{prefix}-empty-note-phone")
            await page.set_viewport_size(size or LAPTOP)
        await note.fill(f"{title}: done")
        await submit(page, f"Mark “{title}” done", f"{prefix}-{title.split()[0].lower()}", title)


async def confirm_resolved(page: Page, base: str, path: str, worker: str, name: str = "") -> None:
    """The worker opens the confirmation link signed out, signs in and answers "resolved" (the
    filled form checked and saved as NAME when given)."""
    await page.context.clear_cookies()
    await page.goto(f"{base}{path}")
    await sign_in_as(page, base, worker, path)
    await page.get_by_label("Yes, it is resolved").check()
    if name:
        await accessible(page, name)
    await page.get_by_role("button", name="Send my answer").click()
    await expect(page.get_by_role("status")).to_contain_text("Resolved")


async def answer_speaking_up(page: Page) -> None:
    """The signed-in worker answers the speaking-up form: mostly confident, medication risk."""
    await page.get_by_label("4 — mostly").check()
    await page.get_by_label("Which kind of risk").select_option("medication")
    await page.get_by_role("button", name="Send my answer").click()
    await expect(page.get_by_role("status")).to_contain_text("4 out of 5")
