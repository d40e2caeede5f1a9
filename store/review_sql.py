"""SQL pieces shared by the set-based reviews of examples 1-3 (SQLite and PostgreSQL).

Each review is one ``INSERT INTO review_items … SELECT`` built from these, run once per
partition of its reports on PostgreSQL (``in_part``; ``store.review_build``); only the JSON
constructors differ between the two databases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Integer,
    String,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    null,
    select,
    true,
    type_coerce,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy import text as sql_text
from sqlalchemy.ext.asyncio import AsyncSession

from store.tables import ReviewItem as ReviewItemRow

# ``employee_id`` is the item's ``fields``' employee_id as text, from the typed source columns
ITEM_COLUMNS = (
    "review_id", "reference", "classification", "reasons", "fields", "case_id", "employee_id"
)  # fmt: skip


def param(name: str) -> Any:
    """An integer bind parameter (thresholds, instants in epoch microseconds)."""
    return bindparam(name, type_=BigInteger)


def in_part(key: Any, parts: int) -> Any:
    """True for the keys of partition ``part`` (a bind parameter) of ``parts``, by PostgreSQL's
    ``hashtext`` (stable: a key is always in the same partition; the partitions are disjoint and
    cover every key). One partition (SQLite's, or a build on one connection): always true."""
    if parts == 1:
        return true()
    return func.abs(func.mod(func.hashtext(key), literal_column(str(parts)))) == param("part")


def text(value: str) -> Any:
    """A constant string (bound, so it is never spliced into the statement)."""
    return literal(value, String)


def json_list(items: list[Any], *, spaced: bool = False) -> Any:
    """JSON text of the non-NULL strings of ``items`` in order (constants: nothing to escape);
    ``spaced``: ``["a", "b"]`` as ``jsonb`` writes a list, else ``["a","b"]``."""
    comma = ", " if spaced else ","
    parts: list[Any] = [
        func.coalesce(text(comma + '"') + item + text('"'), text("")) for item in items
    ]
    return text("[") + func.substr(_concatenated(parts), len(comma) + 1) + text("]")


def as_json(dialect: str, value: Any) -> Any:
    """JSON text as a JSON value (embedded as JSON, not as a string, in a JSON object)."""
    return sql_cast(value, JSON) if dialect == "postgresql" else func.json(value)


def json_text(dialect: str, value: Any) -> Any:
    """JSON text as a value of ``json_document`` (PostgreSQL: no cast, the text is embedded)."""
    return type_coerce(value, JSON) if dialect == "postgresql" else func.json(value)


def json_object(dialect: str, *pairs: Any) -> Any:
    """A JSON object of alternating keys and values."""
    build = func.json_build_object if dialect == "postgresql" else func.json_object
    return build(*pairs)


def json_document(dialect: str, fields: dict[str, Any]) -> Any:
    """A JSON object of ``fields`` in order (values: JSON, integer, boolean or string typed).

    On PostgreSQL it is concatenated as text, byte for byte what ``json_build_object`` writes
    (``{"k" : v, …}``) without its per-value type lookup and output call: each value is cast
    to text (a string through ``to_json`` to quote it), a NULL written ``null``.
    """
    if dialect != "postgresql":
        return json_object(dialect, *(p for name, v in fields.items() for p in (text(name), v)))
    return _object_text(list(fields.items()), " : ")


def jsonb_form(fields: dict[str, Any]) -> Any:
    """PostgreSQL: the JSON object of ``fields`` as text, byte for byte what ``jsonb`` writes for
    it (keys shortest first, then bytewise; ``"k": v`` joined by ``, ``), cast to ``json``.

    Values as in ``json_document`` (a JSON value's text must itself be in ``jsonb``'s form:
    ``json_list(…, spaced=True)``). What a ``jsonb`` merge stores, without decoding a document
    into ``jsonb`` and writing it out again for every row."""
    names = sorted(fields, key=lambda name: (len(name.encode()), name.encode()))
    return _object_text([(name, fields[name]) for name in names], ": ")


def _object_text(pairs: list[tuple[str, Any]], colon: str) -> Any:
    """PostgreSQL: the JSON object of ``pairs`` in order, concatenated as text (``"k"`` COLON
    ``v``, joined by ``, ``) and cast to ``json``: a JSON, integer or boolean value's own text,
    a string quoted by ``to_json``, a NULL written ``null``."""
    parts: list[Any] = []
    for n, (name, value) in enumerate(pairs):
        quoted = value if isinstance(value.type, (JSON, Integer, Boolean)) else func.to_json(value)
        parts += [text(("{" if n == 0 else ", ") + f'"{name}"{colon}'), _or_null(quoted)]
    return sql_cast(_concatenated(parts) + text("}"), JSON)


def _concatenated(parts: list[Any]) -> Any:
    """SQL text ``parts[0] || parts[1] || …``."""
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + part
    return joined


def _or_null(value: Any) -> Any:
    return func.coalesce(sql_cast(value, String), text("null"))


def json_bool(dialect: str, value: Any) -> Any:
    """A boolean (or NULL) as a JSON true/false/null (SQLite has no boolean to embed)."""
    if dialect == "postgresql":
        return value
    return func.json(case((value, text("true")), (~value, text("false")), else_=null()))


def content_value(dialect: str, row: Any, name: str) -> Any:
    """A record's own JSON value of ``name`` (NULL when absent or when the row is missing)."""
    if dialect == "postgresql":
        return row.content.op("->", return_type=JSON)(text(name))
    return row.content.op("->", return_type=JSON)(text(f"$.{name}"))


def content_text(dialect: str, row: Any, name: str) -> Any:
    """A record's string value of ``name`` as text."""
    if dialect == "postgresql":
        return row.content.op("->>", return_type=String)(text(name))
    return func.json_extract(row.content, text(f"$.{name}"), type_=String)


def flag(condition: Any) -> Any:
    """1 when ``condition`` holds, else 0 (a NULL condition counts as 0)."""
    return case((condition, 1), else_=0)


def total(terms: list[Any]) -> Any:
    """The sum of integer expressions."""
    return sum(terms, literal(0, Integer))


# The review's hash joins build one table per joined feed (~6 MB per 125k reports): at the
# default 4 MB (8 MB for a hash) they spill to temporary files in batches (100-190 MB written and
# read again at 100k reports, ten times that at 1M). One review at a time: 64 MB is for it alone.
REVIEW_WORK_MEM = "64MB"


async def review_settings(session: AsyncSession, planner: Mapping[str, str] | None = None) -> None:
    """Plan the review's statement for what it is (PostgreSQL, this transaction only): the
    working memory its hash joins need, and no ``Memoize`` caches in front of its key look-ups.
    The planner expects a few hundred reports (it cannot estimate ``in_part``) and puts a cache
    before each index look-up by report key; each report's key is looked up once, so the cache
    never hits and costs ~10% of example 2's statement CPU (bench/RESULTS.md, "Eighth session").
    ``planner``: the review's own further settings (``ReviewBuild.planner``), name to value."""
    if (await session.connection()).dialect.name == "postgresql":
        settings = {"work_mem": REVIEW_WORK_MEM, "enable_memoize": "off", **(planner or {})}
        await session.execute(
            sql_text(
                "SELECT "
                + ", ".join(f"set_config(:name{n}, :value{n}, true)" for n in range(len(settings)))
            ),
            {
                key: item
                for n, (name, value) in enumerate(settings.items())
                for key, item in ((f"name{n}", name), (f"value{n}", value))
            },
        )


async def counts_by_classification(session: AsyncSession, review_id: str) -> dict[str | None, int]:
    """The stored items of a review counted by classification (None: exceptions)."""
    counts = await session.execute(
        select(ReviewItemRow.classification, func.count())
        .where(ReviewItemRow.review_id == review_id)
        .group_by(ReviewItemRow.classification)
    )
    return {classification: int(n) for classification, n in counts}


async def has_items(session: AsyncSession, review_id: str) -> bool:
    """Whether the review stores any item (as the session's snapshot sees it)."""
    found = await session.scalar(
        select(ReviewItemRow.reference).where(ReviewItemRow.review_id == review_id).limit(1)
    )
    return found is not None
