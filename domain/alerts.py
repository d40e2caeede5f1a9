"""An operator alert: a case's computed values keep failing (the step's deadline still runs)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ValuesAlert(BaseModel):
    """The administrators are told which case and step wait for values, and why."""

    case_id: str
    step: str
    title: str
    attempts: int
    cause: str
    at: datetime


class AlertResult(BaseModel):
    notified: list[str] = Field(default_factory=list)
    message_ids: list[int] = Field(default_factory=list)


def alert_subject(alert: ValuesAlert) -> str:
    return f"[near-miss governance] values failing for {alert.case_id} ({alert.title})"


def alert_body(alert: ValuesAlert) -> str:
    """Plain-text mail to the administrators: what fails, the cause, and that it keeps retrying."""
    return (
        f"The computed values of step '{alert.title}' of case {alert.case_id} failed "
        f"{alert.attempts} times.\n\nCause: {alert.cause}\n\n"
        "They keep being retried (backing off to once a minute) and appear as soon as the cause "
        "is fixed. The step is open and its deadline runs and escalates as usual; until the "
        "values exist a submission is answered 409.\n"
    )
