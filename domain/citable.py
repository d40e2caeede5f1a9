"""What an attribution or adjudication may cite as evidence: the seed's "chronology and
classification-source", "communication-record" and "action records" — the feeds' record
versions and the case's recorded actions, never the service's own bookkeeping.

A chronology shows everything that happened to the report and its case, the service's own steps
included ("Case opened", "Now at the step …", "Ben Okafor opened the daily review"); those say
when the service moved, not what went wrong, and citing one's own document opening as proof of a
triage failure (the walk of 8 December) is no evidence at all. So the step form offers, and the
workflow accepts, only the entries this module calls citable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

EVENT_PREFIX = "event:"  # a case event's entry ID (``event:N``); every other ID is a record's

# Case events that record what someone did about the report (or its case's closure): a step's
# result recorded in its register, a pathway's acceptance, reassignment and actions, the pack
# that made it visible, the worker asked to reconfirm, the closure. Everything else the case's
# timeline holds is the service's bookkeeping: the stage reached, a step or deadline opened, an
# escalation of a late step, a document opened, values refreshed or failing, and the exposure it
# classified (whose source, the classification's inputs, is cited instead).
ACTION_EVENT_KINDS = frozenset(
    {
        "step_submitted",
        "pathway_accepted",
        "pathway_reassigned",
        "action_done",
        "made_visible",
        "reconfirmation_requested",
        "closed",
    }
)


def citable(entry: Mapping[str, Any]) -> bool:
    """Whether a document's entry (one with an ``id``) may be cited: a received record version,
    a register's or a note's entry, or a case event recording an action."""
    if not str(entry.get("id", "")).startswith(EVENT_PREFIX):
        return True
    return entry.get("kind") in ACTION_EVENT_KINDS
