"""A report table's cells in the words the pages use: an exception's reasons as the review page
words them ("Submitted at disagrees with the workforce reporting log (by 1 minute 1 second)").
Applied as a report renders (HTML and PDF), so stored, signed packs keep their codes."""

from __future__ import annotations

from typing import Any

from domain.titles import humanize

REASONS_COLUMN = "Reasons"
REGISTER_COLUMN = "Register"


def cell_words(column: str, value: Any) -> Any:
    """VALUE as COLUMN's cell shows it: each of a ``Reasons`` cell's "; "-joined reasons in
    words; a register by its name as the registers page gives it ("Acknowledgment recovery
    log", not its slug); anything else as it is."""
    if column == REGISTER_COLUMN and isinstance(value, str) and value:
        return humanize(value)
    if column != REASONS_COLUMN or not isinstance(value, str) or not value:
        return value
    # Imported here: api.web's package imports the routers, whose evidence and packs routers
    # import the report renderers, which import this module.
    from api.web.review_view import reason_in_words

    return "; ".join(reason_in_words(reason) for reason in value.split("; "))
