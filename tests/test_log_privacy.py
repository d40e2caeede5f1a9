"""No personal value in the structured logs: with the service's JSON logging (infra.logs), example
1 runs through the real API and worker on the time-skipping server: feeds loaded over HTTP (a bad
row among them), the review, the triage attribution (a note naming the worker, and a rejected
one), a speaking-up answer with a comment (and a rejected one), deadlines passing (breaches,
escalation mails over SMTP), a refused confirmation and an erasure request. Every log line is then
scanned, raw and JSON-decoded, for the seeded employee IDs, names, emails, the narrative and the
free texts: none found. The positive control logs the same values through the same configuration
and the scan finds every one of them."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from typing import Any

from tests.api_support import TRIAGE_DOCS, attribution, open_case, open_docs
from tests.factories import NAMED_WORKER, STAFF, email, load, named_staff_rows, staff_rows
from tests.fixtures.logs import log_lines
from tests.workflow_support import running_worker, skip

WORKER, NAME, EMAIL = NAMED_WORKER
COMMENT = "Nobody came back to me about the insulin"
NOTE = f"{NAME} was not told for three days"
NARRATIVE = "Insulin nearly given twice"


# The test's own SMTP sink (aiosmtpd) and HTTP client log through the same root logger; their
# lines are the harness's, not the service's (the service sends mail with aiosmtplib).
HARNESS = {"mail.log", "httpx"}


def personal_values() -> list[str]:
    """Every seeded person's employee ID, name and email, and the texts about the worker."""
    people = sorted(STAFF)
    values = {*people, *(email(p) for p in people), *(p.title() for p in people)}
    return sorted(values | {NAME, EMAIL, COMMENT, NOTE, NARRATIVE})


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (str(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


def scan(buffer: io.StringIO, values: list[str]) -> dict[str, list[str]]:
    """Each value found, with the events of the lines holding it (raw text or decoded JSON)."""
    found: dict[str, list[str]] = {}
    for line, parsed in zip(
        [x for x in buffer.getvalue().splitlines() if x.strip()], log_lines(buffer), strict=True
    ):
        if parsed.get("logger") in HARNESS:
            continue
        text = "\n".join([line, *_strings(parsed)])
        for value in values:
            if value in text:
                found.setdefault(value, []).append(str(parsed.get("event")))
    return found


async def _scenario(api: Any, env: Any, sessions: Any) -> None:
    await load(sessions, "staff-directory", staff_rows())  # the administrator, to load feeds
    records = {"records": [*named_staff_rows(), {**named_staff_rows()[0], "email": NAME}]}
    loaded = await api.post("/sources/staff-directory/records", "E-ADMIN", json=records)
    assert loaded.status_code == 200 and loaded.json()["rejected"], loaded.text
    case_id, view = await open_case(api, env, sessions)
    loaded = await api.post("/sources/staff-directory/records", "E-ADMIN", json=records)
    await open_docs(api, case_id, "E-SUPERVISOR", TRIAGE_DOCS)
    url = f"/cases/{case_id}/steps/triage-attribution"
    bad = await api.post(
        url, "E-SUPERVISOR", json=attribution(view, note=NOTE, confirmed_sources=[])
    )
    assert bad.status_code == 422, bad.text
    good = await api.post(url, "E-SUPERVISOR", json=attribution(view, note=NOTE))
    assert good.status_code == 200, good.text
    form = {"score": 2, "risk_domain": "medication", "comment": COMMENT}
    assert (await api.post("/forms/speaking-up-confidence", WORKER, json=form)).status_code == 200
    wrong = await api.post("/forms/speaking-up-confidence", WORKER, json=form | {"score": 9})
    assert wrong.status_code == 422, wrong.text
    confirm = {"case_ref": "NM-NOT-MINE", "confirmed": True, "comment": COMMENT}
    refused = await api.post("/forms/employee-confirmation", WORKER, json=confirm)
    assert refused.status_code in (404, 422), refused.text
    await skip(env, timedelta(days=3))  # deadlines pass: breaches and escalation mails
    erasure = {"person": EMAIL, "request_ref": "SAR-LOG-1"}
    assert (await api.post("/registers/erasures", "E-ADMIN", json=erasure)).status_code == 200


async def test_no_personal_value_in_any_log_line(
    json_lines, own_env, sqlite_url, sessions_for, api_for, smtp_server
) -> None:
    inbox, smtp_port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=smtp_port) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        await _scenario(api, own_env, sessions)
    values = personal_values()
    lines = log_lines(json_lines)
    found = scan(json_lines, values)
    events = sorted({str(x.get("event")) for x in lines})
    print(
        f"\nlog scan: {len(lines)} JSON lines ({len(events)} kinds of event), "
        f"{len(values)} seeded personal values, found: {found or 0}"
    )
    assert len(lines) > 50 and {"request", "activity"} <= set(events), events
    assert found == {}
    # Positive control: the same values, logged through the same configuration, are all found.
    control = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(control)
    logging.getLogger("nearmiss.control").warning("control %s", " | ".join(values))
    try:
        raise ValueError(NARRATIVE)
    except ValueError:
        logging.getLogger("nearmiss.control").exception("failed")
    assert "\\u00e1" in control.getvalue()  # the name is written escaped: the scan decodes it
    assert sorted(scan(control, values)) == values
    assert len(scan(control, [NARRATIVE])[NARRATIVE]) == 2  # an exception's text is scanned too
    assert inbox.messages, "the escalation mails were sent (and their sending logged)"
