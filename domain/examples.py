"""What each example offers a case: its steps and the documents that can be opened for it."""

from __future__ import annotations

from domain import acknowledgment_steps, credibility_steps, learning_steps, names
from domain.steps import StepSpec

EXAMPLE_DOCUMENTS: dict[str, frozenset[str]] = {
    names.EXAMPLE_ACKNOWLEDGMENT: acknowledgment_steps.DOCUMENTS,
    names.EXAMPLE_LEARNING: learning_steps.DOCUMENTS,
    names.EXAMPLE_CREDIBILITY: credibility_steps.DOCUMENTS,
}

STEP_SPECS: dict[str, StepSpec] = {
    **acknowledgment_steps.STEPS,
    **learning_steps.STEPS,
    **credibility_steps.STEPS,
}
"""Every example's human steps after the review, by slug (slugs are unique across examples)."""

EXAMPLE_STEPS: dict[str, dict[str, StepSpec]] = {
    names.EXAMPLE_ACKNOWLEDGMENT: acknowledgment_steps.STEPS,
    names.EXAMPLE_LEARNING: learning_steps.STEPS,
    names.EXAMPLE_CREDIBILITY: credibility_steps.STEPS,
}


def first_step(example: str) -> StepSpec:
    """The step an example's review opens its cases at (its holders work them next)."""
    return next(iter(EXAMPLE_STEPS[example].values()))
