"""A refused form's errors placed beside their controls, in the form's own words."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from api.errors import ApiError, FieldError
from api.web.step_form import FIELD_NAME, Control
from domain.titles import lower_first


def errors_by_control(
    controls: list[Control], errors: Sequence[FieldError]
) -> tuple[dict[str, str], list[FieldError]]:
    """Each error placed on the control whose name is the longest prefix of the error's field;
    the rest (no such control, e.g. a prerequisite document) returned for the form's summary."""
    labels = _labels(controls)
    names = sorted(labels, key=len, reverse=True)
    placed: dict[str, str] = {}
    rest = []
    for error in errors:
        where = error.get("field", "")
        owner = next((n for n in names if where == n or where.startswith(n + ".")), None)
        if owner is None:
            rest.append(error)
        else:
            message = labelled(error.get("message", ""), labels)
            placed[owner] = f"{placed[owner]}; {message}" if owner in placed else message
    return placed, rest


def marked_fields(controls: Sequence[Control], within: str = "") -> list[tuple[str, str, str]]:
    """Each control that carries an error, in the form's order, as (its element id, its label,
    the error): the refused form's summary lists them, each linked to its field. A control in a
    repeatable group is named with its slot ("Action 2: Deadline")."""
    found: list[tuple[str, str, str]] = []
    for c in controls:
        label = f"{within}: {c.label}" if within else c.label
        if c.error:
            found.append((c.id, label, c.error))
        for n, slot in enumerate(c.slots, start=1):
            found += marked_fields(slot, f"{c.item} {n}")
    return found


def labelled(message: str, labels: Mapping[str, str]) -> str:
    """A message's field names as the form labels them: "must not be before
    worker_communication_deadline" → "must not be before the worker communication deadline"."""

    def words(match: re.Match[str]) -> str:
        label = labels.get(match.group(0))
        return f"the {lower_first(label)}" if label else match.group(0)

    return FIELD_NAME.sub(words, message)


def _labels(controls: list[Control]) -> dict[str, str]:
    found = {}
    for control in controls:
        found[control.name] = control.label
        for slot in control.slots:
            found.update(_labels(slot))
    return found


def refused_detail(exc: ApiError) -> str:
    """What a refused form's summary says after "Please correct the form:": for field errors,
    nothing of the API's ("invalid fields", the workflow's "some fields need attention"), so the
    summary's one wording (``_form.html`` refused) and its list of marked fields say it."""
    return "" if exc.status_code == 422 and exc.errors else exc.detail
