"""The canonical JSON that is hashed and stored never changes: stored content hashes stay valid.

The reference is the original form, ``json.dumps(record.model_dump(mode="json"), sort_keys=True,
separators=(",", ":"), ensure_ascii=False)``; whatever builds the text faster must give these
bytes for every feed and every value a record can hold.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cli.demo_data import generate
from domain.feeds import FEEDS, FeedRecord, WorkforceReportingLog
from domain.ingest import validate_rows
from store.sources import content_hash, prepare_records, record_json

PROFILE = settings(max_examples=300, deadline=None, database=None)


def original_json(record: FeedRecord) -> bytes:
    content = record.model_dump(mode="json")
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def assert_canonical(feed: str, rows: list[dict[str, Any]]) -> int:
    records, rejected = validate_rows(feed, rows)
    assert rejected == []
    for record, (_, text, digest, _) in zip(records, prepare_records(feed, records), strict=True):
        expected = original_json(record)
        assert record_json(record) == text == expected
        assert digest == hashlib.sha256(expected).hexdigest()
        assert digest == content_hash(record.model_dump(mode="json"))
    return len(records)


def test_every_feed_of_the_demo_data_keeps_its_text_and_hash() -> None:
    rows = generate(11, 80, datetime(2026, 11, 26, 12, tzinfo=UTC))
    assert set(rows) == set(FEEDS)
    assert all(assert_canonical(feed, feed_rows) for feed, feed_rows in rows.items())


offsets = st.integers(min_value=-1439, max_value=1439).map(lambda m: timezone(timedelta(minutes=m)))
instants = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets
)
# Storable identifier text (the boundary refuses C0 controls, DEL and lone surrogates: see
# domain/text.py and its own tests); never blank: identifiers need a character.
storable = st.characters(
    exclude_categories=("Cs",), exclude_characters=[*map(chr, range(0x20)), "\x7f"]
)
texts = st.text(storable, max_size=40).map(lambda s: "x" + s)
maybe = st.one_of(st.none(), texts)
maybe_instants = st.one_of(st.none(), instants, instants.map(datetime.isoformat))


@PROFILE
@given(
    texts=st.lists(texts, min_size=5, max_size=5),
    optional=st.lists(maybe, min_size=4, max_size=4),
    instants=st.lists(maybe_instants, min_size=4, max_size=4),
    flags=st.lists(st.booleans(), min_size=2, max_size=2),
)
def test_any_incident_keeps_its_text_and_hash(
    texts: list[str], optional: list[str | None], instants: list[Any], flags: list[bool]
) -> None:
    row = dict(
        zip(("reference", "employee_id", "service_line", "category_code"), texts[:4], strict=True)
    )
    row |= dict(
        zip(
            ("client_id", "triage_owner_id", "corrective_action_ref", "narrative"),
            optional,
            strict=True,
        )
    )
    row |= dict(
        zip(
            ("first_acknowledged_at", "triage_completed_at", "closed_at"), instants[:3], strict=True
        )
    )
    row["submitted_at"] = instants[3] or datetime(2026, 11, 26, 9, tzinfo=UTC)
    row |= {"risk_domain": "medication", "triage_status": "triaged", "narrative": texts[4]}
    row |= {"recurrence_risk": flags[0], "unsafe_condition_active": flags[1]}
    assert assert_canonical("incident-platform", [row]) == 1


@PROFILE
@example(name="x", roles=[], left_at=None, count=10**30, closure_flags=[])
@given(
    name=texts,
    roles=st.lists(st.sampled_from(["worker", "administrator"]), max_size=3),
    left_at=st.one_of(st.none(), st.dates(min_value=date(1, 1, 1))),
    count=st.integers(min_value=0),
    closure_flags=st.lists(st.sampled_from(["weak_triage", "disputed_closure"]), max_size=3),
)
def test_dates_lists_and_integers_keep_their_text(
    name: str, roles: list[str], left_at: date | None, count: int, closure_flags: list[str]
) -> None:
    staff = {"employee_id": "E1", "display_name": name, "email": "a@b.org", "roles": roles}
    staff |= {"active": True, "left_at": left_at}
    analysis = {
        "reference": "NM-1",
        "risk_domain": "communication",
        "analysed_at": "2026-11-26T09:00Z",
    }
    analysis |= {"recurrence_within_30_days": False, "repeat_count_same_domain": count}
    closed = {"case_ref": "C1", "reference": "NM-1", "employee_id": "E1", "service_line": "s"}
    closed |= {"manager_line": "m", "closed_at": "2026-11-26T09:00:00.25-03:30"}
    closed |= {"closure_category": "c", "final_reviewing_role": name, "flags": closure_flags}
    assert assert_canonical("staff-directory", [staff]) == 1
    assert assert_canonical("recurrence-analysis-file", [analysis]) == 1
    assert assert_canonical("closed-case-register", [closed]) == 1


@pytest.mark.parametrize(
    "zone",
    [
        UTC,
        timezone(timedelta(seconds=30)),
        timezone(timedelta(hours=-3, minutes=-30, seconds=-52)),
        ZoneInfo("Europe/London"),
        ZoneInfo("America/St_Johns"),
    ],
)
def test_records_built_in_python_keep_their_text_whatever_the_zone(zone: tzinfo) -> None:
    for instant in (datetime(2026, 1, 5, 9, tzinfo=zone), datetime(1850, 7, 5, 9, 0, 0, 5, zone)):
        record = WorkforceReportingLog(
            reference="A", employee_id="E1", service_line="s", submitted_at=instant
        )
        assert record_json(record) == original_json(record)
