"""The full verification of registers: every register nightly (a Temporal schedule starts it),
or one register on demand (the registers page's button and POST /registers/NAME/verifications
start it under the register's own ID, ``names.register_verification_id``).

Pages check only the entries added since the last check; this run reads every entry of each
register again (an old entry altered after it was verified is found here), records each outcome
for the pages, and mails the inspectors an alert when a register fails.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.anchors import RegistersVerified, RegisterVerificationInput

from workflows.calls import deliver_now

VERIFY_RETRY = RetryPolicy(maximum_attempts=3, initial_interval=timedelta(minutes=1))


@workflow.defn(name=names.WF_REGISTER_VERIFICATION)
class RegisterVerificationWorkflow:
    """Verify the registers asked for (none named: every one) in full once; the alert mails go
    out after (the outbox keeps them)."""

    @workflow.run
    async def run(self, request: RegisterVerificationInput | None = None) -> RegistersVerified:
        # The schedule starts it with no input: every register.
        result: RegistersVerified = await workflow.execute_activity(
            names.ACT_VERIFY_REGISTERS,
            request or RegisterVerificationInput(),
            result_type=RegistersVerified,
            start_to_close_timeout=timedelta(hours=6),  # about 2M entries at a loaded 100/s
            heartbeat_timeout=timedelta(minutes=2),  # a crashed worker's run retried in minutes
            retry_policy=VERIFY_RETRY,
        )
        await deliver_now(result.message_ids, "register alert")
        return result
