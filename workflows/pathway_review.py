"""A pathway's review date as an obligation of its named owner (examples 1 and 2).

The seed's "mandatory review date" (example 1) and "review date" (example 2) are owed by the
pathway's named owner: the review opens with the pathway, due at close of business on its date
(provider calendar), is mailed ("this is now yours") and escalated like any step, and can be
recorded once the pathway is active, from the review date on (the provider's local date, as
in the other date checks of the pathway steps). An outcome that ends the pathway (recovered,
stabilized) needs every action done; the other names the next review date, which opens the next
review. Nothing is decided by a timer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.cases import StepSubmission
    from domain.steps import MISSING_PREREQUISITE, WRONG_STAGE, FieldError, StepSpec
    from domain.titles import lower_first

from workflows.case_base import reject
from workflows.pathway import PathwayCaseWorkflow, noon_utc

NEXT_DATE = "next_review_date"


class ReviewedPathwayWorkflow(PathwayCaseWorkflow):
    """A pathway case whose named owner records the pathway's review on its review date."""

    review_step: StepSpec
    review_continues: str  # the outcome that is not the end: it names the next review date

    def first_review(self, day: str) -> Callable[[], Awaitable[None]]:
        """Opening the first review (due on DAY), for ``open_pathway(also=...)``."""
        return lambda: self._open_review(day)

    async def review_until_done(self, day: str, *, opened: bool = False) -> dict[str, Any]:
        """Open the review due on DAY (unless OPENED with the pathway) and wait (escalating) for
        its outcome; an outcome with a next review date opens the next review. Returns the last
        review's recorded fields."""
        slug = self.review_step.slug
        while True:
            if not opened:
                await self._open_review(day)
            opened = False
            await self.obligations.watch(slug)
            result = self.state.results[slug]
            if not result.get(NEXT_DATE):
                return result
            day = str(result[NEXT_DATE])

    async def _open_review(self, day: str) -> None:
        spec = self.review_step
        if spec.slug in self.state.results:
            self._archive_step(spec.slug)  # the earlier review stays on record as slug#N
        self.state.computed[spec.slug] = {"review_date": day}
        await self.obligations.open(
            spec.slug,
            spec.title,
            rule=spec.deadline_rule,  # close of business on the review date
            start=noon_utc(date.fromisoformat(day)),
            assignee=self.state.pathway_owner,
        )

    def pending_review(self) -> FieldError | None:
        """None when the pathway's latest review is recorded and ends it; else why not."""
        slug = self.review_step.slug
        ob = self.state.obligations.get(slug)
        result = self.state.results.get(slug, {})
        if ob is not None and ob.done_at is not None and not result.get(NEXT_DATE):
            return None
        due = f" (due {ob.deadline.isoformat()})" if ob is not None else ""
        return FieldError(
            field=slug,
            message=f"the named owner's {spec_title(self.review_step)}{due} is not recorded "
            "with an outcome that ends the pathway yet",
        )

    def step_open(self, slug: str) -> bool:
        if slug == self.review_step.slug:
            ob = self.state.obligations.get(slug)
            return ob is not None and ob.done_at is None
        return super().step_open(slug)

    def extra_checks(self, spec: StepSpec, model: Any, sub: StepSubmission) -> list[FieldError]:
        """The review: the pathway is active and its review date has come (a mandatory review
        is not done early); an ending outcome needs every action done and no next date; the
        other outcome needs a next date after today."""
        errors = super().extra_checks(spec, model, sub)
        if spec.slug != self.review_step.slug:
            return errors
        if self.state.pathway_active_at is None:
            raise reject(
                WRONG_STAGE,
                f"the pathway is not active yet (stage {self.state.stage!r}): its review is "
                "recorded once it is accepted and active",
            )
        due_day = date.fromisoformat(str(self.state.computed[spec.slug]["review_date"]))
        if self.local_today() < due_day:
            raise reject(
                WRONG_STAGE,
                f"the {spec_title(spec)} is due on {due_day.isoformat()}: it is recorded on that "
                "day (or later, late), not before",
            )
        next_date = getattr(model, NEXT_DATE)
        if model.outcome == self.review_continues:
            if next_date is None:
                errors.append(FieldError(field=NEXT_DATE, message="name the next review date"))
            elif next_date <= self.local_today():
                errors.append(FieldError(field=NEXT_DATE, message="must be after today"))
            return errors
        if next_date is not None:
            errors.append(FieldError(field=NEXT_DATE, message=f"only when {self.review_continues}"))
        open_actions = [
            key.split(":", 1)[1]
            for key, ob in self.state.obligations.items()
            if key.startswith("action:") and ob.done_at is None
        ]
        if open_actions:
            raise reject(
                MISSING_PREREQUISITE,
                f"{model.outcome} needs every pathway action done",
                [FieldError(field=f"actions.{a}", message="not done") for a in open_actions],
            )
        return errors


def spec_title(spec: StepSpec) -> str:
    """A title mid-sentence."""
    return lower_first(spec.title)
