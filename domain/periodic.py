"""Inputs and results of the periodic workflows (reviews, packs and the schedules that start
them), exchanged between workflows, activities and the API; the case workflow's are in
``domain.cases``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from domain.calendar import CalendarConfig
from domain.cases import Actor


class ReviewInput(BaseModel):
    """Start input of a review workflow (the review date; calendar pinned at start)."""

    review_id: str
    example: str
    period: str
    calendar: CalendarConfig
    policy_version: str
    # A person asked for this run (the API or the CLI), not the schedule: a run asked for after
    # its deadlines had passed is a back-run, and nobody is escalated for those deadlines.
    requested: bool = False


class ReviewSummary(BaseModel):
    """What a review workflow keeps in history: counts only, no personal data."""

    review_id: str
    as_of: datetime | None = None
    # When the review was really generated (not its as_of): late generation is a breach.
    generated_at: datetime | None = None
    skipped: str | None = None
    counts: dict[str, int] = {}
    exceptions: int = 0
    exposed: int = 0
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    # A back-run: asked for after its generation deadline (no generation breach recorded).
    generation_deadline_passed_before_request: bool = False
    cases_opened: int = 0
    cases_raised: int = 0


class GenerateReviewRequest(BaseModel):
    review_id: str
    period: str
    as_of: datetime
    calendar: CalendarConfig | None = None  # reviews whose scope is in local time need its zone


class ValueReviewRequest(BaseModel):
    """Value a generated review's items for the analytics, by the review's pinned calendar."""

    review_id: str
    calendar: CalendarConfig


class ReviewValued(BaseModel):
    items: int  # valued by this attempt: 0 when its values were there already


class ReviewedRequest(BaseModel):
    review_id: str
    actor: str
    at: datetime
    calendar: CalendarConfig
    policy_version: str


class SignOffRequest(BaseModel):
    """The review's sign-off obligation as the workflow opens it: its deadline, and whether the
    run is a back-run (asked for after its deadline: due by close of business of generation)."""

    review_id: str
    due_at: datetime
    back_run: bool


class OpenCasesResult(BaseModel):
    opened: int
    raised: int
    existing: int


class MarkReviewed(BaseModel):
    actor: Actor


class PackInput(BaseModel):
    kind: str
    period: str


class PackSummary(BaseModel):
    kind: str
    period: str
    case_ids: list[str] = []
    published_by: str | None = None
    published_at: datetime | None = None


class PublishPack(BaseModel):
    actor: Actor


class PublishRequest(BaseModel):
    kind: str
    period: str
    actor: str
    at: datetime


class ScheduledStart(BaseModel):
    """What a schedule fires: a review (by example) or a pack (by kind) for the local date."""

    target: Literal["review", "pack"]
    name: str
    calendar: CalendarConfig
    policy_version: str = ""
    cycle_anchor: date | None = None  # fortnightly audits: the provider's cycle anchor date


class StartRequest(BaseModel):
    target: Literal["review", "pack"]
    name: str
    period: str
    calendar: CalendarConfig
    policy_version: str = ""
