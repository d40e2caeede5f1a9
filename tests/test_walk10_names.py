"""The fortnightly audit has one name everywhere, its cycle's dates: its page heading and My
work's row (``review_name``), its mails (``about``) and the fortnightly summary pack's period."""

from __future__ import annotations

from api.web.work_words import review_name
from domain import names
from domain.mail_words import about
from domain.titles import humanize, period_phrase

CYCLE = "the cycle 23 Nov – 6 Dec 2026"


def test_the_fortnightly_audit_is_named_by_its_cycles_dates_everywhere() -> None:
    heading = review_name(names.EXAMPLE_LEARNING, "2026-11-23")
    assert heading == f"Fortnightly learning-visibility audit of {CYCLE}"
    assert about("learning-audit-2026-11-23") == heading[:1].lower() + heading[1:]
    assert period_phrase(names.PACK_FORTNIGHTLY, "2026-11-23") == f" for {CYCLE}"
    # a cycle across the new year names both years
    assert about("learning-audit-2026-12-21").endswith("the cycle 21 Dec 2026 – 3 Jan 2027")


def test_a_finding_that_an_evidence_record_says_none_is_not_read_as_no_record() -> None:
    """Example 3's two evidence findings read apart (the walk of 21:47 read "final action
    evidence none" beside "no final action evidence" as the same finding worded twice)."""
    assert humanize("final_action_evidence_none") == "Final action evidence recorded as none"
    assert humanize("no_final_action_evidence") == "No final action evidence"
