"""Text every boundary refuses: characters no store can keep or no identifier should hold.

PostgreSQL cannot store U+0000 in ``text`` or ``jsonb``, and a lone surrogate (U+D800–U+DFFF)
cannot be encoded as UTF-8 at all; either one stored would fail every later reader. Identifiers
also refuse the other C0 control characters and DEL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# Rust-regex patterns for pydantic's StringConstraints (a lone surrogate fails before the match).
IDENT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
TEXT_PATTERN = r"^[^\x00]*$"
PATTERN_MESSAGES = {
    IDENT_PATTERN: "must not contain control characters (such as U+0000)",
    TEXT_PATTERN: "must not contain U+0000 (NUL)",
}
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """Why TEXT cannot be stored (its first NUL or lone surrogate), or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    char = found.group()
    kind = "NUL" if char == "\x00" else "a lone surrogate"
    return f"contains {kind} (U+{ord(char):04X}) at position {found.start()}"


def unstorable_fields(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """``(dotted field, reason)`` for each string (or key) in a JSON value that cannot be stored."""
    if isinstance(value, str):
        reason = unstorable(value)
        if reason is not None:
            yield ".".join(path) or "(value)", reason
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            reason = unstorable(name)
            if reason is not None:
                yield ".".join((*path, repr(name))), f"a field name {reason}"
            else:
                yield from unstorable_fields(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable_fields(item, (*path, str(index)))


def pattern_message(error_type: str, pattern: object, default: str) -> str:
    """A readable message for a pattern mismatch of the patterns above, else DEFAULT."""
    if error_type == "string_pattern_mismatch":
        return PATTERN_MESSAGES.get(str(pattern), default)
    if error_type == "string_unicode":
        return "must be valid Unicode text (no lone surrogates)"
    return default
