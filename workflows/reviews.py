"""The review workflow (step 1 of every example): generate, await "reviewed", open cases."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.cases import TimelineEvent, WorkingDayRequest
    from domain.credibility import next_month, parse_month
    from domain.learning_cycles import RUN_DAY_RULE, run_day_probe
    from domain.periodic import (
        GenerateReviewRequest,
        MarkReviewed,
        OpenCasesResult,
        ReviewedRequest,
        ReviewInput,
        ReviewSummary,
        ReviewValued,
        SignOffRequest,
        ValueReviewRequest,
    )
    from domain.reviews import BACK_RUN_RULE, GENERATE_REVIEW, REVIEWS
    from domain.steps import WRONG_ROLE, WRONG_STAGE

from workflows.calls import (
    CALENDAR_TIMEOUT,
    VALUES_HEARTBEAT,
    VALUES_RETRY,
    VALUES_TIMEOUT,
    compute_deadline,
    run_db,
    run_db_local,
)
from workflows.case_base import reject
from workflows.engine import Obligations

MARK_REVIEWED = names.OBLIGATION_MARK_REVIEWED


@workflow.defn(name=names.WF_REVIEW)
class ReviewWorkflow:
    """Generate one review (idempotent), then escalate until its step-1 role marks it reviewed."""

    @workflow.init
    def __init__(self, inp: ReviewInput) -> None:
        self.inp = inp
        self.spec = REVIEWS[inp.example]
        self.summary = ReviewSummary(review_id=inp.review_id)
        self.timeline: list[TimelineEvent] = []
        self.obligations = Obligations(
            subject=inp.review_id,
            example=inp.example,
            calendar=inp.calendar,
            store={},
            on_change=self._record,
        )

    async def _record(self, event: TimelineEvent) -> None:
        self.timeline.append(event)

    @workflow.run
    async def run(self, inp: ReviewInput) -> ReviewSummary:
        # A monthly review's period is a month (YYYY-MM); the others' a date (YYYY-MM-DD).
        run_day = None if self.spec.period_kind == "month" else date.fromisoformat(inp.period)
        if run_day is not None and self.spec.skip_non_working_days:
            working = await workflow.execute_local_activity(
                names.ACT_IS_WORKING_DAY,
                WorkingDayRequest(calendar=inp.calendar, day=run_day),
                result_type=bool,
                start_to_close_timeout=CALENDAR_TIMEOUT,
            )
            if not working:
                self.summary.skipped = f"{run_day} is not a working day"
                return self.summary
        if self.spec.period_kind == "month":
            run_day = await self._first_working_day_after(inp.period)
        elif self.spec.period_kind == "cycle" and run_day is not None:
            run_day = await self._cycle_run_day(run_day)
        anchor = datetime.combine(run_day or workflow.now().date(), time(12), tzinfo=UTC)
        as_of = await compute_deadline(inp.calendar, f"at {self.spec.as_of_local_time}", anchor)
        if self.spec.period_kind in ("month", "cycle") and as_of.due_at > workflow.now():
            # Started early (a manual run, or a scheduled fire on a bank holiday): scope is fixed
            # at as_of, so the review waits for it.
            await workflow.sleep(as_of.due_at - workflow.now(), summary="review as_of")
        await self._generate(as_of.due_at)
        valuing = self._start_valuing()
        await self._open_sign_off(as_of.due_at)
        await self.obligations.watch(MARK_REVIEWED)
        opened = await run_db(
            self.spec.open_cases_activity,
            ReviewedRequest(
                review_id=inp.review_id,
                actor=self.summary.reviewed_by or "",
                at=self.summary.reviewed_at or workflow.now(),
                calendar=inp.calendar,
                policy_version=inp.policy_version,
            ),
            OpenCasesResult,
        )
        self.summary.cases_opened = opened.opened
        self.summary.cases_raised = opened.raised
        # Escalation mails retry only while the workflow runs: finish delivering them first.
        if self.obligations.deliveries:
            await asyncio.gather(*self.obligations.deliveries)
        await self._valued(valuing)
        return self.summary

    def _start_valuing(self) -> workflow.ActivityHandle[ReviewValued] | None:
        """Value the review's items for the analytics beside the sign-off (never delaying it),
        so no read pays for them; the review's own activity, as valuing inside the generation
        would take a large review past its timeout."""
        if self.spec.value_activity is None:
            return None
        return workflow.start_activity(
            self.spec.value_activity,
            ValueReviewRequest(review_id=self.inp.review_id, calendar=self.inp.calendar),
            result_type=ReviewValued,
            start_to_close_timeout=VALUES_TIMEOUT,
            heartbeat_timeout=VALUES_HEARTBEAT,
            retry_policy=VALUES_RETRY,
        )

    async def _valued(self, valuing: workflow.ActivityHandle[ReviewValued] | None) -> None:
        """Wait for the valuing; one that failed every attempt is left to the first read that
        covers the review (``ensure_values``): the analytics stay right, only slower once."""
        if valuing is None:
            return
        try:
            await valuing
        except ActivityError:
            workflow.logger.warning("review %s not valued; its first read values it",
                                    self.inp.review_id)  # fmt: skip

    def _asked_after(self, deadline: datetime) -> bool:
        """A back-run: a person asked for this run after DEADLINE had already passed."""
        return self.inp.requested and workflow.info().start_time > deadline

    async def _open_sign_off(self, as_of: datetime) -> None:
        """The sign-off, due by the example's rule from as_of; a back-run asked for after that
        deadline is due by close of business of its generation instead (nobody was late yet)."""
        rule = self.spec.reviewed_rule
        due = await compute_deadline(self.inp.calendar, rule, as_of)
        back_run = self._asked_after(due.due_at)
        if back_run:
            rule = BACK_RUN_RULE
            start = self.summary.generated_at or workflow.now()
            due = await compute_deadline(self.inp.calendar, rule, start)
        # Stored on the review's row, so My work and the evidence pack read it, never guess it.
        await run_db(
            names.ACT_RECORD_REVIEW_SIGN_OFF,
            SignOffRequest(review_id=self.inp.review_id, due_at=due.due_at, back_run=back_run),
        )
        await self.obligations.open_at(
            MARK_REVIEWED,
            "Mark the review reviewed",
            deadline=due.due_at,
            rule=rule,
            version=due.calendar_version,
            role=self.spec.role,
        )

    async def _generate(self, as_of: datetime) -> None:
        """Generate the review while its own deadline runs (example 1: by 07:30): a review not
        generated in time is a breach escalated like any step's, until it exists. A back-run
        asked for after that deadline records when it was generated, and no breach: the
        deadline had passed before anyone asked (README, "Reviews and their deadlines")."""
        request = GenerateReviewRequest(
            review_id=self.inp.review_id,
            period=self.inp.period,
            as_of=as_of,
            calendar=self.inp.calendar,
        )
        due = await compute_deadline(self.inp.calendar, self.spec.generate_rule, as_of)
        if self._asked_after(due.due_at):
            self.summary = await run_db(self.spec.generate_activity, request, ReviewSummary)
            self.summary.generation_deadline_passed_before_request = True
            return
        await self.obligations.open_at(
            GENERATE_REVIEW,
            "Generate the review",
            deadline=due.due_at,
            rule=self.spec.generate_rule,
            version=due.calendar_version,
            role=self.spec.role,
            announce=False,
        )
        watcher = asyncio.create_task(self.obligations.watch(GENERATE_REVIEW))
        generated = await run_db(self.spec.generate_activity, request, ReviewSummary)
        self.summary = generated
        ob = self.obligations.complete(GENERATE_REVIEW, "system")
        await watcher
        if ob.level > 0:
            # An escalation may have recorded its breach after generation resolved the open
            # ones: generating again finds the stored review and resolves them (idempotent).
            await run_db(self.spec.generate_activity, request, ReviewSummary)

    async def _first_working_day_after(self, month: str) -> date:
        """The run date of a monthly review: the first working day of the following month."""
        following = next_month(parse_month(month))
        anchor = datetime.combine(following, time(12), tzinfo=UTC)
        first = await compute_deadline(self.inp.calendar, "1st working day of month", anchor)
        return first.due_local.date()

    async def _cycle_run_day(self, cycle_start: date) -> date:
        """The run date of a fortnightly audit: the first working day after the cycle ends."""
        probe = run_day_probe(cycle_start)
        first = await compute_deadline(self.inp.calendar, RUN_DAY_RULE, probe)
        return first.due_local.date()

    @workflow.update(name=names.UPDATE_MARK_REVIEWED)
    async def mark_reviewed(self, request: MarkReviewed) -> ReviewSummary:
        """The step-1 role marks the review reviewed: classifications take effect, cases open."""
        self._judge(request)
        # Generated but its sign-off obligation not yet open (a late review settles its
        # generation breach first): the mark waits for it rather than being refused.
        await workflow.wait_condition(lambda: MARK_REVIEWED in self.obligations.store)
        self._judge(request)
        now = workflow.now()
        self.summary.reviewed_by = request.actor.employee_id
        self.summary.reviewed_at = now
        # A local activity: the person's page waits for this answer, and an ordinary activity
        # queued behind every other review's case openings (open_step, a second or two each on a
        # busy worker) kept the mark's page waiting for them (the walk of 8 December: 4.9 s).
        await run_db_local(
            names.ACT_MARK_REVIEW_REVIEWED,
            ReviewedRequest(
                review_id=self.inp.review_id,
                actor=request.actor.employee_id,
                at=now,
                calendar=self.inp.calendar,
                policy_version=self.inp.policy_version,
            ),
            bool,
        )
        self.obligations.complete(MARK_REVIEWED, request.actor.employee_id, at=now)
        return self.summary

    @mark_reviewed.validator
    def validate_mark_reviewed(self, request: MarkReviewed) -> None:
        self._judge(request)

    def _judge(self, request: MarkReviewed) -> None:
        if self.summary.as_of is None:
            raise reject(WRONG_STAGE, "the review is not generated yet")
        ob = self.obligations.store.get(MARK_REVIEWED)
        done = ob is not None and ob.done_at is not None
        if done or self.summary.reviewed_by is not None:
            raise reject(WRONG_STAGE, "the review is not awaiting review")
        if self.spec.role not in request.actor.roles:
            raise reject(WRONG_ROLE, f"marking reviewed needs the role {self.spec.role.value}")

    @workflow.query(name=names.QUERY_STATE)
    def current_state(self) -> ReviewSummary:
        return self.summary
