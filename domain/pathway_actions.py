"""Each pathway action's title by its slug: the workflows plan actions under these titles, and
pages name a done action by it (an action_done event records only the slug)."""

from __future__ import annotations

from typing import Any

from domain.titles import capital

# (action slug, title, deadline: ISO date -> close of business that day, ISO instant, or
# None -> close of business of the authorization day, for "same-day"/"immediate" actions)
ActionPlan = list[tuple[str, str, str | None]]

ACTION_TITLES = {
    # Example 1: the acknowledgment-recovery pathway.
    "triage-control-implementation": "Corrected triage-control implementation",
    "worker-communication": "Worker communication",
    "unsafe-condition-correction": "Same-day correction of the unsafe condition",
    "senior-acknowledgment": "Immediate senior acknowledgment to the worker",
    # Example 2: the learning-stabilization pathway.
    "learning-control-implementation": "Corrected learning-control implementation",
    "worker-feedback": "Worker feedback",
    "direct-feedback-all-reporters": "Feedback to all reporters in the domain",
    "controlled-learning-bulletin": "Controlled learning bulletin",
    # Example 3: the closure-repair pathway.
    "final-correction": "Final corrective action",
    "worker-reconnection": "Worker reconnection",
    "follow-up-review": "Follow-up review",
    "senior-contact": "Direct senior safety-learning contact",
    "independent-verification": "Independent verification",
}


def action_title(slug: str) -> str:
    """The action's title ("Worker feedback"); an unknown slug in words."""
    words = slug.replace("-", " ").replace("_", " ").strip()
    return ACTION_TITLES.get(slug) or capital(words)


def _plan(*actions: tuple[str, str | None]) -> ActionPlan:
    return [(slug, ACTION_TITLES[slug], when) for slug, when in actions]


def acknowledgment_plan(pathway: dict[str, Any]) -> ActionPlan:
    """Example 1's actions from its recovery pathway's entered dates (the workflow opens them at
    the authorization; the demo's past pathways are built from the same plan)."""
    actions = _plan(
        ("triage-control-implementation", pathway["triage_control_implementation_deadline"]),
        ("worker-communication", pathway["worker_communication_deadline"]),
    )
    if pathway["same_day_unsafe_condition_escalation"]:
        actions += _plan(("unsafe-condition-correction", None))
    if pathway["immediate_senior_acknowledgment"]:
        actions += _plan(("senior-acknowledgment", None))
    return actions


def learning_plan(pathway: dict[str, Any]) -> ActionPlan:
    """Example 2's actions from its stabilization pathway's entered dates."""
    implementation = pathway["learning_control_implementation_deadline"]
    feedback = pathway["worker_feedback_deadline"]
    actions = _plan(
        ("learning-control-implementation", implementation), ("worker-feedback", feedback)
    )
    if pathway["direct_feedback_all_reporters_in_domain"]:
        actions += _plan(("direct-feedback-all-reporters", feedback))
    if pathway["controlled_learning_bulletin"]:
        actions += _plan(("controlled-learning-bulletin", implementation))
    return actions


def credibility_plan(pathway: dict[str, Any]) -> ActionPlan:
    """Example 3's actions from its repair pathway's entered dates."""
    final = pathway["final_corrective_deadline"]
    reconnection = pathway["worker_reconnection_deadline"]
    actions = _plan(
        ("final-correction", final),
        ("worker-reconnection", reconnection),
        ("follow-up-review", pathway["follow_up_review_date"]),
    )
    if pathway["direct_senior_safety_learning_contact"]:
        actions += _plan(("senior-contact", reconnection))
    if pathway["independent_verification_of_improvement"]:
        actions += _plan(("independent-verification", final))
    return actions
