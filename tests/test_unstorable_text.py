"""Arbitrary Unicode (NUL, lone surrogates, controls, 100k characters) at every boundary: never a
5xx, a bad feed row rejected with its index and field beside stored neighbours, a form or path
422 naming the field (issue 10, item 1). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cli.demo_data import generate
from domain.feeds import FEEDS
from store.tables import SourceRecord
from tests.factories import load, staff_rows

ADMIN = "E-ADMIN"
PROFILE = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec=None, categories=["Cc", "Cs", "Co", "Cn"])),
    st.sampled_from(["\x00", "E10\x0001", "\ud800", "a\udfffb", "x" * 100_000, "\x7f\x1b[0m"]),
)


@cache
def sample_rows() -> dict[str, dict[str, Any]]:
    """One valid row of every feed (demo data)."""
    rows = generate(7, 60, datetime(2026, 12, 1, 8, tzinfo=UTC))
    return {feed: rows[feed][0] for feed in FEEDS}


def drawn(strategy: st.SearchStrategy[Any]) -> list[Any]:
    """Examples hypothesis draws from STRATEGY (bounded by PROFILE), for an async check loop."""
    out: list[Any] = []

    @PROFILE
    @given(strategy)
    def collect(value: Any) -> None:
        out.append(value)

    collect()
    return out


def string_fields(row: dict[str, Any]) -> list[str]:
    return sorted(name for name, value in row.items() if isinstance(value, str))


def body(value: Any) -> bytes:
    """JSON as a client would send it; lone surrogates travel as \\uD800 escapes."""
    return json.dumps(value, ensure_ascii=True).encode()


async def stored_keys(sessions, feed: str) -> set[str]:
    async with sessions() as session:
        rows = await session.execute(select(SourceRecord.key).where(SourceRecord.feed == feed))
    return set(rows.scalars())


async def post_json(api, url: str, who: str, value: Any):
    headers = {"content-type": "application/json"}
    return await api.post(url, who, content=body(value), headers=headers)


async def test_nasty_text_in_every_feed_never_5xx_and_neighbours_stay(
    database_url, sessions_for, api_for
):
    sessions = sessions_for(database_url)
    api = await api_for(database_url, bootstrap_admins=[ADMIN])

    cases = st.sampled_from(sorted(FEEDS)).flatmap(
        lambda feed: st.tuples(
            st.just(feed), st.sampled_from(string_fields(sample_rows()[feed])), NASTY
        )
    )
    for feed, field, text in drawn(cases):
        good = dict(sample_rows()[feed])
        bad = {**good, field: text}
        response = await post_json(api, f"/sources/{feed}/records", ADMIN, {"records": [bad, good]})
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["accepted"] >= 1
        assert str(good[FEEDS[feed].key]) in await stored_keys(sessions, feed)
        for rejection in answer["rejected"]:
            assert rejection["index"] == 0 and rejection["errors"], answer


async def test_nul_in_a_record_key_is_that_rows_rejection(database_url, sessions_for, api_for):
    sessions = sessions_for(database_url)
    api = await api_for(database_url, bootstrap_admins=[ADMIN])
    feed = "workforce-concern-register"
    good = sample_rows()[feed]
    key = FEEDS[feed].key
    batch = [{**good, key: "C\x00-1"}, {**good, "employee_id": "E10\x0001", key: "C-2"}, good]
    response = await post_json(api, f"/sources/{feed}/records", ADMIN, {"records": batch})
    assert response.status_code == 200, response.text
    rejected = {r["index"]: [e["field"] for e in r["errors"]] for r in response.json()["rejected"]}
    assert rejected == {0: [key], 1: ["employee_id"]}
    assert await stored_keys(sessions, feed) == {good[key]}


async def test_nasty_text_in_the_forms_is_a_422_naming_the_field_or_stored(
    database_url, sessions_for, api_for
):
    sessions = sessions_for(database_url)
    await load(sessions, "staff-directory", staff_rows())
    api = await api_for(database_url)
    forms = {
        "/forms/speaking-up-confidence": {"score": 4, "risk_domain": "medication"},
        "/forms/employee-confirmation": {"case_ref": "CASE-1", "confirmed": True},
    }

    for url, field, text in drawn(
        st.tuples(st.sampled_from(sorted(forms)), st.just("comment"), NASTY)
    ):
        response = await post_json(api, url, "W-100", {**forms[url], field: text})
        assert response.status_code < 500, response.text
        if "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            assert response.status_code == 422
            assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_nul_in_a_path_or_query_is_a_422_naming_it(database_url, sessions_for, api_for):
    sessions = sessions_for(database_url)
    await load(sessions, "staff-directory", staff_rows())
    api = await api_for(database_url)
    response = await api.get("/cases/ack%00x", "E-SUPERVISOR")
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["case_id"]
    surrogate = await api.get("/cases/ack%ED%A0%80x", "E-SUPERVISOR")
    assert surrogate.status_code < 500, surrogate.text
    query = await api.get("/analytics/workforce?from=2026-11-01&to=2026-12-07&x=%00", "E-ADMIN")
    assert query.status_code == 422 or query.status_code == 403, query.text
    assert (await api.get("/cases/ack%00x", None)).status_code == 401


async def test_the_access_rule_comes_before_the_text(database_url, sessions_for, api_for):
    """A caller without the route's role gets 403 whatever the body, a case they may not know
    of 404; only then does unstorable text get its 422 (issue 10, item 6)."""
    sessions = sessions_for(database_url)
    await load(sessions, "staff-directory", staff_rows())
    api = await api_for(database_url)
    nul = {"note": "x\x00y"}
    step = "/cases/ack-case-NM-NONE/steps/triage-attribution"
    assert (await post_json(api, step, "W-100", nul)).status_code == 403
    assert (await post_json(api, step, "W-100", {})).status_code == 403  # not a field list
    reviewed = "/reviews/ack-review-2026-12-01/reviewed"
    assert (await post_json(api, reviewed, "W-100", nul)).status_code == 403
    assert (await post_json(api, step, None, nul)).status_code == 401
    assert (await post_json(api, step, "E-SUPERVISOR", nul)).status_code == 404
    form = {"score": 4, "risk_domain": "medication", "comment": "x\x00y"}
    own = await post_json(api, "/forms/speaking-up-confidence", "W-100", form)
    assert own.status_code == 422 and [e["field"] for e in own.json()["errors"]] == ["comment"]
