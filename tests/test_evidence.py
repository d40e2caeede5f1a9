"""The inspection evidence pack on the seeded set (tests/pack_seed.py), SQLite and PostgreSQL:
every figure counted by hand; the registers verified (and a tampered one named); the PDF and the
ZIP parsed; roles."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime

from sqlalchemy import update

from api.web.analytics_reviews import ACKNOWLEDGMENT
from store.tables import Breach, RegisterEntry
from tests.evidence_support import blocks, figs, get, seeded, verified_in_full
from tests.pack_seed import at
from tests.pack_support import RANGE, section
from tests.pdf_support import pdftotext
from tests.stored_rows import item

SUMMED_ITEMS = 9  # tests/pack_seed.py: 24 Nov 4 items, 25 Nov 3, 20 Nov 1, 30 Nov 1


async def test_example_1_figures_match_the_seeded_set(database_url, sessions, api_for):
    api = await seeded(database_url, sessions, api_for)
    doc = (await get(api)).json()
    assert doc["subtitle"] == "1 November 2026 to 30 November 2026 — all service lines"
    ack = section(doc, "Daily acknowledgment")
    assert figs(ack) == {
        "Reviews run": 4,  # 20, 24, 25 and 30 November
        "Distinct reports in the daily reviews": 6,  # NM-0, NM-1 ... NM-4, NM-9
        "Reports summed over the daily reviews": SUMMED_ITEMS,
        "Exceptions": 1,
        "Cases opened": 3,
        "Pathways authorized": 1,
    }
    assert figs(ack, 1) == {
        "Acknowledged within 24 hours": "1 of 5 (20%)",  # NM-3 only (at its latest review)
        "Triaged within 72 hours": "1 of 5 (20%)",
        "With a named triage owner": "1 of 5 (20%)",
    }
    assert blocks(ack, "table")[0]["rows"] == [
        ["Review marked reviewed", 2, 2, "2 of 4 (50%)"],  # 25 and 30 Nov never marked
        ["Triage-failure attribution", 2, 1, "1 of 2 (50%)"],
        ["Owner acceptance", 1, 0, "0 of 1 (0%)"],
    ]
    assert blocks(ack, "chart")[0]["series"][0]["values"] == [3.0, 1.0, 1.0, 0.0]
    # NM-1 17 h (1 working hour), NM-2 26 Nov 13:00 to 1 Dec 09:00 = 116 h (4 + 8 + 8 = 20
    # working hours), NM-9 30 Nov 17:00 to 1 Dec 09:00 = 16 h (0 working hours).
    assert figs(ack, 2) == {
        "Missed deadlines": 3,
        "Still open": 2,
        "Longest open": "116.0 h",
        "Longest open, working hours": "20.0 h",
        "Mean open, working hours": "7.0 h",
    }


async def test_distinct_and_summed_reports_reconcile_with_analytics(
    database_url, sessions, api_for
):
    """Walk of 8 December: the pack said "Reports reviewed: 42" and Analytics "Reports 214" over a
    shorter range. Both were right: the pack counts each report once (at its latest review),
    Analytics adds up the reviews' rows (a report open over several daily reviews is in each).
    The pack now gives both, in the words Analytics' range totals use, and says how it counts."""
    api = await seeded(database_url, sessions, api_for)
    ack = section((await get(api)).json(), "Daily acknowledgment")
    rows = await api.get("/analytics/acknowledgment", "E-INSPECTOR", params=RANGE)
    assert rows.status_code == 200, rows.text
    summed = sum(r["reports"] for r in rows.json())
    assert figs(ack)["Reports summed over the daily reviews"] == summed == SUMMED_ITEMS
    assert figs(ack)["Distinct reports in the daily reviews"] == 6 < summed
    words = " ".join(b["text"] for b in blocks(ack, "text"))
    assert "distinct counts each report once, at its latest review in the range" in words
    assert "counts a report once in each review it is in, as Analytics adds up" in words
    # Analytics' range totals name the sum as the pack does, and say how they add up
    totals = {c.label: c.total_label for c in ACKNOWLEDGMENT.columns}
    assert totals["Reports"] == "Reports summed over the daily reviews"
    assert "a report counts once in every review it is in" in ACKNOWLEDGMENT.totals_note


