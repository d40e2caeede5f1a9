"""Benchmark 2: ingesting incident-platform rows with full validation into PostgreSQL.

Two service paths, each into a fresh schema per run: the ``nearmiss import`` CSV path
(``cli.store_cmd._import``: parse, validate, upsert in 5,000-row transactions) and
``POST /sources/incident-platform/records`` through the ASGI app in 10k-row batches. The
baseline is a raw ``COPY`` of the same rows (JSON text) into a plain table.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench import gen
from bench.common import Figure, admin, drop_schema, new_schema
from config.settings import Settings
from domain.acknowledgment import PLATFORM
from domain.feeds import FEEDS
from infra.tokens import mint_token

HTTP_BATCH = 10_000
ADMIN_ID = "E-BENCH-ADMIN"


def platform_rows(count: int) -> list[dict[str, Any]]:
    """``count`` valid incident-platform rows (the generator's, in and out of scope)."""
    rows = [r[PLATFORM] for r in gen.reports(count * 4 // 5 + 1)]
    return rows[:count]


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """The rows as a feed CSV (header = contract fields; null = empty, booleans true/false)."""
    fields = list(FEEDS[PLATFORM].model.model_fields)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(fields)
        for row in rows:
            writer.writerow([_cell(row.get(name)) for name in fields])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def csv_import(url: str, path: Path) -> float:
    """Seconds for the CLI import path (its progress display silenced; imports done before)."""
    from cli.store_cmd import _import

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        summary = await _import(url, PLATFORM, path)
    elapsed = time.perf_counter() - start
    assert summary.inserted > 0 and not summary.rejected, summary.rejected[:3]
    return elapsed


async def http_batches(url: str, rows: list[dict[str, Any]]) -> float:
    """Seconds to POST the rows in 10k batches through the ASGI app (app start-up excluded)."""
    from api.app import create_app

    settings = Settings(env="development", database_url=url, bootstrap_admins=[ADMIN_ID])
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {mint_token(settings.token_secret, ADMIN_ID)}"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            start = time.perf_counter()
            for at in range(0, len(rows), HTTP_BATCH):
                response = await client.post(
                    f"/sources/{PLATFORM}/records",
                    json={"records": rows[at : at + HTTP_BATCH]},
                    headers=headers,
                    timeout=300,
                )
                assert response.status_code == 200, response.text[:500]
                assert not response.json()["rejected"]
            return time.perf_counter() - start


async def raw_copy(schema: str, rows: list[dict[str, Any]]) -> float:
    """Seconds to COPY the rows' JSON text into a plain (key, content) table."""
    connection = await admin()
    try:
        await connection.execute(f'CREATE TABLE "{schema}".raw (key text, content json)')
        start = time.perf_counter()
        records = [(row["reference"], json.dumps(row)) for row in rows]
        await connection.copy_records_to_table("raw", schema_name=schema, records=records)
        return time.perf_counter() - start
    finally:
        await connection.close()


async def _fresh(measure: Any, *args: Any) -> float:
    schema, url = await new_schema("ingest")
    try:
        return float(await measure(schema, url, *args))
    finally:
        await drop_schema(schema)


async def bench(quick: bool) -> list[Figure]:
    """Rows/s of both service paths against raw COPY, ``runs`` fresh schemas each."""
    import api.app  # noqa: F401  (module imports are not part of the figures)
    import cli.store_cmd  # noqa: F401

    count, runs = (20_000, 2) if quick else (100_000, 3)
    rows = platform_rows(count)
    csv_s: list[float] = []
    http_s: list[float] = []
    copy_s: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        path = Path(tmp) / "incident-platform.csv"
        write_csv(rows, path)
        for _ in range(runs):
            csv_s.append(await _fresh(lambda _s, url: csv_import(url, path)))
            http_s.append(await _fresh(lambda _s, url: http_batches(url, rows)))
            copy_s.append(await _fresh(lambda schema, _u: raw_copy(schema, rows)))
    rate = [count / s for s in csv_s], [count / s for s in http_s], [count / s for s in copy_s]
    label = f"ingest {count // 1000}k"
    return [
        Figure(label, "CSV import vs raw COPY", "rows/s", rate[0], rate[2], "target >= 25k rows/s"),
        Figure(label, "HTTP 10k batches vs raw COPY", "rows/s", rate[1], rate[2], ""),
    ]
