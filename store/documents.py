"""Prerequisite documents of every example, built from what the service holds, by slug.

Each example registers its builders in its own module (``store/<example>_documents.py``);
``build_document`` finds one by slug. Entries carry a stable ``id`` a step may cite as evidence.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.citable import citable
from store.acknowledgment_documents import ACKNOWLEDGMENT_BUILDERS
from store.credibility_documents import CREDIBILITY_BUILDERS
from store.document_context import Builder, DocumentContext, UnknownDocument
from store.learning_documents import LEARNING_BUILDERS
from store.retention_documents import RETENTION_BUILDERS

__all__ = ["UnknownDocument", "build_document", "entry_ids"]

BUILDERS: dict[str, Builder] = {
    **ACKNOWLEDGMENT_BUILDERS,
    **CREDIBILITY_BUILDERS,
    **LEARNING_BUILDERS,
    **RETENTION_BUILDERS,
}


def entry_ids(body: Any) -> list[str]:
    """The ``id`` of every citable entry anywhere in a built document (what a step may cite:
    ``domain.citable``; the service's own bookkeeping events are shown, never cited)."""
    found: list[str] = []
    if isinstance(body, dict):
        if isinstance(body.get("id"), str):
            return [body["id"]] if citable(body) else []
        for value in body.values():
            found += entry_ids(value)
    elif isinstance(body, list):
        for value in body:
            found += entry_ids(value)
    return found


async def build_document(
    session: AsyncSession, slug: str, *, reference: str, review_id: str, case_id: str
) -> dict[str, Any]:
    """Build document ``slug`` for a case (read-only); ``UnknownDocument`` if no such slug."""
    builder = BUILDERS.get(slug)
    if builder is None:
        raise UnknownDocument(slug)
    ctx = DocumentContext(reference=reference, review_id=review_id, case_id=case_id)
    body = await builder(session, ctx)
    return {"document": slug, "reference": reference, "case_id": case_id, **body}
