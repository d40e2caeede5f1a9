"""What every example's chronology tests check of its record entries: each received version is
placed by the one per-feed rule (``domain.feed_events.own_date``), its receipt beside it."""

from __future__ import annotations

from typing import Any

from domain.feed_events import own_date
from domain.instants import instant


def placed_by_feed_rule(entries: list[dict[str, Any]]) -> dict[str, tuple[str, str | None]]:
    """Each record entry's ID → (its instant, the field dating it), after checking that the
    rule places it so and that the entries run in time order."""
    placed: dict[str, tuple[str, str | None]] = {}
    for entry in entries:
        if entry["kind"] != "record_received":
            continue
        received = instant(entry["received_at"])
        assert received is not None
        at, field = own_date(entry["source"], entry["content"], received)
        assert (entry["at"], entry["dated_by"]) == (at.isoformat(), field), entry
        placed[entry["id"]] = (entry["at"], field)
    times = [instant(e["at"]) for e in entries]
    assert times == sorted(times), times  # type: ignore[type-var]
    return placed
