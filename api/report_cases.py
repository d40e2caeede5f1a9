"""The cases a report's tables name, as their readers know them: a table's ``Case`` column holds
case IDs (the stored, signed content keeps them, for audit); the HTML page and the PDF show each
as its report reference (example 3's as its closed case and report), and the page links it to
its case page for a reader who may open it. Read at rendering time, so packs already stored
read the same."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.mail_words import capital, case_words
from store.tables import Case

CASE_COLUMN = "Case"
REPORT_COLUMN = "Report"


@dataclass(frozen=True)
class CaseRefs:
    """Case ID → report reference; ``linked``: the reader may open the cases' pages."""

    references: Mapping[str, str] = field(default_factory=dict)
    linked: bool = False

    def columns(self, columns: list[str]) -> list[str]:
        """A table's headings: the ``Case`` column reads ``Report`` when its cases are known."""
        return [REPORT_COLUMN if c == CASE_COLUMN and self.references else c for c in columns]

    def reference(self, column: str, value: Any) -> str | None:
        """The report reference shown for VALUE in COLUMN, None when it is not a known case."""
        if column != CASE_COLUMN or not isinstance(value, str) or value not in self.references:
            return None
        reference = self.references[value]
        words = case_words(value, reference)  # example 3's by its closed case and its report
        return reference if words == f"report {reference}" else capital(words)


NO_REFS = CaseRefs()


def _case_ids(doc: Mapping[str, Any]) -> Iterator[str]:
    for section in doc.get("sections", []):
        for block in section.get("blocks", []):
            if block.get("type") != "table" or CASE_COLUMN not in block["columns"]:
                continue
            at = block["columns"].index(CASE_COLUMN)
            yield from (str(row[at]) for row in block["rows"] if row[at])


async def case_refs(session: AsyncSession, doc: Mapping[str, Any], linked: bool) -> CaseRefs:
    """The report references of the cases DOC's tables name (one read)."""
    ids = sorted(set(_case_ids(doc)))
    if not ids:
        return NO_REFS
    rows = await session.execute(select(Case.case_id, Case.reference).where(Case.case_id.in_(ids)))
    return CaseRefs({row.case_id: row.reference for row in rows}, linked)
