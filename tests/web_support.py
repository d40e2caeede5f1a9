"""Driving the pages over httpx: sign in with the dev "sign in as", read forms, post them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any

from tests.api_support import CRITICAL, EMERGING, FINE
from tests.factories import load, load_reports, report_rows, staff_rows
from tests.workflow_support import local_as_of

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def csrf(html: str) -> str:
    """The page's CSRF token (from its meta tag)."""
    match = CSRF.search(html)
    assert match, "page has no CSRF meta tag"
    return match.group(1)


def idempotency_key(html: str) -> str:
    """The form's idempotency key (a hidden field)."""
    match = KEY.search(html)
    assert match, "form has no idempotency key"
    return match.group(1)


async def sign_in(api: Any, employee_id: str, next_path: str | None = None) -> Any:
    """Start a page session as ``employee_id`` (development "sign in as"), to go on to
    ``next_path`` if given; the answer, a redirect."""
    data = {"employee_id": employee_id}
    params = {}
    if next_path is not None:
        data["next"] = params["next"] = next_path
    page = await api.http.get("/app/sign-in", params=params)
    answer = await api.http.post("/app/sign-in/as", data={"csrf_token": csrf(page.text), **data})
    assert answer.status_code == 303, answer.text
    return answer


async def pages_api(api_for: Any, database_url: str, env: Any, queue: str) -> Any:
    """The app in development mode (pages, "sign in as") on ENV's Temporal client and clock."""
    api = await api_for(
        database_url,
        temporal=env.client,
        temporal_task_queue=queue,
        env="development",
        api_host="127.0.0.1",
    )
    api.app.state.clock = env.get_current_time
    return api


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "hidden": {}, "names": []})
        elif tag in ("input", "select", "textarea") and self.forms and "name" in a:
            self.forms[-1]["names"].append(a["name"])
            if a.get("type") == "hidden":
                self.forms[-1]["hidden"][a["name"]] = a.get("value", "")


def form(html: str, action: str) -> dict[str, Any]:
    """The form posting to ``action``: its hidden values and every field name."""
    parser = _Forms()
    parser.feed(html)
    for found in parser.forms:
        if found["action"] == action:
            return found
    raise AssertionError(f"no form posting to {action}")


def text(html: str) -> str:
    """The page's visible text, whitespace collapsed, entities read (for assertions on words)."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip())


SPLIT = "NM-SPLIT-1"


async def seed_with_exception(sessions: Any, day: date) -> None:
    """Example 1's three reports (critical, emerging, fine) and one whose sources disagree."""
    as_of = local_as_of(day)
    await load(sessions, "staff-directory", staff_rows())
    split = report_rows(SPLIT, submitted_at=as_of - timedelta(days=2), ack_minutes=None)
    split["manager-response-tracker"]["service_line"] = "HC-SOUTH"  # the sources disagree
    await load_reports(
        sessions,
        [
            report_rows(CRITICAL, submitted_at=as_of - timedelta(days=3), ack_minutes=None),
            report_rows(
                EMERGING,
                submitted_at=as_of - timedelta(hours=36),
                ack_minutes=None,
                service_line="HC-EAST",
            ),
            report_rows(
                FINE, submitted_at=as_of - timedelta(days=2), ack_minutes=30, status="triaged"
            ),
            split,
        ],
    )