async def test_examples_2_and_3_sample_and_registers_match_the_seeded_set(
    database_url, sessions, api_for
):
    api = await seeded(database_url, sessions, api_for)
    doc = (await get(api)).json()
    learning = section(doc, "Fortnightly learning")
    assert figs(learning)["Pathways authorized"] == 1 and figs(learning)["Pathways validated"] == 0
    closure = section(doc, "Monthly closure")
    assert figs(closure)["Pathways validated"] == 1
    # each example names what its reviews read, as its pack does
    assert list(figs(learning))[1:3] == [
        "Distinct closed reports in the audits",
        "Closed reports summed over the audits",
    ]
    assert list(figs(closure))[1:3] == [
        "Distinct closures in the reviews",
        "Closures summed over the reviews",
    ]
    assert figs(section(doc, "Learning made visible")) == {
        "Closed reports classified (exceptions apart)": 3,
        "Feedback to the reporter": "2 of 3 (67%)",
        "Bulletins issued where learning was wider": "1 of 2 (50%)",
        "Recurrence within 30 days after feedback": "1 of 2 (50%)",
    }
    assert figs(section(doc, "Closure credibility")) == {
        "Closures classified (exceptions apart)": 3,
        "Employee-confirmed": "1 of 3 (33%)",
        "Reopened within 30 days": "1 of 3 (33%)",
        "Failed closures repaired and closed": "0 of 1 (0%)",
    }
    sample = section(doc, "Sample of complete case chronologies")
    titles = [b["title"] for b in blocks(sample, "table")]
    # no case of the seeded set closed in November: the sample says so, case by case, and how
    assert all(t.endswith("; not closed in the range: its chronology so far)") for t in titles)
    assert (
        "fewer cases closed in the range, cases opened in the range"
        in blocks(sample, "text")[0]["text"]
    )
    assert len(titles) == 5 and titles == [
        b["title"]
        for b in blocks(
            section((await get(api)).json(), "Sample of complete case chronologies"), "table"
        )
    ]
    c9 = next(b for b in blocks(sample, "table") if b["title"].startswith("C-9 ("))
    assert c9["rows"] == [
        [
            "Thu 26 Nov 2026, 11:00",
            "Repair validation recorded.",  # by the person beside it, as the case page says
            "E-Board (E-BOARD)",  # by name from the staff directory, as the pages show people
            "Board workforce experience record, entry 1; cited: Case chronology",  # titles
            "on time",
        ]
    ]
    registers = blocks(section(doc, "Register verification"), "table")[0]["rows"]
    # None verified in full before: the pack says so and reads nothing (it runs no full
    # verification itself; none could be started, Temporal is not reachable here).
    never = "never: none could be started (Temporal unavailable)"
    unread = "not verified: no check of this register has been recorded"
    assert registers == [
        ["acknowledgment-recovery-log", 1, 1, never, 0, unread],
        ["board-workforce-experience-record", 1, 1, never, 0, unread],
        ["learning-stabilization-log", 1, 1, never, 0, unread],
    ]


