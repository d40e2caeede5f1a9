"""Register heads anchored in Temporal's history: what the anchor workflow and activity exchange.

Every few seconds the anchor workflow asks an activity for each register's signed head; the
activity's result is stored (encrypted and authenticated) in the workflow's history, outside the
service's database. The activity also checks that every head anchored earlier is still there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

# How long the API and the verification activity wait for the anchor workflow's ``anchors``
# query (the test server, and a server with no worker polling, would otherwise wait for ever).
ANCHOR_QUERY_TIMEOUT = timedelta(seconds=5)


class AnchoredHead(BaseModel):
    """Register ``name``'s head as signed by the service (seq, chained hash, signature)."""

    name: str
    seq: int
    hash: str
    signature: str


class AnchorRequest(BaseModel):
    """The heads anchored so far, and the workflow's clock (checkpoint mails are daily)."""

    at: datetime
    anchored: list[AnchoredHead] = []


class AnchorResult(BaseModel):
    """Current signed heads, problems found against earlier anchors, and mails queued."""

    heads: list[AnchoredHead] = []
    violations: list[str] = []
    message_ids: list[int] = []


class AnchorInput(BaseModel):
    """Start (and continue-as-new) input of the anchor workflow."""

    interval_seconds: int = 60
    anchored: list[AnchoredHead] = []
    violations: list[str] = []


class AnchorState(BaseModel):
    """What the ``anchors`` query answers."""

    anchored: list[AnchoredHead] = []
    violations: list[str] = []
    checks: int = 0


def merge_heads(old: list[AnchoredHead], new: list[AnchoredHead]) -> list[AnchoredHead]:
    """Per register, the head with the higher seq (a head never moves back once anchored)."""
    merged = {h.name: h for h in old}
    for head in new:
        if head.name not in merged or head.seq > merged[head.name].seq:
            merged[head.name] = head
    return sorted(merged.values(), key=lambda h: h.name)


class RegisterVerificationInput(BaseModel):
    """Which registers to verify in full: ``registers`` named (on demand), or every one (empty:
    the nightly schedule's run)."""

    registers: list[str] = []


class RegistersVerified(BaseModel):
    """What the nightly full verification found: registers and entries read, each failure
    (register, first bad entry, why), and the alert mails queued for a failure."""

    registers: int = 0
    entries: int = 0
    failed: list[str] = []
    message_ids: list[int] = []
