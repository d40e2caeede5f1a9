"""The demo's past pathways are built the way the workflows build them: each pathway action
opens at the authorization with the deadline its pathway entered (close of business of the
entered date), so a pack never shows an action due on one day beside the pathway's own date on
another (the walk of 7 December: the October board pack's "worker reconnection: Thu 15 Oct"
beside "worker reconnection deadline: Mon 12 Oct"), and every action is done before its close."""

from __future__ import annotations

from datetime import UTC, datetime, time

from domain.learning import DEFAULT_ANCHOR
from domain.pathway_actions import acknowledgment_plan, credibility_plan, learning_plan
from store.demo_cases import seed_cases
from store.demo_history import oldest_month, seed_history
from store.demo_repairs import seed_repairs
from store.pack_pathways import obligations, pathways
from tests.demo_history_support import AS_OF, CALENDAR, load_demo

PLANS = {"ack": acknowledgment_plan, "learning": learning_plan, "closure": credibility_plan}


async def test_every_demo_action_is_due_on_its_pathways_entered_date(database_url, sessions):
    await load_demo(database_url)
    async with sessions() as session, session.begin():
        await seed_history(session, AS_OF, CALENDAR, DEFAULT_ANCHOR)
        made = await seed_cases(session, CALENDAR, AS_OF.date())
        made += await seed_repairs(session, CALENDAR, DEFAULT_ANCHOR, oldest_month(AS_OF.date()))
    async with sessions() as session:
        entered, owed = await pathways(session, made), await obligations(session, made)
    assert len(made) == 5 and set(entered) == set(made)
    for case_id in made:
        plan = PLANS[case_id.split("-case-")[0]](entered[case_id])
        actions = {k: v for k, v in owed[case_id].items() if k.startswith("action:")}
        assert set(actions) == {f"action:{slug}" for slug, _, _ in plan}, case_id
        for slug, _title, when in plan:
            opened = actions[f"action:{slug}"]
            assert opened["done"] is not None, (case_id, slug)  # every case closed
            if when is None:  # an immediate action: due the authorization's day
                continue
            day = datetime.combine(datetime.fromisoformat(when).date(), time(12), tzinfo=UTC)
            due = CALENDAR.close_of_business(day) if len(when) == 10 else when
            assert datetime.fromisoformat(opened["deadline"]) == due, (case_id, slug)
