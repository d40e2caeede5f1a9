"""Generic human-step contract: a step is data (role, deadline rule, prerequisites, fields...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, Field, TypeAdapter, ValidationError

from domain.roles import Role

DateOrInstant = date | AwareDatetime
"""A pathway deadline: a bare date (close of business that day) or an aware instant."""

_DATE_OR_INSTANT: TypeAdapter[datetime | date] = TypeAdapter(
    Annotated[AwareDatetime | date, Field(union_mode="left_to_right")]
)


# What to do, in the words every form uses ("Please …"); a page names the field by its label.
NOT_PAST = "Please choose today or a later date"
NOT_BEFORE = "Please choose a date on or after"


def deadlines_in_order(
    model: Any, deadlines: tuple[str, ...], review: str, today: date
) -> list[FieldError]:
    """A pathway's DEADLINES (each a DateOrInstant field) are not past and its REVIEW date is not
    before any of them (every example's pathway step)."""
    errors = []
    for name in deadlines:
        value = getattr(model, name)
        day = value.date() if isinstance(value, datetime) else value
        if day < today:
            errors.append(FieldError(field=name, message=NOT_PAST))
        elif getattr(model, review) < day:
            errors.append(FieldError(field=review, message=f"{NOT_BEFORE} {name}"))
    return errors


def date_or_instant(value: str) -> date | datetime:
    """A submitted DateOrInstant read back from its JSON text: an aware instant where it is one,
    else a date (decided by its type, not by the text's length)."""
    parsed = _DATE_OR_INSTANT.validate_python(value)
    if isinstance(parsed, datetime):
        return parsed.replace(tzinfo=timezone(parsed.utcoffset() or timedelta()))
    return parsed


# Failure types raised by update validators; the API maps them to status codes in one place.
WRONG_ROLE = "WrongRole"
WRONG_STAGE = "WrongStage"
MISSING_PREREQUISITE = "MissingPrerequisite"
INVALID_FIELDS = "InvalidFields"

EXAMPLE_DIRECTORS: dict[str, Role] = {
    "acknowledgment": Role.DIRECTOR_SAFETY_GOVERNANCE_WORKFORCE_EXPERIENCE,
    "learning-visibility": Role.EXECUTIVE_DIRECTOR_QUALITY_LEARNING_WORKFORCE_SUPPORT,
    "closure-credibility": Role.DIRECTOR_WORKFORCE_EXPERIENCE_SAFETY_LEARNING,
}
BOARD_ROLE = Role.BOARD_WORKFORCE_EXPERIENCE_REVIEWER


class FieldError(BaseModel):
    """One field-level reason a submission was rejected."""

    field: str
    message: str


@dataclass(frozen=True)
class StepSpec:
    """One human step of an example, declared as data and run by the generic step engine."""

    slug: str
    example: str
    title: str
    role: Role | None  # None: the case's named owner
    deadline_rule: str
    register: str
    fields: type[BaseModel]
    prerequisites: tuple[str, ...] = ()
    # submitted field -> key of the value the service computed when the step opened
    computed: tuple[tuple[str, str], ...] = ()
    # Evidence every confirmed source must cite: (kind, the documents of that kind).
    evidence_kinds: tuple[tuple[str, tuple[str, ...]], ...] = ()


def escalation_roles(example: str, step_role: Role | None, level: int) -> list[Role]:
    """Roles notified at an escalation level (SOURCES.md: role, + director, + board)."""
    roles: list[Role] = [step_role] if step_role is not None else []
    if level >= 2:
        roles.append(EXAMPLE_DIRECTORS[example])
    if level >= 3:
        roles.append(BOARD_ROLE)
    return list(dict.fromkeys(roles))


def field_errors(exc: ValidationError) -> list[FieldError]:
    """Flatten a pydantic ValidationError into field-level reasons."""
    errors = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in err["loc"]) or "body"
        errors.append(FieldError(field=loc, message=err["msg"]))
    return errors


def computed_mismatches(
    spec: StepSpec, submitted: BaseModel, computed: dict[str, Any]
) -> list[FieldError]:
    """Submitted values that disagree with the values the service computed (naming them)."""
    errors = []
    for field, key in spec.computed:
        if key not in computed:
            continue
        expected = computed[key]
        actual = getattr(submitted, field)
        if actual != expected:
            errors.append(
                FieldError(
                    field=field,
                    message=f"computed value is {expected!r} (source: {key}); got {actual!r}",
                )
            )
    return errors


def evidence_errors(
    spec: StepSpec, submitted: BaseModel, opened: set[str], entries: dict[str, list[str]]
) -> list[FieldError]:
    """Each confirmed source cites opened documents of every kind the step requires, and any
    cited entry is one of the cited document's citable entries (``ENTRIES``: document → the IDs
    ``domain.citable`` allows, as the API gave them when the document was opened)."""
    errors = []
    for i, src in enumerate(getattr(submitted, "confirmed_sources", None) or []):
        cited = {ev.document for ev in src.evidence}
        for j, ev in enumerate(src.evidence):
            at = f"confirmed_sources.{i}.evidence.{j}"
            if ev.document not in opened:
                errors.append(
                    FieldError(
                        field=f"{at}.document",
                        message=f"{ev.document!r} has not been opened for this case",
                    )
                )
            elif ev.entry is not None and ev.entry not in entries.get(ev.document, []):
                errors.append(
                    FieldError(
                        field=f"{at}.entry",
                        message=(
                            f"{ev.entry!r} is not a citable entry of {ev.document!r}: cite a "
                            "source record or a recorded action, not the service's own events "
                            "(a case opened, a step reached, a document opened)"
                        ),
                    )
                )
        for kind, documents in spec.evidence_kinds:
            if not cited & set(documents):
                errors.append(
                    FieldError(
                        field=f"confirmed_sources.{i}.evidence",
                        message=f"needs {kind} evidence: cite one of {', '.join(documents)}",
                    )
                )
    return errors
