"""The pathway-acceptance receipt says what was accepted: the pathway type in words, the case,
and the actions now open with their deadlines (walk defect: its only content was the
reporting worker's "Employee id")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from api.web.case_view import PATHWAY_LOGS
from store.db import transaction
from store.registers import append_entry
from tests.fixtures.api import ApiFactory
from tests.my_work_support import NOW, PATHWAY, seeded
from tests.web_support import sign_in, text

PATHWAY_TYPE, PATHWAY_WORDS = "triage_control_reset", "Triage control reset"


async def test_the_acceptance_receipt_says_what_was_accepted(
    sqlite_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    api = await seeded(sqlite_url, sessions_for, api_for)
    register = PATHWAY_LOGS["acknowledgment"]
    async with transaction(api.app.state.sessions) as session:
        await append_entry(
            session, register, actor="E-MANAGER", recorded_at=NOW - timedelta(days=3),
            subject=PATHWAY, kind="step_submitted",
            payload={"pathway_type": PATHWAY_TYPE, "employee_id": "W-100"},
        )  # fmt: skip
        await append_entry(
            session, register, actor="E-OWNER", recorded_at=NOW, subject=PATHWAY,
            kind="pathway_accepted", payload={"employee_id": "W-100"},
        )  # fmt: skip
    await sign_in(api, "E-OWNER")
    response = await api.http.get(f"/app/cases/{PATHWAY}/receipts/pathway-acceptance")
    assert response.status_code == 200
    page = text(response.text)
    assert PATHWAY_WORDS in page
    assert "Report NM-OWNED" in page and "ack-case-" not in page
    assert "Retrain the triage rota, due Mon 14 Dec, 12:00" in page
    assert "W-100" not in page  # not the reporting worker's ID as the receipt's content
