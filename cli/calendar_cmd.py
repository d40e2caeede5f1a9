"""``nearmiss deadline RULE START``: print when a rule falls due under the configured calendar."""

from __future__ import annotations

from datetime import datetime

import typer
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import SettingsError

from config.settings import Settings
from domain.calendar import CalendarConfig, compute_deadline


def parse_start(start: str) -> datetime:
    """Parse an ISO 8601 instant that carries an offset; raises typer.BadParameter otherwise."""
    try:
        parsed = datetime.fromisoformat(start)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{start!r} is not an ISO 8601 date-time", param_hint="START"
        ) from exc
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise typer.BadParameter(
            f"{start!r} has no UTC offset; add one, e.g. {start}+00:00 or {start}Z",
            param_hint="START",
        )
    return parsed


def run_deadline(rule: str, start: str) -> None:
    """Print the deadline as one ISO 8601 instant with the local offset; exit 2 on bad input."""
    instant = parse_start(start)
    config = _calendar_config()
    try:
        result = compute_deadline(config, rule, instant)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="RULE") from exc
    print(result.due_local.isoformat())


def _calendar_config() -> CalendarConfig:
    """The calendar configured through NEARMISS_* settings; exits 1 with the reasons if invalid."""
    try:
        return Settings().calendar_config()
    except ValidationError as exc:
        reasons = "; ".join(_reason(error) for error in exc.errors())
    except SettingsError as exc:
        reasons = f"{exc} ({exc.__cause__})"
    typer.echo(f"Error: invalid calendar settings (NEARMISS_*): {reasons}", err=True)
    raise typer.Exit(1)


def _reason(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]
