"""Provider policy thresholds as versioned settings the administrator edits through the API."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.acknowledgment import AckPolicy
from domain.credibility import CredibilityPolicy
from domain.learning import LearningPolicy
from store.acknowledgment import generate_review
from store.acknowledgment_values import case_policy
from store.credibility import generate_closure_review
from store.db import transaction
from store.policies import POLICY_REGISTER, current_policy, policy_by_version, save_policy
from store.register_reads import entries
from store.tables import Case
from tests.factories import load, staff_rows
from tests.fixtures.api import bearer

AT = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)


async def test_administrator_saves_versions_and_reviews_pin_the_current_one(
    sqlite_url, sessions_for, api_for
):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    api = await api_for(sqlite_url)
    url = "/policies/learning-visibility"
    shown = await api.get(url, "E-ANALYST")
    assert shown.status_code == 200, shown.text
    assert shown.json()["current"]["version"] == "learning-policy-v1"
    assert shown.json()["current"]["recurrence_tolerance"] == 1

    assert (await api.http.put(url, json={"recurrence_tolerance": 2})).status_code == 401
    denied = await api.http.put(url, json={"recurrence_tolerance": 2}, headers=_auth("E-DIRECTOR"))
    assert denied.status_code == 403
    bad = await api.http.put(
        url,
        json={"recurrence_tolerance": "many", "surprise": 1, "cycle_days": 14},
        headers=_auth("E-ADMIN"),
    )
    assert bad.status_code == 422, bad.text
    assert {e["field"] for e in bad.json()["errors"]} == {"recurrence_tolerance", "surprise"}
    renumber = await api.http.put(url, json={"version": "mine"}, headers=_auth("E-ADMIN"))
    assert renumber.status_code == 422 and renumber.json()["errors"][0]["field"] == "version"
    async with sessions() as session:
        assert await entries(session, POLICY_REGISTER) == []  # nothing saved by a bad request
    saved = await api.http.put(url, json={"recurrence_tolerance": 2}, headers=_auth("E-ADMIN"))
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["current"]["version"] == "learning-policy-v2"
    assert body["current"]["recurrence_tolerance"] == 2 and len(body["versions"]) == 2
    async with sessions() as session:
        assert (await current_policy(session, LearningPolicy)).recurrence_tolerance == 2
        [entry] = await entries(session, POLICY_REGISTER)
        assert (entry.actor, entry.subject) == ("E-ADMIN", "learning-visibility")
        v1 = await policy_by_version(session, LearningPolicy, "learning-policy-v1")
        assert v1 is not None and v1.recurrence_tolerance == 1

    closure = await api.http.put(
        "/policies/closure-credibility", json={"repeat_min": 3}, headers=_auth("E-ADMIN")
    )
    assert closure.json()["current"]["version"] == "closure-policy-v2"
    async with transaction(sessions) as session:
        policy = await current_policy(session, CredibilityPolicy)
        review = await generate_closure_review(
            session, "closure-review-2026-10", "2026-10", AT, "Europe/London", policy
        )
    assert review.summary["policy"]["version"] == "closure-policy-v2"
    assert review.summary["policy"]["repeat_min"] == 3
    assert (await api.get("/policies/no-such", "E-ADMIN")).status_code == 404


def _auth(who: str) -> dict[str, str]:
    return bearer(who)


async def test_example_1_step_values_use_the_rules_their_review_pinned(sqlite_url, sessions_for):
    sessions = sessions_for(sqlite_url)
    async with transaction(sessions) as session:
        await save_policy(
            session, "acknowledgment", {"repeat_category_min": 5}, actor="E-ADMIN", at=AT
        )
        policy = await current_policy(session, AckPolicy)
        await generate_review(session, "ack-review-2026-11-02", AT.date(), AT, policy)
        session.add(
            Case(
                case_id="ack-case-NM-1",
                example="acknowledgment",
                reference="NM-1",
                review_id="ack-review-2026-11-02",
                employee_id="W-1",
                service_line="SL-A",
                exposure="critical",
                stage="opened",
                status="open",
                escalation_level=0,
                opened_at=AT,
                updated_at=AT,
                detail={},
            )
        )
    async with transaction(sessions) as session:  # a later change does not move the case
        await save_policy(
            session, "acknowledgment", {"repeat_category_min": 9}, actor="E-ADMIN", at=AT
        )
    async with sessions() as session:
        pinned = await case_policy(session, "ack-case-NM-1")
    assert pinned is not None and pinned.version == "ack-policy-v2"
    assert pinned.repeat_category_min == 5


async def test_thresholds_out_of_range_are_a_422_naming_each_and_save_nothing(
    sqlite_url, sessions_for, api_for
):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    api = await api_for(sqlite_url)
    cases = {
        "/policies/acknowledgment": (
            {"ack_emerging_min": 0, "scope_days": 10_000, "agree_seconds": -1},
            {"ack_emerging_min", "scope_days", "agree_seconds"},
        ),
        "/policies/learning-visibility": (
            {"recurrence_tolerance": -1, "critical_indicator_count": 6, "cycle_days": 0},
            {"recurrence_tolerance", "critical_indicator_count", "cycle_days"},
        ),
        "/policies/closure-credibility": (
            {"validation_days": 0, "repeat_min": 1, "reopen_days": 100_000},
            {"validation_days", "repeat_min", "reopen_days"},
        ),
    }
    for url, (changes, fields) in cases.items():
        bad = await api.http.put(url, json=changes, headers=_auth("E-ADMIN"))
        assert bad.status_code == 422, bad.text
        assert {e["field"] for e in bad.json()["errors"]} == fields, bad.text
    # Related thresholds keep their order: critical above emerging, the reconfirmation before
    # the validation (the field named is the one the rule is about).
    upside_down = await api.http.put(
        "/policies/acknowledgment", json={"ack_emerging_min": 3000}, headers=_auth("E-ADMIN")
    )
    assert upside_down.status_code == 422, upside_down.text
    [error] = upside_down.json()["errors"]
    assert error["field"] == "ack_critical_min" and "above ack_emerging_min" in error["message"]
    late_ask = await api.http.put(
        "/policies/closure-credibility",
        json={"validation_days": 7, "reconfirm_days_before": 7},
        headers=_auth("E-ADMIN"),
    )
    assert late_ask.status_code == 422
    assert [e["field"] for e in late_ask.json()["errors"]] == ["reconfirm_days_before"]
    async with sessions() as session:
        assert await entries(session, POLICY_REGISTER) == []  # nothing saved
    edge = {"validation_days": 90, "reconfirm_days_before": 89, "repeat_min": 100}
    saved = await api.http.put("/policies/closure-credibility", json=edge, headers=_auth("E-ADMIN"))
    assert saved.status_code == 200, saved.text
    assert saved.json()["current"]["validation_days"] == 90
