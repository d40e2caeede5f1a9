"""Derived tables of the example-1 analytics: each review item's analytic values, typed, so the
reads aggregate in SQL instead of decoding every item's ``fields`` (store.analytics_values)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from store.tables_base import Base


class AckItemValues(Base):
    """One example-1 review item's values as the analytics group and count them (each group
    value as ``domain.analytics.group_value`` gives it; working time in microseconds by the
    calendar its review's ``AckValuesReview`` row names)."""

    __tablename__ = "ack_item_values"
    review_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    reference: Mapped[str] = mapped_column(String(128), primary_key=True)
    period: Mapped[str] = mapped_column(String(20))  # the review date
    week: Mapped[str] = mapped_column(String(10))  # its ISO week and month labels
    month: Mapped[str] = mapped_column(String(10))
    classification: Mapped[str | None] = mapped_column(String(40), nullable=True)
    service_line: Mapped[str] = mapped_column(String(128))
    manager_line: Mapped[str] = mapped_column(String(128))
    risk_domain: Mapped[str] = mapped_column(String(128))
    category_code: Mapped[str] = mapped_column(String(128))
    ack_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    triage_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    no_owner: Mapped[bool] = mapped_column(Boolean)
    working_ack_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    working_triage_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    over_threshold: Mapped[bool] = mapped_column(Boolean)  # the item's indicators
    no_owner_indicated: Mapped[bool] = mapped_column(Boolean)
    manager_not_reviewed: Mapped[bool] = mapped_column(Boolean)


class AckValuesReview(Base):
    """An example-1 review whose items' values are in ``ack_item_values``, and the calendar
    (``store.analytics_values.calendar_key``) their working times were measured by."""

    __tablename__ = "ack_values_reviews"
    review_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    calendar: Mapped[str] = mapped_column(String(64))


Index("ix_ack_item_values_period", AckItemValues.period)
