"""The inspection evidence pack asked for a range it cannot cover (a date left empty or not one,
``to`` before ``from``, more than a year): for a signed-in browser, the pack's range form again
with the values as asked and each refused field's reason beside it, status 422 — the analytics
pages' refused form (``api.web.analytics_refused``: the same reasons in the same words). API
clients keep the API's 422 body."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.web.analytics_refused import refused_fields
from api.web.render import render

PATH = "/evidence"
LABELS = {"from": "From", "to": "To", "format": "As", "service_line": "Service line"}
FORMATS = ("pdf", "html", "zip")


async def refused_evidence(request: Request, exc: Exception) -> HTMLResponse | None:
    """The evidence pack's form with the reasons, for a signed-in browser's refused range; None
    for anything else (an API client, another path, another error)."""
    errors = refused_fields(request, exc) if request.url.path == PATH else None
    if errors is None:
        return None
    asked = request.query_params
    context = {
        "errors": errors,
        "labels": LABELS,
        "start": asked.get("from", ""),
        "end": asked.get("to", ""),
        "format": asked.get("format") if asked.get("format") in FORMATS else "pdf",
    }
    return render(request, "evidence_refused.html", context, status=422)
