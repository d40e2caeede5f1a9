"""Example 1's item document as its review's statement stored it before migration 0033 (the
text its typed columns must render, byte for byte)."""

from __future__ import annotations

import json
from typing import Any

from domain.acknowledgment import ITEM_FIELDS


def stored_text(dialect: str, fields: dict[str, Any]) -> str:
    """PostgreSQL's ``json_build_object`` form (``{"k" : v, …}``, a list as ``["a","b"]``),
    SQLite's ``json_object`` (compact), keys in ``ITEM_FIELDS``' order."""
    ordered = {name: fields[name] for name in ITEM_FIELDS}
    if dialect != "postgresql":
        return json.dumps(ordered, separators=(",", ":"), ensure_ascii=False)

    def value(v: Any) -> str:
        if isinstance(v, list):
            return "[" + ",".join(json.dumps(x, ensure_ascii=False) for x in v) + "]"
        return json.dumps(v, ensure_ascii=False)

    return "{" + ", ".join(f'"{k}" : {value(v)}' for k, v in ordered.items()) + "}"
