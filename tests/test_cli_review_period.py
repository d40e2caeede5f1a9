"""`nearmiss review` applies the API's period rule before anything starts (issue 10, item 5):
an impossible period, one before 2000, or a review whose as-of instant has not come is refused
with exit code 2 naming the period, and no Temporal server is even contacted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.fixtures.mail import free_port

NOWHERE = {"NEARMISS_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}"}  # nothing listens there


@pytest.mark.parametrize(
    ("example", "period", "reason"),
    [
        ("acknowledgment", "9999-12-31", "not before"),
        ("closure-credibility", "9999-12", "not a period that exists"),
        ("learning-visibility", "0001-01-01", "before 2000"),
        ("acknowledgment", "2026-13-01", "not a period that exists"),
        ("closure-credibility", "2026-12-01", "not a period that exists"),
    ],
)
def test_review_refuses_a_period_the_api_refuses(example: str, period: str, reason: str) -> None:
    result = CliRunner().invoke(app, ["review", example, period], env=NOWHERE)
    said = " ".join(result.output.split())
    assert result.exit_code == 2, said
    assert said.startswith("period:") and reason in said


def test_review_of_today_before_its_as_of_instant_is_refused() -> None:
    later = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    result = CliRunner().invoke(app, ["review", "acknowledgment", later], env=NOWHERE)
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "its as-of instant" in said, said
