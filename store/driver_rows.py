"""A kept statement's rows read straight from asyncpg: the pack builds' reads on PostgreSQL.

A pack build runs a dozen small statements, each built once (``store.pack_common.kept``).
SQLAlchemy's execution path around each (execution context, parameters expanded per execution,
the cursor adapter, result metadata, rows fetched one by one through a greenlet) cost more
client CPU than the build's own Python: about half of a weekly build's CPU (bench/RESULTS.md,
"Twelfth session — pack builds"). Here each statement is compiled once per shape (the lengths
of its list parameters) to its SQL and the order of its parameters, and then runs as one asyncpg
``fetch`` on the session's own connection, inside the session's transaction, with SQLAlchemy's
own bind processors and the JSON decoders SQLAlchemy set on that connection: the same SQL, the
same parameters, the same values back.

Anything else takes SQLAlchemy's path: SQLite; a statement built for one use (compiled each
time here, where SQLAlchemy's cache would find it); and any engine or connection with statement
events (tracing, or a test counting round trips), which this path would not fire.

This reaches into SQLAlchemy's asyncpg adapter (its mutex, transaction start and driver
connection) and its compiler's parameter expansion: SQLAlchemy is pinned (pyproject.toml), and
the pack tests run on PostgreSQL.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.base import Executable

# (id of the statement, lengths of its list parameters) -> (the statement, kept alive so that
# its id is not reused; its SQL; per positional parameter: name, index in a list or None,
# whether the caller binds it, its value otherwise, its bind processor)
_PLANS: dict[tuple[int, tuple[int, ...]], tuple[Any, str, list[tuple[Any, ...]]]] = {}
_MAX_PLANS = 512
_ROW_TYPES: dict[tuple[str, ...], Any] = {}


class Rows:
    """What the packs' reads take from a result: ``all()``, iteration, ``scalar()``,
    ``scalars()``, ``one()``; rows as named tuples (attributes by column name, like a Core
    row)."""

    __slots__ = ("rows",)

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def all(self) -> list[Any]:
        return self.rows

    def __iter__(self) -> Any:
        return iter(self.rows)

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None

    def scalars(self) -> list[Any]:
        return [r[0] for r in self.rows]

    def one(self) -> Any:
        [row] = self.rows
        return row


async def kept_rows(session: AsyncSession, query: Executable, bound: dict[str, Any]) -> Any:
    """The rows of ``query`` (a statement kept for reuse) with its parameters ``bound``, as
    Core rows on the session's connection or, on asyncpg, as ``Rows`` read by the driver."""
    connection = await session.connection()
    if connection.dialect.driver != "asyncpg" or _listened(connection):
        return await connection.execute(query, bound)
    plan = _plan(connection, query, bound)
    sql, params = plan[1], plan[2]
    args = []
    for name, index, given, constant, process in params:
        if not given:
            args.append(constant)
            continue
        value = bound[name] if index is None else bound[name][index]
        args.append(value if process is None else process(value))
    adapted: Any = (await connection.get_raw_connection()).dbapi_connection
    async with adapted._execute_mutex:  # as the adapter's cursor runs a statement
        if adapted._transaction is None:
            await adapted._start_transaction()  # BEGIN, unless autocommit: as the adapter does
        try:
            records = await adapted._connection.fetch(sql, *args)
        except Exception as error:
            adapted._handle_exception(error)  # raised as the adapter raises it
    if not records:
        return Rows([])
    names = tuple(records[0].keys())
    row = _ROW_TYPES.get(names)
    if row is None:
        row = _ROW_TYPES[names] = namedtuple("Row", names, rename=True)
    new = tuple.__new__
    return Rows([new(row, r) for r in records])


def _listened(connection: AsyncConnection) -> bool:
    sync = connection.sync_connection
    return sync is None or bool(sync._has_events or sync.engine._has_events)


def _plan(
    connection: AsyncConnection, query: Executable, bound: dict[str, Any]
) -> tuple[Any, str, list[tuple[Any, ...]]]:
    lengths = tuple(len(v) for v in bound.values() if isinstance(v, list | tuple))
    key = (id(query), lengths)
    plan = _PLANS.get(key)
    if plan is not None and plan[0] is query:
        return plan
    compiled = query.compile(dialect=connection.dialect)  # type: ignore[attr-defined]
    expanded = compiled._process_parameters_for_postcompile(compiled.construct_params(bound))
    of = {
        name: (original, i)
        for original, names in expanded.parameter_expansion.items()
        for i, name in enumerate(names)
    }
    params = []
    for name in expanded.positiontup or ():
        original, index = of.get(name, (name, None))
        process = expanded.processors.get(name)
        value = expanded.parameters[name]
        if original not in bound and process is not None:
            value = process(value)
        params.append((original, index, original in bound, value, process))
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    plan = _PLANS[key] = (query, expanded.statement, params)
    return plan
