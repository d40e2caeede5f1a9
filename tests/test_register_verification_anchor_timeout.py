"""The nightly verification's anchor look-up is bounded: when the anchor workflow does not answer
its query in time (no worker takes it), the activity fails with a retryable error (the workflow's
retry policy asks again) and records nothing: no pass without the anchor check. With no anchor
workflow at all it verifies against the database alone, as before. Real time-skipping server."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.deps import ActivityDeps
from activities.register_verification import ANCHOR_UNANSWERED, RegisterVerificationActivities
from domain import names
from domain.anchors import AnchorInput
from store.register_checks import recorded
from tests.factories import load, staff_rows
from tests.register_support import REGISTER, append_entries

TIMEOUT = timedelta(seconds=0.5)


async def test_an_unanswered_anchor_query_fails_retryably_and_records_nothing(
    own_env, sqlite_url, sessions_for
):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    await append_entries(sessions, 3)
    deps = ActivityDeps(sessions=sessions, client=own_env.client)
    verify = RegisterVerificationActivities(deps, anchor_timeout=TIMEOUT).verify_registers

    alone = await ActivityEnvironment().run(verify)  # no anchor workflow: the database alone
    assert (alone.registers, alone.entries, alone.failed) == (1, 3, [])
    async with sessions() as session:
        first = (await recorded(session))[REGISTER]

    await own_env.client.start_workflow(  # started, but no worker polls its queue: no answer
        names.WF_REGISTER_ANCHOR,
        AnchorInput(interval_seconds=60),
        id=names.REGISTER_ANCHOR_ID,
        task_queue=f"tq-{uuid.uuid4().hex}",
    )
    began = time.monotonic()
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(verify)
    assert time.monotonic() - began < 10  # bounded by the timeout, not the server's wait
    assert raised.value.type == ANCHOR_UNANSWERED and not raised.value.non_retryable
    async with sessions() as session:
        after = (await recorded(session))[REGISTER]
    assert (after.checked_at, after.full_at, after.signature) == (
        first.checked_at, first.full_at, first.signature,
    )  # fmt: skip  # the record is the earlier run's: nothing new recorded
