"""A pathway action is named by its title wherever a page names it without the case's live
state: the receipt's heading while Temporal is unreachable, the reporter's milestones (issue 12:
"Action done: senior acknowledgment" was the slug in words, not the action's title)."""

from __future__ import annotations

from datetime import UTC, datetime

from api.deps import Actor
from api.web.case_view import CasePage
from api.web.receipts import _title
from api.web.reporter_story import _event_milestone
from domain.pathway_actions import ACTION_TITLES, action_title
from store.tables import CaseEvent
from tests.factories import case_row

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_titles_of_known_actions_and_words_for_unknown_ones() -> None:
    assert action_title("senior-acknowledgment") == "Immediate senior acknowledgment to the worker"
    assert action_title("final-correction") == "Final corrective action"
    assert action_title("some-new-action") == "Some new action"
    assert all(title[:1].isupper() for title in ACTION_TITLES.values())


def test_a_receipt_without_live_state_names_the_action_by_its_title() -> None:
    actor = Actor(
        employee_id="E-OWNER", display_name="E-Owner", email="o@example.org", roles=frozenset()
    )
    page = CasePage(case_row("ack-case-NM-1", "W-100"), None, "unavailable", actor, NOW)
    assert _title(page, "action:unsafe-condition-correction") == (
        "Same-day correction of the unsafe condition"
    )
    assert _title(page, "triage-attribution") == "Triage-failure attribution"


def test_the_reporter_reads_the_action_title() -> None:
    event = CaseEvent(
        case_id="ack-case-NM-1",
        at=NOW,
        kind="action_done",
        actor="E-OWNER",
        detail={"action": "senior-acknowledgment", "note": None},
    )
    milestone = _event_milestone(event)
    assert milestone is not None
    assert milestone.text == "Action done: Immediate senior acknowledgment to the worker"
