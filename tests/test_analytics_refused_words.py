"""A refused analytics range's reasons in words: a date before the first the service counts
from, or after the last, names that bound as the route declares it (``EARLIEST``,
``LATEST``), read from the refusal itself rather than written again."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import pytest
from pydantic import Field, TypeAdapter, ValidationError

from api.routers.analytics import EARLIEST, LATEST
from api.web.analytics_refused import validation_words
from domain.report import day_words

RANGE = TypeAdapter(Annotated[date, Field(ge=EARLIEST, le=LATEST)])


def _refusal(value: str, field: str) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        RANGE.validate_python(value)
    errors = [{**e, "loc": ("query", field)} for e in refused.value.errors()]
    return validation_words(errors)  # type: ignore[arg-type]


def test_the_bounds_are_named_in_words() -> None:
    assert _refusal("1999-12-31", "from") == {
        "from": f"The first date the service counts from is {day_words(EARLIEST)}."
    }
    assert _refusal("2101-01-01", "to") == {
        "to": f"The last date the service counts to is {day_words(LATEST)}."
    }
    assert day_words(EARLIEST) == "Sat 1 Jan 2000"  # as the page said it before