async def test_service_line_and_a_tampered_register(database_url, sessions, api_for):
    api = await seeded(database_url, sessions, api_for)
    async with sessions() as session, session.begin():
        await session.execute(
            update(RegisterEntry)
            .where(RegisterEntry.register == "learning-stabilization-log")
            .values(actor="E-SOMEONE-ELSE")
        )
    await verified_in_full(sessions)  # what the nightly workflow's activity does
    doc = (await get(api, service_line="HC-SOUTH")).json()
    assert doc["subtitle"].endswith("service line HC-SOUTH")
    ack = figs(section(doc, "Daily acknowledgment"))
    assert ack["Distinct reports in the daily reviews"] == 2  # NM-3, NM-4
    assert ack["Cases opened"] == 0
    credibility = figs(section(doc, "Closure credibility"))
    assert credibility["Closures classified (exceptions apart)"] == 1  # C-3
    rows = blocks(section(doc, "Register verification"), "table")[0]["rows"]
    result = {r[0]: (r[3], r[5]) for r in rows}
    assert result["learning-stabilization-log"] == (
        "Tue 1 Dec 2026, 09:00: FAILED at entry 1",
        "FAILS at entry 1: hash does not match the entry's fields; "
        "found by the full verification of Tue 1 Dec 2026, 09:00",
    )
    assert result["acknowledgment-recovery-log"][1] == "ok: entry 1 by the full verification"


