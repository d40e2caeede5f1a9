"""What opening a step with computed values sends to the worker, and what comes back."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from domain.cases import ObligationNotice, ProjectionUpdate


class OpenStepRequest(BaseModel):
    """A step's opening: the stage's projection, the "this is now yours" notices, and the
    activity (by name) that computes the step's values with its argument."""

    projection: ProjectionUpdate
    notices: list[ObligationNotice] = []
    values_activity: str
    values_arg: Any


class OpenStepResult(BaseModel):
    """The step's values as the values activity returned them (JSON), and the IDs of queued
    mails the server did not take (sent by an activity of their own, retried)."""

    values: Any
    undelivered: list[int] = []
