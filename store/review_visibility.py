"""A review being built on several connections is seen by no reader until it is published.

``store.review_build`` commits the review's row with status ``building`` before its items are
inserted, in partitions, by concurrent transactions; the row becomes ``generated`` in one
short transaction once every partition is in. Every ORM ``SELECT`` of every session (a review
looked up by ID, reviews listed, items joined to their review) leaves such a row out, so a
half-built review reads as one not generated yet. Only the builder asks for it
(``SEE_BUILDING``), and ``/metrics``' count of such rows (``store.ops_metrics.building_reviews``:
one left by an attempt whose retry never came alerts).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from store.tables import Review

BUILDING = "building"
SEE_BUILDING: dict[str, Any] = {"see_building": True}
_HIDE_BUILDING = with_loader_criteria(Review, lambda review: review.status != BUILDING)

# The same criterion for a Core read (``store.pack_common.core_rows``: the hook below sees ORM
# statements only). Every Core statement that reads ``reviews`` says it, in its WHERE or, for an
# outer join, in the join's ON clause.
SHOWN = Review.status != BUILDING


@event.listens_for(Session, "do_orm_execute")
def _hide_building(state: ORMExecuteState) -> None:
    if state.is_select and not state.execution_options.get("see_building"):
        state.statement = state.statement.options(_HIDE_BUILDING)
