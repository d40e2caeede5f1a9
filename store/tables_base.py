"""The declarative base every table of ``store.tables`` joins (one metadata: the migrations and
the test fixtures create the schema from it)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
