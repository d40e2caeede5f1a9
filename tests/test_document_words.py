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
