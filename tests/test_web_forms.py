"""Every step's form is generated from its own model and read back into it (all nine steps and
the action note): a filled form validates, an empty one is rejected with each error placed on
its control, computed values are fixed; escalation and breaches read as words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.case_actions import ActionNote
from api.errors import FieldError
from api.web.form_errors import errors_by_control
from api.web.step_form import Control, FormContext, build_controls, read_form
from api.web.words import (
    breach_words,
    escalation_words,
    field_words,
    readable_errors,
    yes_no,
)
from domain.examples import STEP_SPECS
from domain.roles import Role
from domain.steps import field_errors

TZ = "Europe/London"
SAMPLES = {
    "integer": "1",
    "number": "0.5",
    "date": "2026-12-10",
    "date_or_datetime": "2026-12-10",
    "datetime": "2026-12-10T17:00",
    "text": "E-OWNER",
    "textarea": "Seen and acted on",
}


def _fill(controls: list[Control], pairs: list[tuple[str, str]]) -> None:
    """One valid value per control (the first slot of each repeatable group only)."""
    for c in controls:
        if c.kind in ("group", "model"):
            _fill(c.slots[0], pairs)
        elif c.kind in ("evidence", "choices", "select", "boolean"):
            pairs.append((c.name, c.options[0][0]))
        elif c.kind != "fixed":
            pairs.append((c.name, c.attrs.get("min") or SAMPLES[c.kind]))


MODELS = [spec.fields for spec in STEP_SPECS.values()] + [ActionNote]


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_a_filled_form_validates_with_its_own_model(model) -> None:  # type: ignore[no-untyped-def]
    # An owner field offers the staff directory's people, as the step page fills it in.
    ctx = FormContext(
        documents=["report-chronology", "closure-review"],
        people=[("E0101", "Eilidh Wright — team lead, HC-NORTH (E0101)")],
    )
    controls = build_controls(model, ctx)
    assert {c.name for c in controls} == set(model.model_fields)
    assert all(c.label and c.hint for c in controls)  # every field labelled and described
    pairs: list[tuple[str, str]] = []
    _fill(controls, pairs)
    data = read_form(model, FormData(pairs), TZ)
    model.model_validate(data)  # raises if the form and the model disagree
    for name, info in model.model_fields.items():
        if "list" in str(info.annotation) and name in data:
            assert len(data[name]) == 1, name  # empty repeatable slots are dropped


@pytest.mark.parametrize("spec", list(STEP_SPECS.values()), ids=list(STEP_SPECS))
def test_an_empty_form_names_each_field_beside_its_control(spec) -> None:  # type: ignore[no-untyped-def]
    controls = build_controls(spec.fields, FormContext())
    with pytest.raises(ValidationError) as caught:
        spec.fields.model_validate(read_form(spec.fields, FormData([]), TZ))
    errors = [FieldError(field=e.field, message=e.message) for e in field_errors(caught.value)]
    placed, rest = errors_by_control(controls, errors)
    assert placed and not rest
    required = {c.name for c in controls if c.required and c.kind not in ("group", "evidence")}
    assert required <= set(placed)


def test_computed_values_are_fixed_and_datetimes_are_provider_local() -> None:
    spec = STEP_SPECS["triage-attribution"]
    controls = build_controls(spec.fields, FormContext(fixed={"repeated_worker_exposure": True}))
    fixed = next(c for c in controls if c.name == "repeated_worker_exposure")
    assert (fixed.kind, fixed.value, fixed.display) == ("fixed", "true", "Yes")
    source = controls[0].slots[0][0]
    assert (
        source.kind == "select" and ("manager_non_review", "Manager non-review") in source.options
    )
    assert len(controls[0].slots) == 5  # one slot per vocabulary entry


def test_escalation_in_words() -> None:
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    later, earlier = now + timedelta(hours=1), now - timedelta(hours=1)
    role = Role.NEAR_MISS_GOVERNANCE_SUPERVISOR
    assert escalation_words(0, later, now, role=role) == "on time"
    assert escalation_words(0, earlier, now).startswith("overdue")
    assert escalation_words(1, earlier, now, role=role) == (
        "overdue — reminder 1 to the Near-Miss Governance Supervisor"
    )
    two = escalation_words(2, earlier, now, example="acknowledgment", role=role)
    assert two.startswith("overdue — escalated to the Director of Safety Governance and Workforce")
    assert escalation_words(19, earlier, now) == "overdue — escalated to the board, reminder 19"
    assert "level" not in escalation_words(19, earlier, now)
    assert breach_words(3, None) == (
        "deadline missed — reminder 3 to the named owner, the director, the board"
    )


def test_a_date_with_a_time_is_an_instant_in_provider_local_time() -> None:
    model = STEP_SPECS["recovery-pathway"].fields
    name = "worker_communication_deadline"
    summer = read_form(model, FormData([(name, "2026-07-01"), (f"{name}__time", "15:30")]), TZ)
    assert summer[name] == "2026-07-01T15:30:00+01:00"  # British Summer Time
    winter = read_form(model, FormData([(name, "2026-12-01"), (f"{name}__time", "15:30")]), TZ)
    assert winter[name] == "2026-12-01T15:30:00+00:00"
    assert read_form(model, FormData([(name, "2026-12-01")]), TZ)[name] == "2026-12-01"
    controls = build_controls(model, FormContext(posted={f"{name}__time": ["09:15"]}))
    assert next(c for c in controls if c.name == name).time_value == "09:15"


def test_computed_mappings_and_document_errors_read_as_words() -> None:
    sheet = {"complete": True, "missing": []}
    assert yes_no(sheet) == "Complete: Yes; nothing missing"  # not "Missing: None"
    assert "{" not in yes_no({"complete": False, "missing": ["triage_attribution"]})
    assert field_words("documents.reporting-profile") == "Reporting profile"
    assert field_words("confirmed_sources.0.source") == "confirmed_sources.0.source"
    missing = FieldError(field="documents.near-miss-reliability-case", message="not opened by you")
    assert readable_errors([missing])[0]["field"] == "Near-miss reliability case"
