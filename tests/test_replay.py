"""Committed histories of every workflow replay against today's code (CI fails on a
non-deterministic change; running cases would otherwise break). Until 1.0 a deliberate change
re-records them with NEARMISS_RECORD_HISTORIES=1 (README, Testing)."""

from __future__ import annotations

import base64
import json

import pytest
from temporalio.client import WorkflowHistory

from tests.histories import HISTORY_DIR, replayer

HISTORIES = sorted(HISTORY_DIR.glob("*.json"))


def test_histories_are_committed_for_each_workflow_type():
    types = set()
    for path in HISTORIES:
        events = json.loads(path.read_text())["events"]
        started = events[0]["workflowExecutionStartedEventAttributes"]
        types.add(started["workflowType"]["name"])
    assert {
        "ReviewWorkflow",
        "AcknowledgmentCaseWorkflow",
        "PackWorkflow",
        "ClosureCaseWorkflow",
    } <= types


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path):
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    result = await replayer().replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure


REVIEWS = [p for p in HISTORIES if "review" in p.stem or "audit" in p.stem]


def _marker_types(event: dict) -> list[str]:
    """The activity types a local-activity marker names (its details are base64 JSON)."""
    found = []
    for payload in event["markerRecordedEventAttributes"]["details"]["data"]["payloads"]:
        data = json.loads(base64.b64decode(payload["data"]))
        found.append(data.get("activity_type"))
    return found


@pytest.mark.parametrize("path", REVIEWS, ids=[p.stem for p in REVIEWS])
def test_marking_a_review_reviewed_is_answered_without_the_activity_queue(path):
    """The mark's write is a local activity: the person's page waits for the update's answer,
    and an ordinary activity queued behind other reviews' case openings kept it waiting 4.9 s
    (the walk of 8 December). The committed histories replay only against such code."""
    events = json.loads(path.read_text())["events"]
    scheduled = [
        e["activityTaskScheduledEventAttributes"]["activityType"]["name"]
        for e in events
        if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"
    ]
    local = [t for e in events if e["eventType"] == "EVENT_TYPE_MARKER_RECORDED"
             for t in _marker_types(e)]  # fmt: skip
    assert "mark_review_reviewed" not in scheduled
    assert "mark_review_reviewed" in local
