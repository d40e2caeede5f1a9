"""A policy as a document shows it (walk defect: ``repeat_category_min = 2`` read "Repeat
category: 2 minutes", and ``agree_seconds`` and the version were shown raw): durations are known
by name, a least count is a count."""

from __future__ import annotations

from api.web.document_view import Node, to_node
from domain.acknowledgment import AckPolicy


def _facts(node: Node) -> dict[str, str]:
    return {label: value.text for label, value in node.facts}


def test_only_durations_read_as_durations() -> None:
    policy = AckPolicy().model_dump(mode="json")
    shown = _facts(to_node({"policy": policy}, "Europe/London").facts[0][1])
    assert shown["Repeat category (least count)"] == "2"
    assert "Repeat category" not in shown
    assert shown["Acknowledgment emerging"] == "24 hours"
    assert shown["Sources agree within"] == "60 seconds"
    assert shown["Policy version"] == "Acknowledgment policy, version 1"
    assert not any("minute" in v for k, v in shown.items() if "least count" in k)


def test_a_register_entry_reads_in_words_without_its_request_id() -> None:
    """The authorization sheet's attribution (walk of 7 December: "Seq 3 · Actor · Payload" and
    "Request ID 46a896a3-…"): the entry by its number, who recorded it and what, no request ID."""
    entry = {
        "register": "near-miss-reliability-case-register",
        "seq": 3,
        "actor": "E0002",
        "recorded_at": "2026-12-07T23:21:00+00:00",
        "payload": {"note": "Acknowledged late.", "request_id": "46a896a3-80b2#b84c5b4de256"},
    }
    shown = to_node({"attribution": entry}, "Europe/London", names={"E0002": "Ben Okafor"})
    facts = dict(shown.facts[0][1].facts)
    assert list(facts) == ["Register", "Entry", "By", "Recorded at", "What was recorded"]
    assert (facts["Entry"].text, facts["By"].text) == ("3", "Ben Okafor")
    assert _facts(facts["What was recorded"]) == {"Note": "Acknowledged late."}
