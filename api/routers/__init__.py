"""The API's routers, in the order they appear in the OpenAPI document (one line per router)."""

from __future__ import annotations

from fastapi import APIRouter

from api.routers import (
    analytics,
    cases,
    codec,
    dashboard,
    escalations,
    evidence,
    forms,
    health,
    my_work,
    packs,
    pathways,
    period_analytics,
    policies,
    registers,
    reviews,
    sources,
    steps,
)

ROUTERS: list[APIRouter] = [
    health.router,
    codec.router,
    sources.router,
    reviews.router,
    cases.router,
    steps.router,
    pathways.router,
    packs.router,
    escalations.router,
    forms.router,
    dashboard.router,
    my_work.router,
    registers.router,
    analytics.router,
    period_analytics.router,
    evidence.router,
    policies.router,
]
