"""Each of a worker's reports told in words: where it stands and what was done about it.

Built from ``store.my_reports.ReporterData``; names of staff never appear (the worker sees that
a triage owner was named, that someone acknowledged or acted, not who), and every instant stays
an instant for the template to show in provider local time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from api.web.closure_words import category_words
from domain import acknowledgment_steps, credibility_steps, learning_steps, names
from domain.pathway_actions import action_title
from domain.titles import capital
from store.my_reports import ReporterData, Row
from store.tables import Case, CaseEvent

# The steps' titles, as staff pages name them (``api.web.api_words``); a worker reads STEP_WORDS.
STEP_TITLES = {
    slug: spec.title
    for steps in (acknowledgment_steps.STEPS, learning_steps.STEPS, credibility_steps.STEPS)
    for slug, spec in steps.items()
}
# A frontline worker's words, not the governance process's: what the safety team is doing about
# their report, each step as what it means for them, each stage as where things stand.
EXAMPLES = {
    names.EXAMPLE_ACKNOWLEDGMENT: "checking how your report was acknowledged and triaged",
    names.EXAMPLE_LEARNING: "checking that what was learned from it is shared",
    names.EXAMPLE_CREDIBILITY: "checking that it was closed properly",
}
OPENED = {example: f"The safety team started {doing}" for example, doing in EXAMPLES.items()}
STEP_WORDS = {
    "triage-attribution": "The team worked out what went wrong with its triage",
    # Never whether anyone means to leave (the walk of 7 December: "how it affects staff wanting
    # to stay" is not for the worker who reported): what the team learned about confidence.
    "retention-impact": (
        "The team looked at what the response to your report meant for staff confidence "
        "in speaking up"
    ),
    "recovery-pathway": "A plan to put things right was drawn up",
    "recovery-review": "The plan's results were reviewed",
    "learning-attribution": "The team worked out why its lessons were not shared",
    "stabilization-pathway": "A plan to share its lessons properly was drawn up",
    "stabilization-validation": "The team checked that the plan worked",
    "stabilization-review": "The plan's results were reviewed",
    "credibility-adjudication": "The team checked whether it was closed properly",
    "repair-pathway": "A plan to put its closure right was drawn up",
    "repair-validation": "The team checked that the fix held",
}
ACTIVE = "the actions to put things right are under way"
STAGES = {
    "opened": "just started",
    "pathway-acceptance": "a plan to put things right is waiting for its owner to accept it",
    "awaiting-visibility": "the plan is waiting to be shared with the governance group",
    "made-visible": "the plan has been shared; work on it is starting",
    "active-recovery": ACTIVE,
    "active-stabilization": ACTIVE,
    "active-repair": ACTIVE,
    "awaiting-validation": "the actions are done; the team is checking that they worked",
    "closed": "closed",
}
EARLIEST = datetime.min.replace(tzinfo=UTC)
# The role, never the person (no staff names on a worker's page, as the other entries); the time
# from the manager response tracker's ``triage_owner_assigned_at`` (SOURCES.md), when it is sent.
NAMED = "A triage owner was named to look into it"
NAMED_UNTIMED = f"{NAMED} (the records do not say when)"
TRIAGED = "Triage completed"
EARLY = ("You reported it", "Acknowledged")
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
    answered: Row | None  # the answer since it was last asked; None: waiting for one
    earlier: Row | None = None  # an answer given before it was asked again
    asked_at: datetime | None = None
    why: str = ""  # "closed", "closed again", "asked again"
    next_step: str = ""  # what happens after the answer


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


def _report_milestones(
    report: Row, bulletin: Row | None, actions: list[Row], tracker: Row | None = None
) -> list[Milestone]:
    found = [Milestone(_at(report.get("submitted_at")), "You reported it")]
    if report.get("first_acknowledged_at"):
        found.append(Milestone(_at(report["first_acknowledged_at"]), "Acknowledged"))
    tracker = tracker or {}
    if report.get("triage_owner_id") or tracker.get("triage_owner_id"):
        named_at = _at(tracker.get("triage_owner_assigned_at"))
        # no time sent: said so, and placed before triage completed (``_in_order``)
        found.append(Milestone(named_at, NAMED if named_at else NAMED_UNTIMED))
    if report.get("triage_completed_at"):
        found.append(Milestone(_at(report["triage_completed_at"]), TRIAGED))
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
        return Milestone(event.at, STEP_WORDS.get(step, f"{capital(_words(step))} recorded"))
    if event.kind == "pathway_accepted":
        return Milestone(event.at, "A named owner accepted the plan to put things right")
    if event.kind == "action_done":
        return Milestone(event.at, f"Action done: {action_title(str(detail.get('action', '')))}")
    if event.kind == "closed":
        how = category_words(str(detail.get("category", ""))).lower()
        return Milestone(event.at, f"Closed ({how})")
    return None


def _case_milestones(case: Case, events: list[CaseEvent]) -> list[Milestone]:
    opened = OPENED.get(case.example, "The safety team started looking into it")
    found = [Milestone(case.opened_at, opened)]
    for event in events:
        milestone = _event_milestone(event)
        if milestone and event.kind == "closed" and case.example == names.EXAMPLE_CREDIBILITY:
            milestone.text = milestone.text.replace("Closed (", "Closed again (", 1)
        if milestone:
            found.append(milestone)
    return found


def _stands(report: Row, cases: list[Case]) -> str:
    open_cases = [c for c in cases if c.status == "open"]
    if open_cases:
        case = open_cases[0]
        doing = EXAMPLES.get(case.example, "looking into it")
        if case.stage not in STAGES:  # at a step: "checking …" already says it is being looked at
            return f"The safety team is {doing}"
        return f"The safety team is {doing}: {STAGES[case.stage]}"
    if report.get("closed_at") or any(c.status == "closed" for c in cases):
        return "Closed"
    return capital(TRIAGE.get(str(report.get("triage_status", "")), "received"))


def _in_order(milestones: list[Milestone]) -> list[Milestone]:
    """Milestones in the order they happened: by time, the untimed naming of a triage owner
    placed where it happens (before triage completed; else after the last acknowledgment)."""
    dated = sorted((m for m in milestones if m.at), key=lambda m: m.at or EARLIEST)
    untimed = [m for m in milestones if not m.at and m.text != NAMED_UNTIMED]
    if len(untimed) + len(dated) == len(milestones):
        return dated + untimed
    texts = [m.text for m in dated]
    if TRIAGED in texts:
        at = texts.index(TRIAGED)
    else:
        at = next((i + 1 for i in range(len(texts) - 1, -1, -1) if texts[i] in EARLY), 0)
    return [*dated[:at], Milestone(None, NAMED_UNTIMED), *dated[at:], *untimed]


def report_story(report: Row, data: ReporterData) -> ReportStory:
    """One report: where it stands, its milestones in time order, closures awaiting an answer."""
    ref = str(report["reference"])
    cases = data.cases.get(ref, [])
    milestones = _report_milestones(
        report, data.bulletins.get(ref), data.actions.get(ref, []), data.trackers.get(ref)
    )
    for case in cases:
        milestones += _case_milestones(case, data.events.get(case.case_id, []))
    dated = _in_order(milestones)
    return ReportStory(
        reference=ref,
        submitted_at=_at(report.get("submitted_at")),
        risk_domain=_words(str(report.get("risk_domain", ""))),
        stands=_stands(report, cases),
        milestones=dated,
    )


def report_stories(data: ReporterData) -> list[ReportStory]:
    """Every report of the worker, newest first."""
    return [report_story(report, data) for report in data.reports]
