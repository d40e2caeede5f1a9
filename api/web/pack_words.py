"""A pack named in words: "Weekly workforce sustainability review pack, week of Mon 7 Dec 2026",
"… for the cycle 23 Nov – 6 Dec 2026", "… for December 2026" (not "2026-W50", "2026-11-23",
"2026-12": the codes stay in links and the API). They live in ``domain.titles``, which the
evidence pack uses too."""

from __future__ import annotations

from domain.titles import kind_of, pack_name, period_phrase

__all__ = ["kind_of", "pack_name", "period_phrase"]
