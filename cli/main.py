"""The ``nearmiss`` command. Each command imports its implementation lazily so start-up is fast."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.exit import as_entry_point, exits_at_once

app = typer.Typer(help="Near-miss governance service", no_args_is_help=True, add_completion=False)
schedules_app = typer.Typer(help="Temporal schedules", no_args_is_help=True)
app.add_typer(schedules_app, name="schedules")
projection_app = typer.Typer(help="The database's case projection", no_args_is_help=True)
app.add_typer(projection_app, name="projection")
registers_app = typer.Typer(
    help="Registers: verification and the signing key", no_args_is_help=True
)
app.add_typer(registers_app, name="registers")


@app.command()
def deadline(
    rule: Annotated[str, typer.Argument(help='e.g. "4 working hours", "2 working days"')],
    start: Annotated[str, typer.Argument(help="ISO 8601 instant with offset")],
) -> None:
    """Print the deadline for RULE counted from START (ISO 8601 with the local offset)."""
    from cli.calendar_cmd import run_deadline

    run_deadline(rule, start)


@app.command()
def migrate() -> None:
    """Apply the database migrations (Alembic) to the configured database."""
    from cli.store_cmd import run_migrate

    run_migrate()


@app.command("import")
def import_feed(
    feed: Annotated[str, typer.Argument(help="feed name, e.g. incident-platform")],
    file: Annotated[Path, typer.Argument(help="CSV file with a header row", exists=True)],
) -> None:
    """Import a CSV file into a feed; exits non-zero when any row was rejected."""
    from cli.store_cmd import run_import

    run_import(feed, file)


@app.command()
def token(employee_id: str) -> None:
    """Mint a development bearer token for a staff-directory employee ID."""
    from cli.service_cmd import run_token

    run_token(employee_id)


@app.command("temporal-setup")
@exits_at_once
def temporal_setup() -> None:
    """Register the custom search attributes on the configured Temporal server (idempotent)."""
    from cli.service_cmd import run_temporal_setup

    run_temporal_setup()


@app.command()
def worker() -> None:
    """Run the Temporal worker against the configured server and database."""
    from cli.service_cmd import run_worker

    run_worker()


@app.command()
def api() -> None:
    """Run the HTTP API against the configured server and database."""
    from cli.service_cmd import run_api

    run_api()


@app.command()
def dev(demo: Annotated[bool, typer.Option(help="load the demo data set")] = False) -> None:
    """Run everything locally: Temporal dev server, migrations, worker, API, schedules."""
    from cli.dev_cmd import run_dev

    run_dev(demo=demo)


@app.command("demo-data")
@exits_at_once
def demo_data(seed: int = 7, reports: int = 120) -> None:
    """Generate and load a seeded demo data set for every feed."""
    from cli.demo_cmd import run_demo_data

    run_demo_data(seed=seed, reports=reports)


@schedules_app.command("apply")
@exits_at_once
def schedules_apply() -> None:
    """Create or update the review and pack schedules (idempotent)."""
    from cli.governance_cmd import run_schedules_apply

    run_schedules_apply()


@app.command()
@exits_at_once
def review(
    example: Annotated[
        str, typer.Argument(help="acknowledgment | learning-visibility | closure-credibility")
    ],
    period: Annotated[str, typer.Argument(help="YYYY-MM-DD, or YYYY-MM for closure-credibility")],
) -> None:
    """Run (or find) the review of EXAMPLE for PERIOD and print its summary."""
    from cli.governance_cmd import run_review

    run_review(example, period)


@registers_app.command("verify")
@exits_at_once
def registers_verify(
    name: Annotated[str | None, typer.Argument(help="a register; all when omitted")] = None,
    head: Annotated[
        list[str] | None,
        typer.Option(help="a signed head from a pack or checkpoint mail: SEQ:HASH:SIGNATURE"),
    ] = None,
    public_key: Annotated[
        str | None, typer.Option(help="the service's public key (hex) as printed in a pack")
    ] = None,
) -> None:
    """Verify registers (chain, signatures, digests, Temporal's anchor and any given heads);
    names the first bad entry and exits 1 when one fails."""
    from cli.registers_cmd import run_verify

    run_verify(name, head or [], public_key)


@registers_app.command("public-key")
def registers_public_key() -> None:
    """Print the public key that verifies every register entry's signature."""
    from cli.registers_cmd import run_public_key

    run_public_key()


@app.command()
@exits_at_once
def replay(
    targets: Annotated[
        list[str], typer.Argument(help="history JSON files (Web UI download) or workflow IDs")
    ],
) -> None:
    """Replay workflow histories against this code before deploying it; exits 1 on any failure."""
    from cli.ops_cmd import run_replay

    run_replay(targets)


@projection_app.command("rebuild")
@exits_at_once
def projection_rebuild(
    query: Annotated[
        str | None,
        typer.Option(help="visibility query narrowing the cases (default: all)"),
    ] = None,
) -> None:
    """Rewrite the case rows and timelines from Temporal (after restoring the database)."""
    from cli.ops_cmd import run_rebuild_projection

    run_rebuild_projection(query)


def main() -> None:
    """The ``nearmiss`` console script: the commands may end the process at once (cli/exit.py)."""
    as_entry_point()
    app()
