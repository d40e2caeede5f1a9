"""What a step submission costs, pinned: history events, workflow tasks, activities, local
activities and database round trips per accepted step (``python -m bench counts`` and the
counts ``python -m bench steps`` prints). A change that adds work per step fails here; lower the
pins when a change removes some (and re-record the histories, README Testing)."""

from __future__ import annotations

from bench.step_counts import StatementCounter, committed_counts, live_count
from domain import names
from domain.cases import StepReceipt, StepSubmission
from tests.test_acknowledgment_workflow import (
    TRIAGE_DOCS,
    attribution_fields,
    open_docs,
    review_and_open_case,
)
from tests.workflow_support import actor, running_worker, wait_stage

# (history: step) -> at most (events other than workflow tasks', workflow tasks, activities,
# local activities) in the committed histories, from the Update to the next outside input (a
# step run twice, e.g. a validation cycle, is pinned by its larger run). Workflow tasks there
# include those of the tests' rejected submissions and of earlier mail deliveries finishing; the
# live test below counts one step alone. The pins are the larger of two recordings: whether an
# earlier mail's delivery lands inside a step's window varies by a few events from run to run.
# Before the projections became local activities (issue 17) a first step cost 18 events beside
# 4 workflow tasks, 3 activities and 2 local activities.
PINNED = {
    "ack-case-full-lifecycle: triage-attribution": (16, 3, 2, 3),
    "ack-case-full-lifecycle: retention-impact": (18, 6, 2, 3),
    "ack-case-full-lifecycle: recovery-pathway": (27, 1, 4, 10),
    "ack-case-full-lifecycle: recovery-review": (15, 3, 2, 3),
    "ack-case-low-impact: triage-attribution": (16, 3, 2, 3),
    "ack-case-low-impact: retention-impact": (15, 3, 2, 3),
    "learning-case-continue-minuted-close: learning-attribution": (16, 3, 2, 3),
    "learning-case-continue-minuted-close: stabilization-pathway": (32, 1, 5, 12),
    "learning-case-continue-minuted-close: stabilization-validation": (15, 3, 2, 3),
    "learning-case-continue-minuted-close: stabilization-review": (5, 1, 0, 1),
    "learning-case-gate-passed: learning-attribution": (16, 3, 2, 3),
    "learning-case-gate-passed: stabilization-pathway": (32, 1, 5, 12),
    "learning-case-gate-passed: stabilization-review": (5, 1, 0, 1),
    "learning-case-gate-passed: stabilization-validation": (15, 3, 2, 3),
    "credibility-case-doubtful-repaired: credibility-adjudication": (16, 3, 2, 3),
    "credibility-case-doubtful-repaired: repair-pathway": (27, 1, 4, 10),
    "credibility-case-doubtful-repaired: repair-validation": (15, 3, 2, 3),
    "credibility-case-failed-escalated: credibility-adjudication": (16, 4, 2, 3),
    "credibility-case-failed-escalated: repair-pathway": (27, 1, 4, 10),
    "credibility-case-failed-escalated: repair-validation": (15, 3, 2, 3),
}
# One example-1 triage-attribution submission, live on PostgreSQL: the worker's round trips
# (statements, BEGIN and COMMIT) from the Update until the workflow is idle again (45 before
# issue 17's local projections, batched breach resolution, single-statement event and mail
# inserts).
LIVE_DB_ROUND_TRIPS = 40
# A first step's follow-on work (activities, local activities), live and recorded alike.
FIRST_STEP = (2, 3)


async def test_committed_histories_add_no_work_per_step():
    counts = await committed_counts()
    seen = {c.label for c in counts}
    assert seen == set(PINNED)  # every step kind of examples 1, 2 and 3 is pinned
    for c in counts:
        found = (c.other_events, c.workflow_tasks, c.activities, c.local_activities)
        assert all(n <= pin for n, pin in zip(found, PINNED[c.label], strict=True)), c
    firsts = [c for c in counts if c.label.endswith(("triage-attribution", "-adjudication"))]
    assert all((c.activities, c.local_activities) == FIRST_STEP for c in firsts), firsts


async def test_a_live_step_costs_what_is_pinned(own_env, postgres_url, sessions_for):
    sessions = sessions_for(postgres_url)
    counter = StatementCounter()
    async with running_worker(own_env, sessions) as queue:
        case = await review_and_open_case(own_env, sessions, queue)
        state = await wait_stage(case, "triage-attribution")
        await open_docs(case, "E-SUPERVISOR", TRIAGE_DOCS)
        sub = StepSubmission(
            step="triage-attribution", actor=actor("E-SUPERVISOR"), fields=attribution_fields(state)
        )

        async def submit() -> None:
            await case.execute_update(names.UPDATE_SUBMIT_STEP, sub, result_type=StepReceipt)

        with counter.attached(sessions.kw["bind"]):
            found = await live_count("triage-attribution", case, submit, counter)
        assert (await wait_stage(case, "retention-impact")).stage == "retention-impact"
    assert (found.activities, found.local_activities) == FIRST_STEP, found
    recorded = PINNED["ack-case-full-lifecycle: triage-attribution"][0]
    assert found.other_events == recorded and found.workflow_tasks <= 1 + found.activities, found
    assert 0 < found.db_round_trips <= LIVE_DB_ROUND_TRIPS, found
