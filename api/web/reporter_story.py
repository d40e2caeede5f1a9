"""Each of a worker's reports told in words: where it stands and what was done about it.

Built from ``store.my_reports.ReporterData``; names of staff never appear (the worker sees that
someone was named, acknowledged or acted, not who), and every instant stays an instant for the
template to show in provider local time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from domain import acknowledgment_steps, credibility_steps, learning_steps, names
from domain.pathway_actions import action_title
from store.my_reports import ReporterData, Row
from store.tables import Case, CaseEvent

EXAMPLES = {
    names.EXAMPLE_ACKNOWLEDGMENT: "Acknowledgment and triage review",
    names.EXAMPLE_LEARNING: "Learning-visibility audit",
    names.EXAMPLE_CREDIBILITY: "Closure-credibility review",
}
STEP_TITLES = {
    slug: spec.title
    for steps in (acknowledgment_steps.STEPS, learning_steps.STEPS, credibility_steps.STEPS)
    for slug, spec in steps.items()
}
STAGES = {
    "pathway-acceptance": "waiting for the named owner to accept the plan",
    "awaiting-visibility": "the plan is waiting to be published to the governance group",
    "closed": "closed",
} | {slug: f"at the {title.lower()} step" for slug, title in STEP_TITLES.items()}
EARLIEST = datetime.min.replace(tzinfo=UTC)
TRIAGE = {
    "pending": "waiting for triage",
    "in_triage": "being triaged",
    "triaged": "triaged",
    "closed": "closed",
}


@dataclass
class Milestone:
    at: datetime | None
    text: str


@dataclass
class Confirmation:
    case_ref: str
    answered: Row | None


@dataclass
class ReportStory:
    reference: str
    submitted_at: datetime | None
    risk_domain: str
    stands: str
    milestones: list[Milestone] = field(default_factory=list)
    confirmations: list[Confirmation] = field(default_factory=list)


def _at(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _words(slug: str) -> str:
    return slug.replace("_", " ").replace("-", " ")


def _report_milestones(report: Row, bulletin: Row | None, actions: list[Row]) -> list[Milestone]:
    found = [Milestone(_at(report.get("submitted_at")), "You reported it")]
    if report.get("first_acknowledged_at"):
        found.append(Milestone(_at(report["first_acknowledged_at"]), "Acknowledged"))
    if report.get("triage_owner_id"):
        found.append(Milestone(None, "A named person is responsible for its triage"))
    if report.get("triage_completed_at"):
        found.append(Milestone(_at(report["triage_completed_at"]), "Triage completed"))
    if bulletin and bulletin.get("feedback_to_reporter_at"):
        found.append(Milestone(_at(bulletin["feedback_to_reporter_at"]), "Feedback sent to you"))
    if bulletin and bulletin.get("bulletin_issued_at"):
        text = f"Learning shared with colleagues (bulletin {bulletin.get('bulletin_id') or ''})"
        found.append(Milestone(_at(bulletin["bulletin_issued_at"]), text.replace(" )", ")")))
    for action in actions:
        found.append(_action_milestone(action))
    if report.get("closed_at"):
        found.append(Milestone(_at(report["closed_at"]), "Report closed"))
    return found


def _action_milestone(action: Row) -> Milestone:
    ref, status = action.get("corrective_action_ref", ""), str(action.get("status", ""))
    if action.get("completed_at"):
        return Milestone(_at(action["completed_at"]), f"Corrective action {ref} completed")
    return Milestone(_at(action.get("due_at")), f"Corrective action {ref}: {_words(status)}, due")


def _event_milestone(event: CaseEvent) -> Milestone | None:
    detail = event.detail or {}
    if event.kind == "step_submitted":
        step = str(detail.get("step", ""))
        return Milestone(event.at, f"{STEP_TITLES.get(step, _words(step))} recorded")
    if event.kind == "pathway_accepted":
        return Milestone(event.at, "A named owner accepted the plan to put things right")
    if event.kind == "action_done":
        return Milestone(event.at, f"Action done: {action_title(str(detail.get('action', '')))}")
    if event.kind == "closed":
        return Milestone(event.at, f"Closed ({_words(str(detail.get('category', '')))})")
    return None


def _case_milestones(case: Case, events: list[CaseEvent]) -> list[Milestone]:
    example = EXAMPLES.get(case.example, case.example)
    found = [Milestone(case.opened_at, f"{example}: a case was opened about it")]
    found += [m for m in (_event_milestone(e) for e in events) if m is not None]
    return found


def _stands(report: Row, cases: list[Case]) -> str:
    open_cases = [c for c in cases if c.status == "open"]
    if open_cases:
        case = open_cases[0]
        stage = STAGES.get(case.stage, _words(case.stage))
        return f"Under governance review ({EXAMPLES.get(case.example, case.example)}): {stage}"
    if report.get("closed_at") or any(c.status == "closed" for c in cases):
        return "Closed"
    return TRIAGE.get(str(report.get("triage_status", "")), "Received").capitalize()


def report_story(report: Row, data: ReporterData) -> ReportStory:
    """One report: where it stands, its milestones in time order, closures awaiting an answer."""
    ref = str(report["reference"])
    cases = data.cases.get(ref, [])
    milestones = _report_milestones(report, data.bulletins.get(ref), data.actions.get(ref, []))
    for case in cases:
        milestones += _case_milestones(case, data.events.get(case.case_id, []))
    dated = sorted((m for m in milestones if m.at), key=lambda m: m.at or EARLIEST)
    closed = [c.case_id for c in cases if c.status == "closed"]
    closed += [str(r["case_ref"]) for r in data.closed_elsewhere if r.get("reference") == ref]
    return ReportStory(
        reference=ref,
        submitted_at=_at(report.get("submitted_at")),
        risk_domain=_words(str(report.get("risk_domain", ""))),
        stands=_stands(report, cases),
        milestones=dated + [m for m in milestones if not m.at],
        confirmations=[Confirmation(c, data.confirmations.get(c)) for c in closed],
    )


def report_stories(data: ReporterData) -> list[ReportStory]:
    """Every report of the worker, newest first."""
    return [report_story(report, data) for report in data.reports]
