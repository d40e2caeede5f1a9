"""``nearmiss token | temporal-setup | worker | api``: the service's entry points."""

from __future__ import annotations

import asyncio

import typer

from config.settings import Settings
from domain.names import SEARCH_ATTRIBUTES


def run_token(employee_id: str) -> None:
    """Print a bearer token for ``employee_id`` signed with the configured token secret."""
    from infra.tokens import mint_token

    settings = Settings()
    if settings.oidc_jwks_url:
        typer.echo("warning: OIDC is configured; the API will refuse this token", err=True)
    print(mint_token(settings.token_secret, employee_id, settings.token_ttl_minutes))


async def _temporal_setup(settings: Settings) -> list[str]:
    from infra.temporal import connect, register_search_attributes

    client = await connect(settings)
    return await register_search_attributes(client, settings.temporal_namespace)


def run_temporal_setup() -> None:
    """Register the custom search attributes (idempotent) and say which were added."""
    settings = Settings()
    where = f"{settings.temporal_address} namespace {settings.temporal_namespace}"
    try:
        added = asyncio.run(_temporal_setup(settings))
    except RuntimeError as exc:  # connection failures surface as RuntimeError from the bridge
        typer.echo(f"cannot reach Temporal at {where}: {exc}", err=True)
        raise typer.Exit(1) from exc
    present = [name for name in SEARCH_ATTRIBUTES if name not in added]
    print(f"search attributes on {where}")
    print(f"  added: {', '.join(added) or 'none'}")
    print(f"  already present: {', '.join(present) or 'none'}")


def run_worker() -> None:
    """Run the Temporal worker until interrupted."""
    from infra.logs import configure_logging
    from worker.main import run_worker as run

    settings = Settings()
    configure_logging(settings, "nearmiss-worker")
    asyncio.run(run(settings))


def run_api() -> None:
    """Serve the API with uvicorn on the configured host and port."""
    import uvicorn

    from api.app import create_app
    from domain.collector import freeze_startup_heap
    from infra.logs import configure_logging

    settings = Settings()
    configure_logging(settings, "nearmiss-api")
    app = create_app(settings)
    freeze_startup_heap()
    # Our handler (JSON or console lines), and our request lines instead of uvicorn's access log.
    uvicorn.run(
        app, host=settings.api_host, port=settings.api_port, log_config=None, access_log=False
    )
