"""Provider policy thresholds as versioned settings the administrator edits through the API."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.closure import ClosurePolicy
from domain.learning import LearningPolicy
from store.closure import generate_closure_review
from store.db import transaction
from store.policies import POLICY_REGISTER, current_policy, policy_by_version
from store.registers import entries
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
        policy = await current_policy(session, ClosurePolicy)
        review = await generate_closure_review(
            session, "closure-review-2026-10", "2026-10", AT, "Europe/London", policy
        )
    assert review.summary["policy"]["version"] == "closure-policy-v2"
    assert review.summary["policy"]["repeat_min"] == 3
    assert (await api.get("/policies/no-such", "E-ADMIN")).status_code == 404


def _auth(who: str) -> dict[str, str]:
    return bearer(who)
