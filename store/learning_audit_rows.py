"""The rows example 2's audit joins (``store.learning_audit``), narrowed where they are scanned.

Each is a subquery fenced by ``OFFSET 0``: the JSON values an item copies are extracted once per
row at the scan, so the hash joins carry a few short values, not whole documents.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from domain.learning import BULLETIN_LOG, PLATFORM
from store.review_sql import in_part, param
from store.tables import SourceRecord

_REPORT_COLUMNS = (
    "key", "reference", "closed_at_us", "employee_id", "service_line", "risk_domain",
    "corrective_action_ref",
)  # fmt: skip
_BULLETIN_COLUMNS = (
    "key", "risk_domain", "corrective_action_ref", "feedback_to_reporter_at_us",
    "bulletin_issued_at_us", "wider_relevance",
)  # fmt: skip


def scoped(p: Any) -> Any:
    """A platform report closed in the audit's window (bind parameters ``start_us``, ``end_us``)."""
    return and_(
        p.feed == PLATFORM,
        p.closed_at_us >= param("start_us"),
        p.closed_at_us < param("end_us"),
    )


def reports(parts: int = 1) -> Any:
    """The window's closed reports with the one value of their document the item copies (the
    closure instant as written, with its offset: its typed column ``closed_at_iso``, migration
    0024, not the document parsed per report): the rows the joins carry stay narrow.
    With ``parts`` > 1: partition ``part``'s reports only (``store.review_sql.in_part``)."""
    p = aliased(SourceRecord, name="p")
    return (
        select(
            *(getattr(p, n) for n in _REPORT_COLUMNS),
            p.closed_at_iso.label("closed_text"),
        )
        .where(scoped(p), in_part(p.key, parts))
        .offset(0)
        .subquery("p")
    )


def bulletins(parts: int = 1) -> Any:
    """The bulletin log with the two values of its document the item copies, from their typed
    columns (the feedback instant as written; migration 0024), not the document read per row.
    With ``parts`` > 1: partition ``part``'s bulletins only (a bulletin joins the report with its
    key, which is in the same partition), so each partition hashes its half, not the whole log."""
    bl = aliased(SourceRecord, name="bl")
    return (
        select(
            *(getattr(bl, n) for n in _BULLETIN_COLUMNS),
            bl.feedback_to_reporter_at_iso.label("feedback_value"),
            bl.bulletin_id.label("bulletin_value"),
        )
        .where(bl.feed == BULLETIN_LOG, in_part(bl.key, parts))
        .offset(0)
        .subquery("bl")
    )
