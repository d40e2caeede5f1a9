"""What a step submission costs, pinned: history events, workflow tasks, activities, local
activities and database round trips per accepted step (``python -m bench counts`` and the
counts ``python -m bench steps`` prints). A change that adds work per step fails here; lower the
pins when a change removes some (and re-record the histories, README Testing)."""

from __future__ import annotations

from bench.step_counts import StatementCounter, committed_counts, live_count
from domain import names
from domain.cases import StepReceipt, StepSubmission
from tests.acknowledgment_support import (
    TRIAGE_DOCS,
    attribution_fields,
    open_docs,
    review_and_open_case,
)
from tests.workflow_support import actor, running_worker, wait_stage

# (history: step) -> at most (activities, local activities) scheduled from the Update to the next
# outside input in the committed histories (a step run twice, e.g. a validation cycle, is pinned
# by its larger run). Events and workflow tasks in those windows are printed by ``python -m bench
# counts`` but not pinned here: they include the tests' rejected submissions and earlier mails'
# deliveries landing in the window, which vary from one recording to the next; the live test
# below pins them for one step alone.
PINNED = {
    "ack-case-full-lifecycle: triage-attribution": (1, 1),
    "ack-case-full-lifecycle: retention-impact": (1, 1),
    "ack-case-full-lifecycle: recovery-pathway": (5, 4),
    "ack-case-full-lifecycle: recovery-review": (4, 1),
    "ack-case-low-impact: triage-attribution": (1, 1),
    "ack-case-low-impact: retention-impact": (4, 1),
    "learning-case-continue-minuted-close: learning-attribution": (1, 1),
    "learning-case-continue-minuted-close: stabilization-pathway": (6, 5),
    "learning-case-continue-minuted-close: stabilization-validation": (4, 2),
    "learning-case-continue-minuted-close: stabilization-review": (0, 1),
    "learning-case-gate-passed: learning-attribution": (1, 1),
    "learning-case-gate-passed: stabilization-pathway": (6, 5),
    "learning-case-gate-passed: stabilization-review": (0, 1),
    "learning-case-gate-passed: stabilization-validation": (4, 1),
    "credibility-case-doubtful-repaired: credibility-adjudication": (1, 1),
    "credibility-case-doubtful-repaired: repair-pathway": (5, 4),
    "credibility-case-doubtful-repaired: repair-validation": (4, 2),
    "credibility-case-failed-escalated: credibility-adjudication": (1, 1),
    "credibility-case-failed-escalated: repair-pathway": (5, 4),
    "credibility-case-failed-escalated: repair-validation": (4, 2),
}
# One example-1 triage-attribution submission, live on PostgreSQL: the worker's round trips
# (statements, BEGIN and COMMIT) from the Update until the workflow is idle again (45 before
# issue 17's batched breach resolution, single-statement event and mail inserts and one session
# for example 1's values; 40 before the next step's stage, mails and values shared one
# transaction; 35 before the register entry, the head's move and the timeline event were one
# statement on PostgreSQL).
LIVE_DB_ROUND_TRIPS = 33
# A first step's follow-on work (activities, local activities), live and recorded alike: the
# step's register entry with the deadline of the next (one local activity; two before issue 17's
# eighth session), then one activity opening the next step (its stage, its mails and its values;
# three activities before issue 17's sixth session).
FIRST_STEP = (1, 1)
# Events other than the workflow tasks' own in a first step's window: 12 before the next
# deadline came with the register entry and the next obligation's search attributes with its
# stage's (one upsert).
FIRST_STEP_OTHER_EVENTS = 10


async def test_committed_histories_add_no_work_per_step():
    counts = await committed_counts()
    seen = {c.label for c in counts}
    assert seen == set(PINNED)  # every step kind of examples 1, 2 and 3 is pinned
    for c in counts:
        activities, local = PINNED[c.label]
        assert c.activities <= activities and c.local_activities <= local, c
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
    # the Update's task, then at most one per activity completing; events other than the tasks'
    assert found.workflow_tasks <= 1 + found.activities, found
    assert found.other_events == FIRST_STEP_OTHER_EVENTS, found
    assert 0 < found.db_round_trips <= LIVE_DB_ROUND_TRIPS, found
