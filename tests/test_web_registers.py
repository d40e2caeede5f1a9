"""Register pages over httpx on SQLite and PostgreSQL: every register with its length, latest
entry and recorded verification; one register's entries newest first, keyset-paged, with the
verify command; an old entry altered after a view checked it is found by the full verification
the page starts as a workflow (real time-skipping server: "running since" until a worker runs
it, then failed, and it stays); refused to a role without access."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from api.web.render import local_time
from store.db import transaction
from store.tables import RegisterEntry
from tests.factories import load, staff_rows
from tests.fixtures.api import bearer
from tests.fixtures.mail import free_port
from tests.register_support import REGISTER, append_page_entries
from tests.web_support import csrf, sign_in, text
from tests.workflow_support import running_worker, wait_for

PAGE = f"/app/registers/{REGISTER}"
ASKED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # the API's clock when the button is pressed


async def _asked_clock() -> datetime:
    return ASKED_AT


async def test_register_pages(database_url, sessions, api_for) -> None:  # type: ignore[no-untyped-def]
    await load(sessions, "staff-directory", staff_rows())
    hashes = await append_page_entries(sessions)
    api = await api_for(
        database_url, env="development", api_host="127.0.0.1",
        temporal_address=f"127.0.0.1:{free_port()}",
    )  # fmt: skip
    tz = api.app.state.settings.timezone

    await sign_in(api, "W-100")  # no evidence role: refused like the other evidence pages
    refused = await api.http.get("/app/registers")
    assert refused.status_code == 403
    words = text(refused.text)  # the roles as the pages name them, not the API's identifiers
    # short on a phone: the twelve job titles listed apart, under "a governance role"
    assert "Only the inspector or a governance role may see this page." in words
    assert "<summary>Which jobs are governance roles?</summary>" in refused.text
    assert "<li>Board Workforce Experience Reviewer</li>" in refused.text
    assert "_" not in words and "requires one of the roles" not in words
    assert (await api.http.get(PAGE)).status_code == 403
    # the evidence pack and a pack, opened in the browser (a link, a PDF asked for, the page's
    # own rendering): the same worded page (walk 12: a worker got the API's JSON)
    html = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for path in ("/evidence", "/packs/weekly-sustainability/2026-W46"):
        for params, headers in (({"format": "html"}, {}), ({"format": "pdf"}, html), ({}, html)):
            refused = await api.http.get(path, params=params, headers=headers)
            assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
            words = text(refused.text)
            assert "Only the inspector or a governance role may see this page." in words
            assert "_" not in words and "requires one of the roles" not in words
        # asked for JSON, or with a bearer token: the API's JSON, role identifiers and all
        for params, headers in (({}, {}), ({"format": "html"}, bearer("W-100"))):
            answer = await api.http.get(path, params=params, headers=headers)
            assert answer.status_code == 403
            assert "requires one of the roles" in answer.json()["detail"]
    assert 'href="/app/registers"' not in (await api.http.get("/app")).text

    await sign_in(api, "E-INSPECTOR")
    assert 'href="/app/registers"' in (await api.http.get("/app")).text  # My work's Evidence
    listing = await api.http.get("/app/registers")
    assert listing.status_code == 200
    words = text(listing.text)
    assert f'href="{PAGE}"' in listing.text and "Near-miss reliability case register" in words
    assert "Verified 3 entries" in words
    # the latest entry in the one form the row's verification times use, with the year (the
    # walk of 7 December read "Mon 7 Dec, 23:24" beside "Mon 7 Dec 2026, 23:26" on one row)
    assert local_time(datetime(2026, 11, 26, 10, 2, tzinfo=UTC), tz, with_year=True) in words
    assert hashes[-1][:12] in words and hashes[-1] in listing.text  # short, and the full value
    assert "<caption>Registers and their verification</caption>" in listing.text
    assert (await api.http.get("/app/registers/nope")).status_code == 404

    await sign_in(api, "E-SUPERVISOR")
    page = await api.http.get(PAGE)
    words = text(page.text)
    assert "Verified 3 entries" in words and "Triage attribution" in words
    assert [words.index(h[:12]) for h in reversed(hashes)] == sorted(
        words.index(h[:12]) for h in hashes
    )  # newest first
    assert 'href="/app/cases/ack-case-NM-0"' in page.text  # a stored case is linked
    # by the report reference people know it by; its case ID only in the link's URL
    assert 'href="/app/cases/ack-case-NM-0">Report NM-0</a>' in page.text
    assert "ack-case-NM-0<" not in page.text and "ack-case-NM-1<" not in page.text
    assert 'href="/app/cases/ack-case-NM-1"' not in page.text  # no such case
    assert "(E-SUPERVISOR)" in words
    assert f"nearmiss registers verify {REGISTER} --head 3:{hashes[-1]}:" in words
    assert f'href="/registers/{REGISTER}/entries"' in page.text
    older_page = text((await api.http.get(f"{PAGE}?before=3")).text)
    assert "verified on the newest entries' page" in older_page  # not re-read per page turn
    older = older_page.split("newest first")[1]
    assert hashes[1][:12] in older and hashes[0][:12] in older and hashes[2][:12] not in older
    assert "Entries 1 to 2 of 3" in older  # the keyset's next page
    assert (await api.http.get(f"{PAGE}?before=0")).status_code == 422


async def test_a_full_verification_from_the_page_finds_an_old_entry_altered(  # type: ignore[no-untyped-def]
    own_env, database_url, sessions, api_for, task_queue
) -> None:
    await load(sessions, "staff-directory", staff_rows())
    await append_page_entries(sessions)
    api = await api_for(
        database_url, env="development", api_host="127.0.0.1", temporal=own_env.client,
        temporal_task_queue=task_queue,
    )  # fmt: skip
    api.app.state.clock = _asked_clock
    await sign_in(api, "E-INSPECTOR")
    assert "Verified 3 entries" in text((await api.http.get("/app/registers")).text)
    async with transaction(sessions) as session:  # someone edits history behind our back
        await session.execute(
            update(RegisterEntry).where(RegisterEntry.seq == 2).values(payload={"n": 99})
        )
    listed = text((await api.http.get("/app/registers")).text)  # old entries are not re-read
    assert "Verified 3 entries (entries 1 to 3 as they were added; last checked" in listed
    assert "None yet Verify Near-miss reliability case register in full" in listed
    assert "Failed" not in listed.split("What each status means")[0]
    page = await api.http.get(PAGE)
    button = f'action="/app/registers/{REGISTER}/verify"'
    assert button in page.text and "Verify this register in full" in text(page.text)
    started = await api.http.post(f"{PAGE}/verify", data={"csrf_token": csrf(page.text)})
    assert started.status_code == 303 and started.headers["location"] == f"{PAGE}?verifying=1"
    running = text((await api.http.get(started.headers["location"])).text)  # no worker yet
    assert "Full verification under way in the background" in running
    since = local_time(ASKED_AT, api.app.state.settings.timezone, with_year=True)
    assert "Last full verification None yet" in running  # the last outcome, then its own row:
    assert f"Running now Full verification running since {since}; reload this page" in running
    assert "Failed" not in running.split("What")[0]  # nothing verified inline
    listed = text((await api.http.get("/app/registers")).text)
    assert f"Full verification running since {since}" in listed
    failed = "Failed at entry 2: payload does not match its digest (found by the full verification"
    async with running_worker(own_env, sessions, task_queue=task_queue):

        async def shown() -> str | None:  # recorded, and the run over (its alert mail sent)
            found = text((await api.http.get(PAGE)).text)
            return found if failed in found and "running since" not in found else None

        tampered = await wait_for(shown)
    assert "Verified" not in tampered.split("What")[0]
    assert '<span class="bad">Failed at entry 2' in (await api.http.get(PAGE)).text
    assert failed in text((await api.http.get("/app/registers")).text)  # it stays failed
