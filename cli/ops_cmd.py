"""``nearmiss replay`` and ``nearmiss projection rebuild``: operations before a deploy and after
a restore (docs/operations.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import typer
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from config.settings import Settings
from domain import names
from domain.cases import ProjectionUpdate
from infra.temporal import connect, data_converter
from store.cases import upsert_projection
from store.db import make_engine, make_sessionmaker, transaction
from worker.registry import WORKFLOWS

CASE_WORKFLOWS = (names.WF_ACK_CASE, names.WF_LEARNING_CASE, names.WF_CREDIBILITY_CASE)


def _from_file(target: str) -> WorkflowHistory | None:
    """A history downloaded as JSON (Web UI, `temporal workflow show -o json`), if a file."""
    path = Path(target)
    return WorkflowHistory.from_json(path.stem, path.read_text()) if path.is_file() else None


async def _history(target: str, settings: Settings, client: Client | None) -> WorkflowHistory:
    """The history in the file ``target``, or the one the server holds for that workflow ID."""
    history = await asyncio.to_thread(_from_file, target)
    if history is not None:
        return history
    client = client or await connect(settings)
    return await client.get_workflow_handle(target).fetch_history()


async def replay(
    targets: Sequence[str], settings: Settings, client: Client | None = None
) -> list[tuple[str, str | None]]:
    """Replay each target against this code: (target, failure or None)."""
    replayer = Replayer(workflows=WORKFLOWS, data_converter=data_converter(settings))
    results: list[tuple[str, str | None]] = []
    for target in targets:
        history = await _history(target, settings, client)
        outcome = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        failure = outcome.replay_failure
        results.append(
            (target, None if failure is None else f"{type(failure).__name__}: {failure}")
        )
    return results


def run_replay(targets: list[str]) -> None:
    """Print each target's replay result; exit 1 when any would not replay."""
    results = asyncio.run(replay(targets, Settings()))
    for target, failure in results:
        typer.echo(f"{target}: {'replays' if failure is None else 'FAILS ' + failure}")
    if any(failure for _target, failure in results):
        raise typer.Exit(1)


async def rebuild_projection(
    settings: Settings, client: Client | None = None, query: str | None = None
) -> int:
    """Write every case workflow's row and timeline (those ``query`` also selects) from Temporal
    into the database (idempotent: events keep their keys; a newer row is never overwritten);
    returns the count."""
    client = client or await connect(settings)
    types = ", ".join(f'"{name}"' for name in CASE_WORKFLOWS)
    cases = f"WorkflowType IN ({types})"
    query = f"{cases} AND ({query})" if query else cases
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine, settings.signing_key)
    count = 0
    try:
        async for execution in client.list_workflows(query):
            handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
            row = await handle.query(names.QUERY_PROJECTION, result_type=ProjectionUpdate)
            async with transaction(sessions) as session:
                await upsert_projection(session, row)
            count += 1
    finally:
        await engine.dispose()
    return count


def run_rebuild_projection(query: str | None) -> None:
    """Rebuild the case projection from Temporal and say how many cases were written."""
    count = asyncio.run(rebuild_projection(Settings(), query=query))
    typer.echo(f"case projection rebuilt from Temporal: {count} case(s) written")
