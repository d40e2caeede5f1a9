"""``GET /metrics``: HTTP series by route template, method and status, and the service's figures
read from a seeded database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from store.db import transaction
from store.register_checks import recorded, verify_in_full
from store.tables import Review
from tests.factories import load, staff_rows
from tests.fixtures.api import ApiClient, ApiFactory
from tests.ops_seed import LOG, REGISTER, append_case_entry, break_chain, seed_operations

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text exposition, keyed by name and label set."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


async def _api_at_now(api_for: ApiFactory, database_url: str) -> ApiClient:
    """The API on DATABASE_URL, its clock stopped at NOW."""
    api = await api_for(database_url)

    async def clock() -> datetime:
        return NOW

    api.app.state.clock = clock
    return api


async def test_service_figures_from_the_database(
    database_url: str, sessions_for, api_for: ApiFactory
) -> None:
    sessions = sessions_for(database_url)
    await seed_operations(sessions, NOW)
    api = await _api_at_now(api_for, database_url)
    found = samples((await api.get("/metrics", None)).text)
    assert value(found, "nearmiss_service_metrics_up") == 1
    level = {"example": "acknowledgment"}
    ob = "nearmiss_open_obligations"
    assert value(found, ob, **level, step="triage-attribution", escalation_level="0") == 1
    assert value(found, ob, **level, step="triage-attribution", escalation_level="1") == 1
    assert value(found, ob, **level, step="retention-impact", escalation_level="3") == 1
    assert value(found, ob, **level, step="closed", escalation_level="0") is None
    assert value(found, "nearmiss_cases", **level, stage="closed") == 1
    assert value(found, "nearmiss_cases", **level, stage="triage-attribution") == 2
    assert value(found, "nearmiss_reviews_overdue", **level) == 1
    board = {**level, "step": "retention-impact", "escalation_level": "3"}
    assert value(found, "nearmiss_breaches_open", **board) == 2
    assert value(found, "nearmiss_breaches_open_oldest_age_seconds", **board) == 7200
    review = {**level, "step": "mark-reviewed", "escalation_level": "1"}
    assert value(found, "nearmiss_breaches_open", **review) == 1
    assert value(found, "nearmiss_mail_messages", state="delivered") == 2
    assert value(found, "nearmiss_mail_messages", state="queued") == 1
    assert value(found, "nearmiss_mail_messages", state="failing") == 1
    assert value(found, "nearmiss_mail_oldest_undelivered_age_seconds") == 20 * 60
    assert value(found, "nearmiss_register_chain_ok", register=REGISTER) == 1
    assert value(found, "nearmiss_register_entries", register=REGISTER) == 2
    assert value(found, "nearmiss_register_chain_ok", register=LOG) == 1


async def test_reviews_left_building_are_counted_with_the_oldest_claims_age(
    database_url: str, sessions_for, api_for: ApiFactory
) -> None:
    """On PostgreSQL a review's row is committed as ``building`` before its items (every read
    hides it): the gauge counts such rows and gives the oldest claim's age by the app's clock.
    On SQLite a review is built in one transaction, never ``building``: 0 and 0."""
    sessions = sessions_for(database_url)
    await seed_operations(sessions, NOW)  # a generated and a reviewed review: not counted
    postgres = database_url.startswith("postgresql")
    if postgres:
        async with transaction(sessions) as session:
            for review_id, minutes in (("ack-review-2026-11-28", 20), ("cred-audit-2026-11", 1)):
                session.add(
                    Review(
                        review_id=review_id, example="acknowledgment", period=review_id[-10:],
                        as_of=NOW, generated_at=NOW - timedelta(minutes=minutes),
                        status="building", summary={"building": "token"},
                    )
                )  # fmt: skip
    api = await _api_at_now(api_for, database_url)
    found = samples((await api.get("/metrics", None)).text)
    assert value(found, "nearmiss_service_metrics_up") == 1
    assert value(found, "nearmiss_reviews_building") == (2 if postgres else 0)
    age = value(found, "nearmiss_reviews_building_oldest_age_seconds")
    assert age == (20 * 60 if postgres else 0)
    if postgres:  # published: no longer counted
        async with transaction(sessions) as session:
            await session.execute(text("UPDATE reviews SET status = 'generated'"))
        found = samples((await api.get("/metrics", None)).text)
        assert value(found, "nearmiss_reviews_building") == 0
        assert value(found, "nearmiss_reviews_building_oldest_age_seconds") == 0


async def test_no_personal_data_in_any_label(sqlite_url: str, sessions_for, api_for) -> None:
    await seed_operations(sessions_for(sqlite_url), NOW)
    api = await api_for(sqlite_url)
    text = (await api.get("/metrics", None)).text
    for personal in ("E-WORKER-1", "E-SUPERVISOR", "someone@example.org", "NM-1", "HC-NORTH"):
        assert personal not in text


async def test_a_broken_chain_reads_zero(sqlite_url: str, sessions_for, api_for) -> None:
    sessions = sessions_for(sqlite_url)
    await seed_operations(sessions, NOW)
    await break_chain(sessions, REGISTER)
    found = samples((await (await api_for(sqlite_url)).get("/metrics", None)).text)
    assert value(found, "nearmiss_register_chain_ok", register=REGISTER) == 0
    assert value(found, "nearmiss_register_chain_ok", register=LOG) == 1


async def scrape(api_for, url: str) -> dict:
    """One scrape by a freshly started app (so its chains are read now, whatever the interval)."""
    return samples((await (await api_for(url)).get("/metrics", None)).text)


async def test_an_old_entry_tampered_after_its_check_shows_after_a_full_verification(
    database_url: str, sessions_for, api_for
) -> None:
    sessions = sessions_for(database_url)
    await seed_operations(sessions, NOW)
    found = await scrape(api_for, database_url)  # records both entries as verified
    assert value(found, "nearmiss_register_verified_entries", register=REGISTER) == 2
    assert value(found, "nearmiss_register_full_verification_ok", register=REGISTER) is None
    await break_chain(sessions, REGISTER, seq=1)
    found = await scrape(api_for, database_url)  # only entries added since are read
    assert value(found, "nearmiss_register_chain_ok", register=REGISTER) == 1
    async with transaction(sessions) as session:  # the nightly run's (or on demand) check
        before = (await recorded(session)).get(REGISTER)
        await verify_in_full(session, REGISTER, at=NOW, before=before)
        await verify_in_full(session, LOG, at=NOW)
    found = await scrape(api_for, database_url)
    assert value(found, "nearmiss_register_chain_ok", register=REGISTER) == 0
    assert value(found, "nearmiss_register_full_verification_ok", register=REGISTER) == 0
    stamp = "nearmiss_register_full_verification_timestamp_seconds"
    assert value(found, stamp, register=REGISTER) == NOW.timestamp()
    assert value(found, "nearmiss_register_full_verification_ok", register=LOG) == 1
    assert value(found, "nearmiss_register_chain_ok", register=LOG) == 1
    found = await scrape(api_for, database_url)  # the failure stands
    assert value(found, "nearmiss_register_chain_ok", register=REGISTER) == 0


async def test_a_new_entry_tampered_shows_at_the_next_scrape(
    database_url: str, sessions_for, api_for
) -> None:
    sessions = sessions_for(database_url)
    await seed_operations(sessions, NOW)
    found = await scrape(api_for, database_url)
    assert value(found, "nearmiss_register_chain_ok", register=REGISTER) == 1
    await append_case_entry(sessions, NOW, "ack-case-NM-9")
    await break_chain(sessions, REGISTER, seq=3)
    found = await scrape(api_for, database_url)
    assert value(found, "nearmiss_register_chain_ok", register=REGISTER) == 0
    assert value(found, "nearmiss_register_entries", register=REGISTER) == 3
    assert value(found, "nearmiss_register_verified_entries", register=REGISTER) == 2
    assert value(found, "nearmiss_register_chain_ok", register=LOG) == 1


async def test_http_series_by_route_template_method_and_status(
    sqlite_url, sessions_for, api_for
) -> None:
    await load(sessions_for(sqlite_url), "staff-directory", staff_rows())
    api = await api_for(sqlite_url)
    for case_id in ("ack-case-NM-1", "ack-case-NM-2"):
        assert (await api.get(f"/cases/{case_id}", None)).status_code == 401
    rejected = await api.post(
        "/sources/incident-platform/records", "E-ADMIN", json={"records": [{"reference": ""}]}
    )
    found = samples((await api.get("/metrics", None)).text)
    route = {"handler": "/cases/{case_id}", "method": "GET", "status": "401"}
    assert value(found, "http_requests_total", **route) == 2
    assert value(found, "http_request_duration_seconds_count", **route) == 2
    assert value(found, "http_request_duration_seconds_bucket", **route, le="+Inf") == 2
    assert not any("NM-1" in dict(labels).get("handler", "") for _n, labels in found)
    assert rejected.status_code == 200 and len(rejected.json()["rejected"]) == 1, rejected.text
    assert value(found, "nearmiss_feed_records_rejected_total", feed="incident-platform") == 1
