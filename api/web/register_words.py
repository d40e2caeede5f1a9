"""What a register's recorded verification says, in the page's words (provider local time), and
what each status means: a page never claims more than was checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api.web.render import local_time
from store.register_checks import FULL, VIEW_LIMIT
from store.tables import RegisterVerification

# Shown on the pages under the table: one line per status.
MEANINGS = (
    (
        "Verified",
        "every entry up to the head has been checked: its hash, payload digest and the "
        "service's signature, and the signed head. Older entries were checked when they were "
        "new or by the last full verification; an entry altered since then is found only by the "
        "next full verification.",
    ),
    (
        "Partly verified",
        f"the entries up to the one named are checked; newer ones are not yet (a page view "
        f"checks up to {VIEW_LIMIT:,} new entries, a full verification all of them).",
    ),
    (
        "Failed",
        "an entry or the head does not verify: the first one found is named, with why. It stays "
        "failed until a full verification passes.",
    ),
    ("Not verified yet", "no check of this register has been recorded."),
    (
        "Full verification",
        "every entry read and checked again from the first; it runs every night and when asked "
        "for with the Verify in full button. It runs in the background (minutes for a long "
        "register): the page says since when one runs, and shows its outcome once it is done.",
    ),
)


def running_words(requested_at: datetime | None, tz: str) -> str:
    """What the page says while a full verification of the register runs."""
    since = f" since {local_time(requested_at, tz, with_year=True)}" if requested_at else ""
    return f"Full verification running{since}; reload this page for its outcome"


@dataclass(frozen=True, slots=True)
class StatusWords:
    """A register's status: ``state`` (ok, partial, bad, none), its headline and detail."""

    state: str
    headline: str
    detail: str
    full: str


def _entries(n: int) -> str:
    return f"{n:,} {'entry' if n == 1 else 'entries'}"


def _full(record: RegisterVerification | None, tz: str) -> str:
    if record is None or record.full_at is None:
        return "None yet"
    when = local_time(record.full_at, tz, with_year=True)
    if record.full_ok:
        return f"{when}: passed, {_entries(record.full_seq or 0)}"
    return f"{when}: failed at entry {record.first_bad_seq}"


def status_words(record: RegisterVerification | None, head_seq: int, tz: str) -> StatusWords:
    """The status of a register whose head is at ``head_seq``, from its recorded verification."""
    full = _full(record, tz)
    if record is None:
        return StatusWords("none", "Not verified yet", "", full)
    checked = local_time(record.checked_at, tz, with_year=True)
    if record.first_bad_seq is not None:
        by = "the full verification" if record.found_by == FULL else "the check of new entries"
        headline = f"Failed at entry {record.first_bad_seq}: {record.reason}"
        return StatusWords("bad", headline, f"found by {by}, {checked}", full)
    in_full = record.full_seq if record.full_ok and record.full_seq else 0
    # "the last" full verification, dated: another may be running, and has proved nothing yet
    last = local_time(record.full_at, tz, with_year=True) if record.full_at else ""
    parts = [f"entries 1 to {in_full:,} in the last full verification, {last}"] if in_full else []
    if record.verified_seq > in_full:
        start = in_full + 1
        parts.append(f"entries {start:,} to {record.verified_seq:,} as they were added")
    detail = "; ".join(parts) + f"; last checked {checked}" if parts else f"checked {checked}"
    if record.verified_seq >= head_seq:
        return StatusWords("ok", f"Verified {_entries(head_seq)}", detail, full)
    waiting = f"{head_seq - record.verified_seq:,} newer not checked yet"
    headline = f"Partly verified: {record.verified_seq:,} of {_entries(head_seq)}"
    return StatusWords("partial", headline, f"{detail}; {waiting}", full)
