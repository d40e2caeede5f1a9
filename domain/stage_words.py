"""A case's stage change as what it means ("Case opened.", "Now at the step Retention impact
analysis."), never "Stage is now: opened.": the case page's history (``api.web.event_words``) and
the evidence pack's sampled chronologies (``store.evidence_more``) say it in these words."""

from __future__ import annotations

from domain.examples import STEP_SPECS
from domain.titles import humanize

STAGES = {
    "opened": "Case opened.",
    "pathway-acceptance": "Now waiting for the named owner to accept the pathway.",
    "awaiting-visibility": "Now waiting to be made visible by the next pack's publication.",
    "made-visible": "Made visible; the pathway becomes active.",
    "active-recovery": "Now in active recovery: the pathway's actions are under way.",
    "active-stabilization": "Now in active stabilization: the pathway's actions are under way.",
    "active-repair": "Now in active repair: the pathway's actions are under way.",
    "awaiting-validation": "Now waiting for the validation of the pathway's actions.",
    "closed": "The case is now closed.",
}


def stage_sentence(stage: str, step_title: str | None = None) -> str:
    """The stage as a sentence; a step's stage by ``step_title`` (the case's own obligation
    title, on the case page) or else its StepSpec's title."""
    if stage in STAGES:
        return STAGES[stage]
    if stage in STEP_SPECS:
        return f"Now at the step {step_title or STEP_SPECS[stage].title}."
    return f"Now at: {humanize(stage).lower()}."
