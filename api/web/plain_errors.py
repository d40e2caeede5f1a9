"""Pydantic's refusals in the words every form uses, staff and worker alike: "Please answer this
question", not "Field required"; "Please enter a date", not "Input should be a valid date"."""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from api.errors import FieldError

MISSING = "Please answer this question"
# By pydantic's error type: the same refusal in the same words on every form.
_WORDS = {
    "missing": MISSING,
    "date_parsing": "Please enter a date",
    "date_from_datetime_parsing": "Please enter a date",
    "date_from_datetime_inexact": "Please enter a date",
    "date_type": "Please enter a date",
    "datetime_parsing": "Please enter a date and time",
    "datetime_from_date_parsing": "Please enter a date and time",
    "datetime_type": "Please enter a date and time",
    "time_parsing": "Please enter a time",
    "int_parsing": "Please enter a whole number",
    "int_type": "Please enter a whole number",
    "int_from_float": "Please enter a whole number",
    "float_parsing": "Please enter a number",
    "float_type": "Please enter a number",
    "bool_parsing": "Please choose yes or no",
    "bool_type": "Please choose yes or no",
    "enum": "Please choose one of the options",
    "literal_error": "Please choose one of the options",
}
# Pydantic's prefixes on a validator's own message, which already says what is wrong.
_PREFIXES = ("Value error, ", "Assertion failed, ")


def plain_message(error: ErrorDetails) -> str:
    """One pydantic error in plain words (a validator's own message kept, without its prefix)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _WORDS:
        return _WORDS[kind]
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return MISSING if least <= 1 else f"Please write at least {least} characters"
    if kind == "string_too_long":
        return f"Please keep this to {ctx.get('max_length')} characters or fewer"
    if kind == "too_short":
        return f"Please choose at least {ctx.get('min_length')}"
    if kind == "too_long":
        return f"Please choose at most {ctx.get('max_length')}"
    bounds = {
        "greater_than_equal": ("ge", "or more"),
        "less_than_equal": ("le", "or less"),
        "greater_than": ("gt", None),
        "less_than": ("lt", None),
    }
    if kind in bounds:
        key, tail = bounds[kind]
        limit = ctx.get(key)
        if tail:
            return f"Please enter {limit} {tail}"
        return f"Please enter {'more' if key == 'gt' else 'less'} than {limit}"
    message = str(error["msg"])
    for prefix in _PREFIXES:
        message = message.removeprefix(prefix)
    return message


def plain_field_errors(exc: ValidationError) -> list[FieldError]:
    """A form's pydantic failure as field-level reasons in plain words."""
    return [
        FieldError(
            field=".".join(str(part) for part in e["loc"]) or "form", message=plain_message(e)
        )
        for e in exc.errors(include_url=False)
    ]
