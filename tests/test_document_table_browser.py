"""A document's table of records in Chromium at 1280 px (walk defect: the case chronology's
Content facts spilled into the Actor column one word a line, and its ID column showed raw record
IDs): every value stays inside its own cell, and a chronology shows no entry-ID column (a person
knows an entry by its time and what it says; the evidence form's labels say the same). What
happened reads in words, not by the entry's kind ("Stage", "Record received", "Obligation
opened": walk of 7 December)."""

from __future__ import annotations

from playwright.async_api import async_playwright

from api.web.document_view import to_node
from api.web.render import TEMPLATES_DIR, templates
from tests.browser_support import CHROMIUM_ARGS
from tests.browser_support import chromium as chromium  # the fixture

CLOSED = {
    "case_reference": "CC-0002",
    "closed_at": "2026-11-04T15:00:00+00:00",
    "closure_category": "corrective_action_completed",
    "employee_id": "E1009",
    "final_reviewing_role": "near_miss_governance_supervisor",
    "flags": [],
    "last_employee_communication_at": "2026-11-04T14:00:00+00:00",
    "manager_line": "ML-NORTH",
    "reference": "NM-10039",
    "service_line": "HC-NORTH",
}
CHRONOLOGY = {
    "reference": "NM-10039",
    "entries": [
        {"id": "closed-case-register:CC-0002:v1", "at": "2026-11-04T15:00:00+00:00",
         "dated_by": "closed_at", "received_at": "2026-12-07T20:39:00+00:00",
         "source": "closed-case-register", "kind": "record_received", "version": 1,
         "content": CLOSED},
        {"id": "employee-confirmation-form:CC-0002:v1", "at": "2026-12-07T20:40:00+00:00",
         "dated_by": None, "received_at": "2026-12-07T20:40:00+00:00",
         "source": "employee-confirmation-form", "kind": "record_received", "version": 1,
         "content": {"case_reference": "CC-0002", "comment": None, "confirmed": True}},
        {"id": "incident-platform:NM-10039:v1", "at": "2026-10-29T13:40:00+00:00",
         "dated_by": "first_acknowledged_at", "received_at": "2026-12-07T20:39:30+00:00",
         "source": "incident-platform", "kind": "record_received", "version": 1,
         "content": {"corrective_action_reference": "CA-10039", "first_acknowledged_at":
                     "2026-10-29T13:40:00+00:00", "narrative": "Near miss (route_travel) reported "
                     "late at night by a frontline worker", "unsafe_condition_active": False}},
        {"id": "event:11", "at": "2026-12-07T20:40:30+00:00", "source": "closure-case-CC-0002",
         "kind": "obligation_opened", "actor": "system",
         "detail": {"obligation": "credibility-adjudication", "deadline":
                    "2026-12-10T17:00:00+00:00", "rule": "3 working days", "stage": "Open"}},
        {"id": "event:12", "at": "2026-12-07T20:41:00+00:00", "source": "closure-case-CC-0002",
         "kind": "document_opened", "actor": "E0010", "detail": {"document": "case-chronology"}},
        {"id": "event:13", "at": "2026-12-07T20:42:00+00:00", "source": "closure-case-CC-0002",
         "kind": "stage", "actor": "system", "detail": {"stage": "pathway-acceptance"}},
    ],
}  # fmt: skip
PAGE = """{% from "_form.html" import node %}<!doctype html><html><head><style>{{ css }}</style>
</head><body><main><section class="card document">{{ node(tree) }}</section></main></body></html>"""
SPILLS = """() => Array.from(document.querySelectorAll('td')).flatMap(td => {
  const cell = td.getBoundingClientRect();
  return Array.from(td.querySelectorAll('dd, dt')).filter(el => {
    const r = el.getBoundingClientRect();
    return r.right > cell.right + 1 || el.scrollWidth > el.clientWidth + 1;
  }).map(el => el.textContent.trim());
})"""


async def test_a_chronology_keeps_each_value_in_its_cell(chromium) -> None:  # type: ignore[no-untyped-def]
    tree = to_node(CHRONOLOGY, "Europe/London", top=True, names={"E0010": "Jamal Reid (E0010)"})
    css = (TEMPLATES_DIR.parent / "static" / "app.css").read_text()
    html = templates.env.from_string(PAGE).render(tree=tree, css=css)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            await page.set_content(html)
            headers = await page.locator("th").all_inner_texts()
            happened = await page.locator("td[data-label='What happened']").all_inner_texts()
            spilled = await page.evaluate(SPILLS)
        finally:
            await browser.close()
    assert headers[:4] == ["When", "What happened", "From", "Version"], headers
    assert "ID" not in headers and "Kind" not in headers and "Record" in headers, headers
    assert happened == [
        "Case closed",
        "Record received",  # it carries no date of its own: placed at its receipt
        "Report first acknowledged",
        "Closure-credibility adjudication opened, due Thu 10 Dec, 17:00 (3 working days)",
        "Jamal Reid (E0010) opened the case chronology",
        "Now waiting for the named owner to accept the pathway",
    ], happened
    assert spilled == [], f"values outside their cell: {spilled}"
