"""Calendar activities (run as local activities: fast, pure, result recorded in history)."""

from __future__ import annotations

from temporalio import activity

from domain import names
from domain.calendar import DeadlineResult, calendar_for, compute_deadline
from domain.cases import DeadlineRequest, WorkingDayRequest


@activity.defn(name=names.ACT_COMPUTE_DEADLINE)
async def compute_deadline_activity(request: DeadlineRequest) -> DeadlineResult:
    """The deadline for a rule from an instant, with the calendar version that produced it."""
    return compute_deadline(request.calendar, request.rule, request.start)


@activity.defn(name=names.ACT_IS_WORKING_DAY)
async def is_working_day_activity(request: WorkingDayRequest) -> bool:
    """Whether a date is a working day of the provider's calendar (bank holidays excluded)."""
    return calendar_for(request.calendar).is_working_day(request.day)
