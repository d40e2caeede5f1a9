"""Pages say words, not codes: a review by its name and day, abbreviations spelt out."""

from __future__ import annotations

from api.web.words import humanize, yes_no
from api.web.work_words import review_name


def test_a_review_is_named_by_its_kind_and_day() -> None:
    assert review_name("acknowledgment", "2026-12-04") == (
        "Daily acknowledgment review of Fri 4 Dec 2026"
    )
    assert review_name("closure-credibility", "2026-11") == (
        "Monthly closure-credibility review of November 2026"
    )


def test_review_findings_spell_out_acknowledgment() -> None:
    assert humanize("ack_over_threshold") == "Acknowledgment over threshold"
    assert yes_no(["ack_over_threshold", "triage_over_threshold"]) == (
        "Acknowledgment over threshold, Triage over threshold"
    )
    assert humanize("backlog") == "Backlog"  # a word merely starting with "ack" is kept


def test_an_empty_list_and_the_category_none_do_not_read_like_a_blank() -> None:
    from api.web.document_view import scalar_text

    assert yes_no([]) == "None recorded"
    assert yes_no({"flags": [], "complete": True}) == "Flags: None recorded; Complete: Yes"
    assert yes_no({"complete": True, "missing": []}) == "Complete: Yes; nothing missing"
    assert scalar_text("none", "Europe/London") == "None recorded"  # a retention-risk category


def test_single_word_values_are_capitalised_like_yes_and_no() -> None:
    """A receipt read "Impact level: medium" beside "Yes"/"No": a one-word code value is
    capitalised like its neighbours; references, names and sentences stay as they are."""
    from api.web.document_view import scalar_text, to_node

    tz = "Europe/London"
    assert scalar_text("medium", tz) == "Medium"
    assert scalar_text("recovered", tz) == "Recovered"
    assert scalar_text("not_recovered", tz) == "Not recovered"
    assert scalar_text("NM-10009", tz) == "NM-10009" and scalar_text("E0101", tz) == "E0101"
    assert scalar_text("Triage ownership holds", tz) == "Triage ownership holds"
    assert yes_no({"impact_level": "medium", "unsafe": False}) == "Impact level: Medium; Unsafe: No"
    facts = to_node({"impact_level": "high", "confirmed": True}, tz).facts
    assert [(label, node.text) for label, node in facts] == [
        ("Impact level", "High"),
        ("Confirmed", "Yes"),
    ]
