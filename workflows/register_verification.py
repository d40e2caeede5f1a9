"""The nightly full verification of every register (a Temporal schedule starts it).

Pages check only the entries added since the last check; this run reads every entry of every
register again (an old entry altered after it was verified is found here), records each outcome
for the pages, and mails the inspectors an alert when a register fails.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.anchors import RegistersVerified

from workflows.calls import deliver_now

VERIFY_RETRY = RetryPolicy(maximum_attempts=3, initial_interval=timedelta(minutes=1))


@workflow.defn(name=names.WF_REGISTER_VERIFICATION)
class RegisterVerificationWorkflow:
    """Verify every register in full once; the alert mails go out after (the outbox keeps them)."""

    @workflow.run
    async def run(self) -> RegistersVerified:
        result: RegistersVerified = await workflow.execute_activity(
            names.ACT_VERIFY_REGISTERS,
            result_type=RegistersVerified,
            start_to_close_timeout=timedelta(hours=6),  # about 2M entries at a loaded 100/s
            heartbeat_timeout=timedelta(minutes=2),  # a crashed worker's run retried in minutes
            retry_policy=VERIFY_RETRY,
        )
        await deliver_now(result.message_ids, "register alert")
        return result
