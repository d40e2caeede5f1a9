"""The API's routers, in the order they appear in the OpenAPI document (one line per router)."""

from __future__ import annotations

from fastapi import APIRouter

from api.routers import codec, health, sources

ROUTERS: list[APIRouter] = [
    health.router,
    codec.router,
    sources.router,
]
