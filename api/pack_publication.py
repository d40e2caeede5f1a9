"""A pack as it reads once published.

A pack's content is frozen when it is generated: it is the governance record of what the
group was shown, and its figures never change afterwards. Publishing is recorded beside it
(who, when). Every rendering of a published pack (its page, HTML, PDF) therefore states the
publication — by the publisher's name, in provider local time, with the cases it made
visible — and words the frozen sections in the past ("made visible on publication"), so a
published pack never still says its cases are "awaiting visibility".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.report import label, local_minute, plural
from domain.titles import capital
from store.staff import get_staff
from store.tables import Pack

# Longest phrases first: each frozen wording and how it reads after publication.
_PAST = [
    (r"is not over: this pack shows it as at", "was not over when this pack was published: as at"),
    (
        r" and is read again, with the reviews and cases so far, each time it is opened until it "
        r"is published",
        "",
    ),
    (r"awaiting this summary's visibility", "made visible by this summary's publication"),
    (r"awaiting board visibility", "made visible to the board on publication"),
    (r"awaiting pack visibility", "made visible on publication"),
    (r"awaiting visibility", "made visible on publication"),
    (
        r"whose repair pathway becomes active once this pack is published",
        "whose repair pathway became active (once accepted) when this pack was published",
    ),
    (
        r"makes these cases visible; each becomes",
        "made these cases visible; each accepted one became",
    ),
]
_PATTERNS = [(re.compile(p, re.IGNORECASE), r) for p, r in _PAST]


def _past(text: str) -> str:
    for pattern, replacement in _PATTERNS:

        def keep_case(match: re.Match[str], words: str = replacement) -> str:
            return _same_case(match.group(0), words)

        text = pattern.sub(keep_case, text)
    return text


def _same_case(found: str, replacement: str) -> str:
    return capital(replacement) if found[:1].isupper() else replacement


def _walk(value: Any) -> Any:
    if isinstance(value, str):
        return _past(value)
    if isinstance(value, list):
        return [_walk(v) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v) for k, v in value.items()}
    return value


def as_published(pack: Pack) -> dict[str, Any]:
    """The content to render: as generated, worded in the past once the pack is published."""
    content: dict[str, Any] = pack.content
    return content if pack.published_at is None else _walk(content)


def past_words(text: str, published: bool) -> str:
    """One frozen phrase (a stage, a heading) as it reads once published."""
    return _past(text) if published else text


def published_stage(stage: str, published: bool) -> str:
    """A listed case's stage once its pack is published: ``awaiting-visibility`` reads
    ``made-visible`` (the case workflow is applying the publication), on the page and in the CSV.
    """
    return "made-visible" if published and stage == "awaiting-visibility" else stage


def stage_words(stage: str) -> str:
    """A listed case's stage as the CSV gives it, in the PDF's words: ``made-visible`` →
    "made visible on publication", ``awaiting-visibility`` → "awaiting pack visibility"."""
    return (
        "made visible on publication" if stage == "made-visible" else label(stage).replace("-", " ")
    )


async def person_name(session: AsyncSession, employee_id: str | None) -> str:
    """The staff directory's name for ``employee_id`` (the ID itself when it is not listed)."""
    if not employee_id:
        return ""
    member = await get_staff(session, employee_id)
    return member.display_name if member is not None else employee_id


def publication_lines(
    pack: Pack,
    zone: str,
    publisher: str,
    when: Callable[[datetime, str], str] = local_minute,
    *,
    figures_below: bool = True,
) -> list[str]:
    """Publication and generation in words, provider local time to the minute (``when``
    formats an instant); ``publisher`` is the publisher's name. ``figures_below``: the rendering
    carries the figures (the printable page, the PDF), so a published pack says they are as
    generated; the pack's page, which links them, says so beside its links."""
    listed = plural(len(pack.case_ids), "case")
    if pack.published_at is None:
        published = f"Not published yet; {listed} awaiting visibility."
    else:
        at = when(pack.published_at, zone)
        published = f"Published by {publisher} on {at}; {listed} made visible."
    generated = f"Generated on {when(pack.generated_at, zone)}"
    if pack.published_at is not None and figures_below:
        generated += "; the figures below are as generated"
    return [published, generated + "."]
