"""Review pages over httpx: a real database, a time-skipping Temporal server and a worker.

The list of recent reviews, one review's counts, the classified list with its filters, an
exception's conflicting source values side by side, and "Mark reviewed" (step-1 role only,
CSRF-protected, a double post applied once) opening the cases the page then links to.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from api.web.render import local_date
from domain import names
from tests.api_support import CRITICAL, EMERGING, FINE
from tests.web_support import SPLIT, csrf, form, pages_api, seed_with_exception, sign_in, text
from tests.workflow_support import (
    next_working_day,
    running_worker,
    skip,
    skip_to_as_of,
    wait_for,
)


async def _supervisor_reads_and_filters_the_review(api: Any, rid: str) -> None:
    """The list and the review in words, the exception's sources side by side, filters; no
    marking for a role that is not step 1's."""
    await sign_in(api, "E-SUPERVISOR")
    listing = await api.http.get("/app/reviews")
    assert listing.status_code == 200 and f'href="/app/reviews/{rid}"' in listing.text
    assert "awaiting review" in text(listing.text)
    page = await api.http.get(f"/app/reviews/{rid}")
    words = text(page.text)
    assert "Critical 1" in words and "Emerging 1" in words and "Within tolerance 1" in words
    assert "Exceptions (not reconciled) 1" in words
    assert all(ref in words for ref in (CRITICAL, EMERGING, FINE, SPLIT))
    # The exception: both sources' service lines side by side.
    # Sources named as the seed names them, not by their feed slugs.
    assert "Service line disagrees with manager response tracker" in words
    assert (
        "HC-NORTH (incident and near-miss platform)" in words
        and "HC-SOUTH (manager response tracker)" in words
    )
    assert "incident-platform" not in words and "manager-response-tracker" not in words
    assert "Mark reviewed" not in words  # the supervisor is not the step-1 role

    critical = text((await api.http.get(f"/app/reviews/{rid}?classification=critical")).text)
    assert CRITICAL in critical and EMERGING not in critical and "1 report match" in critical
    east = text((await api.http.get(f"/app/reviews/{rid}?service_line=HC-EAST")).text)
    assert EMERGING in east and CRITICAL not in east


async def test_review_pages(own_env, sqlite_url, sessions_for, api_for) -> None:  # type: ignore[no-untyped-def]
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await pages_api(api_for, sqlite_url, own_env, queue)
        day = await next_working_day(own_env)
        await seed_with_exception(sessions, day)
        await skip_to_as_of(own_env, day)
        started = await api.post(f"/reviews/acknowledgment/{day}", "E-ADMIN")
        rid = started.json()["review_id"]

        async def generated() -> bool:
            return (await api.get(f"/reviews/{rid}", "E-ANALYST")).status_code == 200

        await wait_for(generated)
        await sign_in(api, "W-100")
        assert (await api.http.get("/app/reviews")).status_code == 403

        await _supervisor_reads_and_filters_the_review(api, rid)
        named = local_date(day)  # the review by its day in words, as My work names it
        assert (
            f"<h1>Daily acknowledgment review of {named}</h1>"
            in (await api.http.get(f"/app/reviews/{rid}")).text
        )
        listed = (await api.http.get("/app/reviews")).text
        assert f'{rid}">{named}</a>' in listed and f">{day}</a>" not in listed
        # its as-of on its own day by the time alone (the date was given twice in one row)
        row = text(listed.split(f'{rid}">', 1)[1].split("</tr>", 1)[0])
        assert "that day" in row and row.count(named.split(" 20")[0]) == 1, row

        await sign_in(api, "E-ANALYST")
        page = await api.http.get(f"/app/reviews/{rid}")
        action = f"/app/reviews/{rid}/reviewed"
        hidden = form(page.text, action)["hidden"]
        forged = await api.http.post(action, data={**hidden, "csrf_token": "forged"})
        assert forged.status_code == 403
        first = await api.http.post(action, data=hidden)
        again = await api.http.post(action, data=hidden)  # a double click
        assert first.status_code == again.status_code == 303, again.text
        case_id = names.ack_case_id(CRITICAL)

        async def linked() -> str | None:
            body = (await api.http.get(f"/app/reviews/{rid}")).text
            return body if f'href="/app/cases/{case_id}"' in body else None

        reviewed = text(await wait_for(linked))
        assert "reviewed by E-Analyst" in reviewed and "Mark reviewed" not in reviewed
        await _the_marked_notice_goes_once_the_cases_are_open(api, first.headers["location"])
        await skip(own_env, timedelta(minutes=2))  # a reload later says nothing of the marking
        later = (await api.http.get(first.headers["location"])).text
        assert 'class="notice"' not in later and "reviewed by E-Analyst" in text(later)
        assert csrf(page.text)


async def _the_marked_notice_goes_once_the_cases_are_open(api, marked: str) -> None:  # type: ignore[no-untyped-def]
    """The page marking redirects to says what marking set going, in its review kind's one
    wording, and names each case by its report: a link once the case is open ("opening" before,
    never a link to a case not there yet)."""
    assert marked.endswith("?marked=1")
    first = (await api.http.get(marked)).text
    assert MARKED_ACK in text(first), text(first)
    assert f"report {CRITICAL}" in text(first) and f"case {CRITICAL}" not in text(first)
    if f">report {CRITICAL}</a>" not in first:
        assert f"report {CRITICAL} (opening)" in text(first)

    async def settled() -> str | None:
        body = (await api.http.get(marked)).text
        return body if f">report {CRITICAL}</a>" in body else None

    again = await wait_for(settled)
    assert "(opening)" not in text(again) and "Cases this review opened" in again


MARKED_ACK = (
    "Marked reviewed: a case opens for each emerging and critical report, for the Near-Miss "
    "Governance Supervisor's triage-failure attribution."
)
