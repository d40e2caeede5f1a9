"""What the registers pages say for each recorded state, in provider local time: verified (and
by which check), partly verified (how many wait), failed (found by which check), never verified;
and the last full verification."""

from __future__ import annotations

from datetime import UTC, datetime

from api.web.register_words import MEANINGS, status_words
from store.tables import RegisterVerification

LONDON = "Europe/London"
SUMMER = datetime(2026, 7, 1, 1, 30, tzinfo=UTC)  # 02:30 in London (BST)
LATER = datetime(2026, 7, 2, 8, 0, tzinfo=UTC)


def _record(**values) -> RegisterVerification:  # type: ignore[no-untyped-def]
    base = {
        "register": "r", "verified_seq": 10, "verified_hash": "h", "checked_at": LATER,
        "first_bad_seq": None, "reason": None, "found_by": None, "full_at": SUMMER,
        "full_seq": 8, "full_ok": True,
    }  # fmt: skip
    return RegisterVerification(**(base | values))


def test_verified_says_which_entries_each_check_covered() -> None:
    words = status_words(_record(), 10, LONDON)
    assert (words.state, words.headline) == ("ok", "Verified 10 entries")
    assert words.detail == (
        "entries 1 to 8 in the last full verification, Wed 1 Jul 2026, 02:30; entries 9 to 10 "
        "as they were added; "
        "last checked Thu 2 Jul 2026, 09:00"
    )
    assert words.full == "Wed 1 Jul 2026, 02:30: passed, 8 entries"


def test_partly_verified_names_what_waits() -> None:
    words = status_words(_record(full_at=None, full_seq=None, full_ok=None), 12_345, LONDON)
    assert (words.state, words.headline) == ("partial", "Partly verified: 10 of 12,345 entries")
    assert words.detail.endswith("; 12,335 newer not checked yet")
    assert "full verification" not in words.detail and words.full == "None yet"


def test_failed_says_which_check_found_it() -> None:
    bad = _record(first_bad_seq=3, reason="hash does not match", found_by="full", full_ok=False)
    words = status_words(bad, 10, LONDON)
    assert (words.state, words.headline) == ("bad", "Failed at entry 3: hash does not match")
    assert words.detail == "found by the full verification, Thu 2 Jul 2026, 09:00"
    assert words.full == "Wed 1 Jul 2026, 02:30: failed at entry 3"
    viewed = status_words(_record(first_bad_seq=11, reason="x", found_by="view"), 12, LONDON)
    assert viewed.detail.startswith("found by the check of new entries")


def test_never_verified_and_every_status_is_explained() -> None:
    words = status_words(None, 4, LONDON)
    assert (words.state, words.headline, words.full) == ("none", "Not verified yet", "None yet")
    explained = {term for term, _ in MEANINGS}
    assert {"Verified", "Partly verified", "Failed", "Not verified yet"} <= explained
