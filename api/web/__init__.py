"""The staff web application under ``/app``: server-rendered pages, outside the OpenAPI document.

Pages sign people in with a browser session (``api.web.session``), protect every form against
CSRF, render provider local time and are served with their styles and scripts by the service.
Each page module has its own router; ``WEB_ROUTERS`` lists them in the order they are mounted.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.web import (
    admin,
    analytics_page,
    cases,
    home,
    my_reports,
    oidc,
    operations,
    packs,
    pathway,
    receipts,
    registers,
    reviews,
    signin,
    steps,
    worker_forms,
)

WEB_PREFIX = "/app"

WEB_ROUTERS: list[APIRouter] = [
    signin.router,
    oidc.router,
    home.router,
    my_reports.router,
    worker_forms.router,
    cases.router,
    steps.router,
    pathway.router,
    receipts.router,
    reviews.router,
    packs.router,
    registers.router,
    admin.router,
    operations.router,
    analytics_page.router,
]
