"""Logging: structured JSON lines (structlog) when ``NEARMISS_LOG_FORMAT=json``, otherwise the
same lines in a readable console form (``make run``: time, level, event, then key=value). Every
line carries what is known of request ID, workflow ID, case ID and
step (bound in context by the API's middleware and the worker's interceptor, or lifted from
Temporal's own log extras); keys that could hold personal data are dropped.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import IO, Any

import structlog
from structlog.typing import Processor

from config.settings import Settings

# Never written, whatever a caller binds: who someone is, how to reach them, what they wrote.
PERSONAL_KEYS = frozenset(
    {"employee_id", "actor", "assignee", "display_name", "name", "email", "recipient",
     "narrative", "description", "note", "notes", "fields", "payload"}
)  # fmt: skip
_TEMPORAL_EXTRAS = ("temporal_workflow", "temporal_activity")


def _lift_temporal(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    """Temporal's loggers attach a dict of workflow/activity info: keep its IDs and types."""
    for key in _TEMPORAL_EXTRAS:
        info = event.pop(key, None)
        if isinstance(info, dict):
            for field in ("workflow_id", "workflow_type", "activity_type", "attempt"):
                if field in info:
                    event.setdefault(field, info[field])
    workflow_id = event.get("workflow_id")
    if isinstance(workflow_id, str) and "-case-" in workflow_id:
        event.setdefault("case_id", workflow_id)
    return event


def _drop_personal(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    for key in PERSONAL_KEYS & event.keys():
        del event[key]
    event.pop("color_message", None)  # uvicorn's copy of the message with terminal colours
    return event


def _shared(service: str) -> list[Processor]:
    def add_service(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
        event.setdefault("service", service)
        return event

    return [
        add_service,
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _lift_temporal,
        _drop_personal,
    ]


def configure_logging(settings: Settings, service: str, stream: IO[str] | None = None) -> None:
    """Every logger's lines (uvicorn's and Temporal's included) on ``stream`` (stdout) from
    INFO: one JSON object per line when ``log_format`` is ``json``, else one readable line
    (what ``make run`` shows with a [worker] or [api] prefix). Same fields, same keys dropped."""
    json_lines = settings.log_format == "json"
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if json_lines
        else structlog.dev.ConsoleRenderer(colors=False, pad_event_to=0)
    )
    structlog.configure(
        processors=[*_shared(service), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared(service),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *([structlog.processors.format_exc_info] if json_lines else []),
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per outgoing call: noise
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's lines name recipients
