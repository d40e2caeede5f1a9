"""Who may open a case's document (and so have the opening recorded): the person who submits a
step that needs it, while that step is open.

The spec's "opened" prerequisites are "documents the submitter must have opened", recorded when
the submitter opens them. An opening by anyone else, or for a step not open, would sit in the
case's history and become citable evidence without being anyone's prerequisite.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.cases import Actor, CaseState
from domain.examples import STEP_SPECS
from domain.roles import ROLE_NAMES
from domain.steps import StepSpec


@dataclass(frozen=True)
class OpeningVerdict:
    """May the actor open the document now; if not, whether it is their step (only not open
    yet or any more) and the steps that need it."""

    allowed: bool
    their_step: bool
    steps: tuple[StepSpec, ...]


def submits(spec: StepSpec, state: CaseState, actor: Actor) -> bool:
    """Whether ``actor`` is the one who submits ``spec`` on this case (role, or named owner)."""
    if spec.role is not None:
        return spec.role in actor.roles
    return state.pathway_owner is not None and state.pathway_owner == actor.employee_id


def step_is_open(spec: StepSpec, state: CaseState) -> bool:
    """Whether ``spec`` is owed now: the case is open and the step's obligation is not done."""
    ob = state.obligations.get(spec.slug)
    return state.status == "open" and ob is not None and ob.done_at is None


def may_open(state: CaseState, actor: Actor, document: str) -> OpeningVerdict:
    """The verdict for ``actor`` opening ``document`` on the case in ``state``."""
    steps = tuple(
        s for s in STEP_SPECS.values() if s.example == state.example and document in s.prerequisites
    )
    theirs = [s for s in steps if submits(s, state, actor)]
    allowed = any(step_is_open(s, state) for s in theirs)
    return OpeningVerdict(allowed=allowed, their_step=bool(theirs), steps=steps)


def _who(spec: StepSpec) -> str:
    if spec.role is None:
        return "the pathway's named owner"
    return f"the {ROLE_NAMES.get(spec.role) or spec.role.value.replace('_', ' ')}"


def refusal(verdict: OpeningVerdict, document: str) -> str:
    """Why the opening is refused, in words ("" when it is allowed)."""
    if verdict.allowed or not verdict.steps:
        return ""
    doc = document.replace("-", " ")
    if verdict.their_step:
        titles = " or ".join(s.title.lower() for s in verdict.steps)
        return (
            f"the {doc} is opened while the {titles} step is open on this case, and it is not "
            "open now"
        )
    spec = verdict.steps[0]
    return (
        f"only {_who(spec)} opens the {doc}, for the {spec.title.lower()} step (the opening is "
        "recorded as that person's prerequisite)"
    )
