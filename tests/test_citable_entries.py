"""What each example's chronology offers as evidence: the case's recorded actions (and the feeds'
records), never the service's own bookkeeping — the walk of 8 December ticked "Case opened",
"Now at the step …" and "Ben Okafor opened the daily review" and the receipt listed them as
evidence of a triage failure. The chronology still shows every event; only citing is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.citable import ACTION_EVENT_KINDS
from domain.credibility import credibility_case_id
from store.documents import build_document, entry_ids
from store.tables import Case, CaseEvent, SourceRecordVersion

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
BOOKKEEPING = {  # what the service writes about itself (api.web.event_words says each)
    "stage": {"stage": "opened"},
    "obligation_opened": {"obligation": "triage-attribution", "rule": "close of business"},
    "document_opened": {"document": "daily-review"},
    "escalated": {"obligation": "triage-attribution", "level": 1},
    "exposure_raised": {"exposure": "critical"},
    "exposure_confirmed": {"exposure": "doubtful"},
    "validation_measures_refreshed": {},
    "values_failing": {"step": "triage-attribution"},
}
ACTIONS = {
    "step_submitted": {"step": "triage-attribution", "register": "r", "late": False},
    "pathway_accepted": {"late": False},
    "action_done": {"action": "final-corrective-action", "late": False},
    "closed": {"category": "recovered"},
}
# Each example's chronology: (slug, the case it is built for, the cases whose events it shows,
# the feed and key of one of its records)
CHRONOLOGIES = {
    "acknowledgment": (
        "report-chronology", "ack-case-NM-9", ("ack-case-NM-9",), "incident-platform", "NM-9",
    ),
    "learning": (
        "corrective-action-chronology", "learning-case-NM-9", ("learning-case-NM-9",),
        "incident-platform", "NM-9",
    ),
    "credibility": (
        "case-chronology", credibility_case_id("CC-9"), ("CC-9", credibility_case_id("CC-9")),
        "closed-case-register", "CC-9",
    ),
}  # fmt: skip


async def _seed(session: AsyncSession, example: str, case_id: str, events_of: tuple[str, ...],
                feed: str, key: str) -> None:  # fmt: skip
    session.add(
        Case(
            case_id=case_id,
            example=example,
            reference="NM-9",
            review_id="review-9",
            employee_id="E1",
            service_line="SL-A",
            exposure="critical",
            stage="triage-attribution",
            status="open",
            opened_at=AT,
            updated_at=AT,
            detail={},
        )  # fmt: skip
    )
    content = {"reference": "NM-9", "case_ref": "CC-9", "submitted_at": AT.isoformat()}
    session.add(
        SourceRecordVersion(
            feed=feed, key=key, version=1, content=content, content_hash="h", received_at=AT
        )
    )
    n = 0
    for owner in events_of:
        for kind, detail in (BOOKKEEPING | ACTIONS).items():
            n += 1
            session.add(
                CaseEvent(
                    case_id=owner,
                    at=AT + timedelta(minutes=n),
                    kind=kind,
                    actor="E0002",
                    detail=detail,
                    dedupe_key=f"{owner}:{kind}",
                )  # fmt: skip
            )


@pytest.mark.parametrize("example", list(CHRONOLOGIES))
async def test_a_chronology_cites_records_and_actions_never_bookkeeping(
    sessions: async_sessionmaker[AsyncSession], example: str
) -> None:
    slug, case_id, events_of, feed, key = CHRONOLOGIES[example]
    async with sessions() as session, session.begin():
        await _seed(session, example, case_id, events_of, feed, key)
    async with sessions() as session:
        body = await build_document(
            session, slug, reference="NM-9", review_id="review-9", case_id=case_id
        )
    entries = body["entries"]
    kinds = {e["id"]: e["kind"] for e in entries}
    shown = [kinds[i] for i in kinds if i.startswith("event:")]
    assert set(shown) == set(BOOKKEEPING) | set(ACTIONS)  # the chronology shows everything
    assert len(shown) == len(events_of) * len(BOOKKEEPING | ACTIONS)
    cited = entry_ids(body)
    assert f"{feed}:{key}:v1" in cited  # the feed's record
    assert sorted(kinds[i] for i in cited if i.startswith("event:")) == sorted(
        list(ACTIONS) * len(events_of)
    )
    assert set(ACTIONS) <= ACTION_EVENT_KINDS


def test_an_entry_is_not_searched_for_entries_inside_it() -> None:
    """A record's content (or an event's detail) naming an ``id`` is not a second entry."""
    body = {"entries": [{"id": "feed:K:v1", "kind": "record_received", "content": {"id": "x"}}]}
    assert entry_ids(body) == ["feed:K:v1"]
