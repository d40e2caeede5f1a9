"""The register anchor: each register's signed head recorded in Temporal's history, periodically.

One workflow (``register-anchor``) loops: an activity reads every register's signed head and
checks the heads anchored before are still in the database; its result (encrypted and
authenticated with the service's key) is recorded in this workflow's history, where a database
writer cannot reach it. The ``anchors`` query serves the verification route and command.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.anchors import AnchorInput, AnchorRequest, AnchorResult, AnchorState, merge_heads

from workflows.calls import deliver_now

CHECKS_PER_RUN = 200  # continue-as-new after this many checks (bounded history)
_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))


@workflow.defn(name=names.WF_REGISTER_ANCHOR)
class RegisterAnchorWorkflow:
    """Anchor every register's head every ``interval_seconds``; never completes on its own."""

    def __init__(self) -> None:
        self._state = AnchorState()

    @workflow.run
    async def run(self, start: AnchorInput) -> None:
        self._state = AnchorState(anchored=start.anchored, violations=start.violations)
        for _ in range(CHECKS_PER_RUN):
            await self._check()
            await workflow.sleep(timedelta(seconds=max(1, start.interval_seconds)))
        workflow.continue_as_new(
            AnchorInput(
                interval_seconds=start.interval_seconds,
                anchored=self._state.anchored,
                violations=self._state.violations[-100:],
            )
        )

    async def _check(self) -> None:
        result: AnchorResult = await workflow.execute_activity(
            names.ACT_ANCHOR_HEADS,
            AnchorRequest(at=workflow.now(), anchored=self._state.anchored),
            result_type=AnchorResult,
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=_RETRY,
        )
        self._state.anchored = merge_heads(self._state.anchored, result.heads)
        self._state.violations.extend(result.violations)
        self._state.checks += 1
        await deliver_now(result.message_ids, "checkpoint mail")

    @workflow.query(name=names.QUERY_ANCHORS)
    def anchors(self) -> AnchorState:
        """The heads anchored so far and any violation found."""
        return self._state
