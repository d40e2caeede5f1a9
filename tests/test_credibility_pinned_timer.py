"""Example 3's validation timer reads the review's pinned rules, not the code's 21 days.

The administrator saves validation_days = 10 and reconfirm_days_before = 3 before the month's
review is generated (the review pins that version); a later version (30 days) changes nothing
for this case. On the time-skipping server the worker is asked again at day 7, nothing opens at
day 9, and the repair validation opens 10 calendar days after activation; the repair log's
baseline entry records the days it used.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import select

from domain import names
from domain.cases import PathwayAcceptance
from domain.credibility import REPAIR_LOG, credibility_case_id
from store.credibility_values import BASELINE_KIND
from store.db import transaction
from store.policies import save_policy
from store.tables import RegisterEntry
from tests.credibility_support import (
    ADJ_DOCS,
    CAL,
    REPAIR_DOCS,
    adjudication,
    open_docs,
    pathway,
    run_review,
    submit,
    who,
)
from tests.factories import email
from tests.workflow_support import (
    case_state,
    running_worker,
    skip,
    skip_until,
    wait_for,
    wait_stage,
)

EXAMPLE = "closure-credibility"


async def test_validation_opens_after_the_pinned_days(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        now = await own_env.get_current_time()
        async with transaction(sessions) as s:
            pinned = await save_policy(
                s,
                EXAMPLE,
                {"validation_days": 10, "reconfirm_days_before": 3},
                actor="E-ADMIN",
                at=now,
            )
        await run_review(own_env, sessions, queue)
        case = own_env.client.get_workflow_handle(credibility_case_id("CC-D"))
        state = await wait_stage(case, "credibility-adjudication")
        assert state.computed["credibility-adjudication"]["rule_version"] == pinned.version
        async with transaction(sessions) as s:  # a later version does not move this case
            await save_policy(s, EXAMPLE, {"validation_days": 30}, actor="E-ADMIN", at=now)
        await open_docs(case, "E-QALEAD", ADJ_DOCS)
        await submit(case, "credibility-adjudication", "E-QALEAD", adjudication(state, "doubtful"))
        await wait_stage(case, "repair-pathway")
        today = (await own_env.get_current_time()).date()
        later = {  # action dates after the validation opens: no action breaches meanwhile
            "final_corrective_deadline": (today + timedelta(days=14)).isoformat(),
            "worker_reconnection_deadline": (today + timedelta(days=13)).isoformat(),
            "follow_up_review_date": (today + timedelta(days=15)).isoformat(),
        }
        await open_docs(case, "E-WXDIRECTOR", REPAIR_DOCS)
        await submit(case, "repair-pathway", "E-WXDIRECTOR", pathway(today, **later))
        await wait_stage(case, "pathway-acceptance")
        await case.execute_update(
            names.UPDATE_ACCEPT_PATHWAY,
            PathwayAcceptance(actor=who("E-OWNER")),
            rpc_timeout=timedelta(seconds=30),
        )
        state = await wait_stage(case, "awaiting-validation")  # doubtful: active at acceptance
        activated = state.obligations["pathway-acceptance"].done_at
        asked_before = len(inbox.to(email("W-1")))

        await skip(own_env, timedelta(days=7, hours=1), step=timedelta(days=1))
        await wait_for(lambda: _more(inbox, asked_before))  # asked again 3 days before day 10
        await skip(own_env, timedelta(days=2))
        assert (await case_state(case)).stage == "awaiting-validation"  # day 9: not yet
        # Day 10 on local dates: 10 x 24 h +/- 1 h when the clocks change between.
        await skip_until(own_env, CAL.add_calendar_days(activated, 10) + timedelta(minutes=5))
        state = await wait_stage(case, "repair-validation")
        opened = state.obligations["repair-validation"].opened_at
        assert abs(opened - CAL.add_calendar_days(activated, 10)) < timedelta(seconds=5)
        assert opened.tzinfo is not None and opened.astimezone(UTC) < activated + timedelta(days=11)
    async with sessions() as s:
        rows = await s.scalars(
            select(RegisterEntry).where(
                RegisterEntry.register == REPAIR_LOG, RegisterEntry.kind == BASELINE_KIND
            )
        )
        [baseline] = [e.payload for e in rows if e.subject == case.id]
    assert (baseline["validation_days"], baseline["reconfirm_days_before"]) == (10, 3)
    assert baseline["rule_version"] == pinned.version


async def _more(inbox, before: int) -> bool:
    return len(inbox.to(email("W-1"))) > before