async def test_pdf_and_zip_carry_the_same_evidence(database_url, sessions, api_for):
    api = await seeded(database_url, sessions, api_for)
    await verified_in_full(sessions)
    pdf = await get(api, format="pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(pdftotext(pdf.content).split())
    for phrase in (
        "Inspection evidence pack",
        "1 November 2026 to 30 November 2026 — all service lines",
        "learning culture",
        "Daily acknowledgment and triage review — reliability",
        "1 of 5 (20%)",
        "116.0 h",
        "Learning made visible",
        "Failed closures repaired and closed: 0 of 1 (0%)",
        "Sample of complete case chronologies",
        "Register verification",
        "Last full verification",
        "Tue 1 Dec 2026, 09:00: passed, entry 1",
        "ok: entry 1 by the full verification",
        "Generated at Tue 1 Dec 2026, 09:00",
        "C-9 (Monthly closure-credibility review",  # a sampled chronology, by its reference
    ):
        assert phrase in text, phrase
    assert "closure-case-" not in text  # the chronologies are titled by reference
    archive = zipfile.ZipFile(io.BytesIO((await get(api, format="zip")).content))
    names = archive.namelist()
    assert names[0] == "evidence.html" and any(n.endswith("-registers.csv") for n in names)
    registers = next(n for n in names if n.endswith("-registers.csv"))
    rows = list(csv.reader(io.StringIO(archive.read(registers).decode())))
    assert rows[0] == [
        "Register", "Entries", "Entries in range", "Last full verification",
        "Entries checked now", "Result",
    ]  # fmt: skip
    # the PDF's pack verified each in full and recorded it; nothing was added since
    assert len(rows) == 4 and [r[4] for r in rows[1:]] == ["0", "0", "0"]


async def test_who_may_read_it_and_bad_ranges(database_url, sessions, api_for):
    api = await seeded(database_url, sessions, api_for)
    assert (await api.get("/evidence", "W-100", params=RANGE)).status_code == 403
    assert (await api.get("/evidence", "E-ADMIN", params=RANGE)).status_code == 403
    assert (await api.get("/evidence", "E-BOARD", params=RANGE)).status_code == 200
    bad = await api.get(
        "/evidence", "E-INSPECTOR", params={"from": "2026-11-30", "to": "2026-11-01"}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "to"
    wide = await api.get(
        "/evidence", "E-INSPECTOR", params={"from": "2025-01-01", "to": "2026-11-01"}
    )
    assert wide.status_code == 422
    fmt = await api.get("/evidence", "E-INSPECTOR", params={**RANGE, "format": "docx"})
    assert fmt.status_code == 422 and fmt.json()["errors"][0]["field"] == "format"


async def test_range_defaults_to_the_last_quarter(database_url, sessions, api_for):
    """Neither date: the 13 weeks to today (local; the clock says 1 December 2026); `to` alone:
    90 days before it; `from` alone: up to today. Reversed or malformed: a 422 naming the field,
    with the defaults taken into account."""
    api = await seeded(database_url, sessions, api_for)

    async def subtitle(**params: str) -> str:
        response = await api.get("/evidence", "E-INSPECTOR", params=params)
        assert response.status_code == 200, response.text
        return str(response.json()["subtitle"]).split(" — ")[0]

    assert await subtitle() == "2 September 2026 to 1 December 2026"
    assert await subtitle(to="2026-11-30") == "1 September 2026 to 30 November 2026"
    assert await subtitle(**{"from": "2026-11-01"}) == "1 November 2026 to 1 December 2026"
    # The default range holds the seeded November figures (the same reviews as the explicit one).
    default = (await api.get("/evidence", "E-INSPECTOR")).json()
    explicit = (await get(api)).json()
    assert figs(section(default, "Daily acknowledgment")) == figs(
        section(explicit, "Daily acknowledgment")
    )
    assert figs(section(default, "Closure credibility")) == (
        figs(section(explicit, "Closure credibility"))
    )
    later = await api.get("/evidence", "E-INSPECTOR", params={"from": "2026-12-05"})
    assert later.status_code == 422
    assert later.json()["errors"] == [{"field": "to", "message": "before `from`"}]
    malformed = await api.get("/evidence", "E-INSPECTOR", params={"from": "2026-13-01"})
    assert malformed.status_code == 422 and malformed.json()["errors"][0]["field"] == "from"


async def test_a_report_unreconciled_at_two_reviews_is_one_exception(
    database_url, sessions, api_for
):
    """NM-4 does not reconcile at the 24 and the 25 November reviews: one report, one exception
    (it was counted once per review: 2 exceptions among 6 reports in scope)."""
    api = await seeded(database_url, sessions, api_for)
    async with sessions() as session, session.begin():
        session.add(item("ack-review-2026-11-25", "NM-4", None, service_line="HC-SOUTH"))
    ack = figs(section((await get(api)).json(), "Daily acknowledgment"))
    assert (ack["Distinct reports in the daily reviews"], ack["Exceptions"]) == (6, 1)
    assert ack["Reports summed over the daily reviews"] == SUMMED_ITEMS + 1  # NM-4 at 25 Nov


async def test_a_review_not_yet_due_is_neither_on_time_nor_late(database_url, sessions, api_for):
    """At 08:00 on 30 Nov that morning's review (due 09:30) is still open and not late: it is
    left out of the share on time and counted beside; 25 Nov's, never marked, is late. Steps
    are named by their titles, never by slugs."""
    api = await seeded(database_url, sessions, api_for)

    async def before_sign_off() -> datetime:
        return at(30, 8)

    api.app.state.clock = before_sign_off
    rows = blocks(section((await get(api)).json(), "Daily acknowledgment"), "table")[0]["rows"]
    assert rows[0] == ["Review marked reviewed", 2, 2, "2 of 3 (67%); 1 still open, not yet due"]
    assert not [r for r in rows if re.fullmatch(r"[a-z]+(-[a-z]+)+", r[0])], rows


async def test_a_reviews_missed_deadline_is_counted_in_a_pack_of_every_line(
    database_url, sessions, api_for
):
    """25 Nov's review was never marked reviewed: its sign-off breach (the governance process's
    own missed deadline) is counted beside the cases' in a pack of every service line, and not
    in a pack of one line (a review covers them all)."""
    api = await seeded(database_url, sessions, api_for)
    before = figs(section((await get(api)).json(), "Daily acknowledgment"), 2)
    line_before = figs(
        section((await get(api, service_line="HC-SOUTH")).json(), "Daily acknowledgment"), 2
    )
    async with sessions() as session, session.begin():
        session.add(
            Breach(
                case_id="ack-review-2026-11-25", step="mark-reviewed", deadline=at(25, 9, 30),
                level=1, escalated_at=at(25, 9, 30), resolved_at=None,
            )
        )  # fmt: skip
    after = figs(section((await get(api)).json(), "Daily acknowledgment"), 2)
    assert after["Missed deadlines"] == before["Missed deadlines"] + 1
    assert after["Still open"] == before["Still open"] + 1
    line_after = figs(
        section((await get(api, service_line="HC-SOUTH")).json(), "Daily acknowledgment"), 2
    )
    assert line_after == line_before
