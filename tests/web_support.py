"""Driving the pages over httpx: sign in with the dev "sign in as", read forms, post them."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf(html: str) -> str:
    """The page's CSRF token (from its meta tag)."""
    match = CSRF.search(html)
    assert match, "page has no CSRF meta tag"
    return match.group(1)


async def sign_in(api: Any, employee_id: str) -> None:
    """Start a page session as ``employee_id`` (development "sign in as")."""
    page = await api.http.get("/app/sign-in")
    answer = await api.http.post(
        "/app/sign-in/as", data={"csrf_token": csrf(page.text), "employee_id": employee_id}
    )
    assert answer.status_code == 303, answer.text


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
    """The page's visible text, whitespace collapsed (for assertions on words)."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
