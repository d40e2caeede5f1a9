"""A pack's pathway deadlines in words: the acceptance and each action once, with its deadline
and when it was done, then the dates the pathway entered that no action carries."""

from __future__ import annotations

from typing import Any

from domain.report import day_words, label, local_minute

DEADLINE_FIELDS = (
    "triage_control_implementation_deadline",
    "worker_communication_deadline",
    "mandatory_review_date",
    "learning_control_implementation_deadline",
    "worker_feedback_deadline",
    "review_date",
    "final_corrective_deadline",
    "worker_reconnection_deadline",
    "follow_up_review_date",
)

# An entered date the pathway's own action carries (its deadline is that date's close of
# business): the pack names it once, as the action's deadline.
ACTION_OF_FIELD = {
    "triage_control_implementation_deadline": "action:triage-control-implementation",
    "worker_communication_deadline": "action:worker-communication",
    "learning_control_implementation_deadline": "action:learning-control-implementation",
    "worker_feedback_deadline": "action:worker-feedback",
    "final_corrective_deadline": "action:final-correction",
    "worker_reconnection_deadline": "action:worker-reconnection",
    "follow_up_review_date": "action:follow-up-review",
}


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:]


def deadline_lines(pathway: dict[str, Any], owed: dict[str, Any], zone: str) -> str:
    """The pathway's acceptance and actions, one a line, each with its deadline once ("Worker
    reconnection: due Thu 15 Oct 2026, 17:00; done Tue 13 Oct 2026, 10:00"), then the dates it
    entered that no action carries ("Mandatory review date: Tue 20 Oct 2026")."""
    lines = [
        f"{_sentence(label(k).removeprefix('pathway action '))}: due "
        f"{local_minute(v['deadline'], zone)}"
        + (f"; done {local_minute(v['done'], zone)}" if v["done"] else "")
        for k, v in owed.items()
        if k.startswith("action:") or k == "pathway-acceptance"
    ]
    lines += [
        f"{_sentence(label(f))}: {_when(pathway[f], zone)}"
        for f in DEADLINE_FIELDS
        if pathway.get(f) and ACTION_OF_FIELD.get(f) not in owed
    ]
    return "\n".join(lines) or "—"


def _when(value: Any, zone: str) -> str:
    """A pathway's entered deadline in words: a bare date ("Thu 15 Oct 2026", close of business
    that day) or an instant to the minute."""
    text = str(value)
    if len(text) == 10:
        return day_words(text)
    return local_minute(text, zone)
