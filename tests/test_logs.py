"""Structured JSON logs: one line per request with its request ID, route, case and step; the
worker's activity lines with workflow ID, case ID and step; no personal data; console output
untouched unless NEARMISS_LOG_FORMAT=json. Real API, worker and time-skipping server."""

from __future__ import annotations

import logging

import structlog

from tests.api_support import TRIAGE_DOCS, attribution, open_case, open_docs
from tests.factories import staff_rows
from tests.fixtures.logs import log_lines
from tests.workflow_support import running_worker


async def test_request_and_activity_lines_carry_ids_and_no_personal_data(
    json_lines, own_env, sqlite_url, sessions_for, api_for
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, view = await open_case(api, own_env, sessions)
        await open_docs(api, case_id, "E-SUPERVISOR", TRIAGE_DOCS)
        url = f"/cases/{case_id}/steps/triage-attribution"
        response = await api.post(
            url, "E-SUPERVISOR", json=attribution(view), headers={"X-Request-ID": "req-42"}
        )
        assert response.status_code == 200, response.text
        assert response.headers["x-request-id"] == "req-42"
    lines = log_lines(json_lines)
    [step] = [x for x in lines if x["event"] == "request" and x.get("request_id") == "req-42"]
    assert step["route"] == "/cases/{case_id}/steps/triage-attribution"
    assert (step["case_id"], step["step"], step["status"]) == (case_id, "triage-attribution", 200)
    assert step["method"] == "POST" and step["service"] == "nearmiss-test"
    recorded = [
        x for x in lines
        if x["event"] == "activity" and x["activity_type"] == "record_step"
        and x.get("case_id") == case_id
    ]  # fmt: skip
    assert recorded and recorded[0]["workflow_id"] == case_id
    assert recorded[0]["step"] == "triage-attribution" and recorded[0]["outcome"] == "completed"
    generated = [x for x in lines if x["event"] == "request" and x.get("request_id") != "req-42"]
    assert all(len(x["request_id"]) == 32 for x in generated)  # one made up per request
    text = json_lines.getvalue()
    for person in staff_rows():
        for value in (person["employee_id"], person["email"], person["display_name"]):
            assert f'"{value}"' not in text, value


async def test_console_lines_show_the_worker_and_api_at_work(
    console_lines, own_env, sqlite_url, sessions_for, api_for
) -> None:
    """The console format (``make run``) shows the same lines readably: the worker's activity
    lines and the API's request lines (it used to leave logging alone: the worker said nothing).
    """
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, _ = await open_case(api, own_env, sessions)
    lines = console_lines.getvalue().splitlines()
    activity = [x for x in lines if " activity " in x and "generate_acknowledgment_review" in x]
    assert activity and "outcome=completed" in activity[0] and "[info" in activity[0]
    assert any(" request " in x and "status=200" in x for x in lines), lines[-5:]
    assert any(f"case_id={case_id}" in x for x in lines)
    assert not any(x.lstrip().startswith("{") for x in lines)  # not JSON
    text = console_lines.getvalue()
    for person in staff_rows():
        assert person["email"] not in text and f"={person['employee_id']}" not in text


def test_personal_keys_are_dropped_even_when_bound(json_lines) -> None:
    log = structlog.get_logger("nearmiss.test")
    log.info("bound", employee_id="E-1", email="a@b.org", display_name="A B", case_id="c-1")
    logging.getLogger("nearmiss.test").info("extra", extra={"recipient": "a@b.org", "step": "s"})
    bound, extra = log_lines(json_lines)[-2:]
    assert bound["case_id"] == "c-1" and not {"employee_id", "email", "display_name"} & set(bound)
    assert extra["step"] == "s" and "recipient" not in extra
