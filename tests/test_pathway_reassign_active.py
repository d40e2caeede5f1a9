"""The administrator hands over a pathway whose owner is still active in the staff directory
(on sick leave, say): every open pathway is listed with its owner (filtered), each reassignable
with a reason. What is said afterwards names people and the report, never IDs alone: the page's
notice, the case history (and who did it), the new owner's mail (each thing now theirs with its
local due time and link) and the previous owner's (the case's link)."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from domain.roles import Role
from tests.api_support import to_pathway_acceptance
from tests.browser_support import accessible, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import email, load, staff_rows
from tests.web_support import form, pages_api, sign_in, text
from tests.workflow_support import running_worker, wait_for

LEAD = "E-LEAD2"
WIDE = {"width": 1280, "height": 900}
REASON = "E-Owner is on sick leave from today"


def _body(message: Any) -> str:
    return str(message.get_payload(decode=True).decode()).replace("\r\n", "\n")  # as sent


async def test_an_active_owners_pathway_is_listed_and_reassigned_in_names(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, smtp_server, chromium
) -> None:
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        api = await pages_api(api_for, sqlite_url, own_env, queue)
        case_id = await to_pathway_acceptance(api, own_env, sessions)
        await load(sessions, "staff-directory", staff_rows({LEAD: [Role.WORKER]}))
        await sign_in(api, "E-ADMIN")
        listed = text((await api.http.get("/app/admin/pathways")).text)
        assert "No open pathway waits on an owner who has left" in listed  # E-OWNER is active
        found = await api.http.get("/app/admin/pathways", params={"q": "e-owner"})
        assert "E-Owner (E-OWNER), active" in text(found.text)
        assert f'href="/app/admin/pathways/{case_id}/owner"' in found.text
        none = await api.http.get("/app/admin/pathways", params={"q": "nobody-such"})
        assert "No open pathway matches" in text(none.text)

        url = f"/app/admin/pathways/{case_id}/owner"
        page = await api.http.get(url)
        assert page.status_code == 200 and "Named owner now: E-Owner (E-OWNER), active" in text(
            page.text
        )
        hidden = form(page.text, url)["hidden"]
        refused = await api.http.post(url, data={**hidden, "new_owner": LEAD, "reason": " "})
        assert refused.status_code == 422 and 'id="reason-error"' in refused.text
        assert 'href="#reason"' in refused.text and f'value="{LEAD}" selected' in refused.text
        page = await api.http.get(url)
        posted = {**form(page.text, url)["hidden"], "new_owner": LEAD, "reason": REASON}
        done = await api.http.post(url, data=posted)
        assert done.status_code == 303, done.text
        notice = text((await api.http.get(done.headers["location"])).text)
        assert (
            "Pathway of report NM-CRIT-1 reassigned from E-Owner (E-OWNER) to E-Lead2 (E-LEAD2); "
            "both have been mailed." in notice
        )
        await sign_in(api, "E-DIRECTOR")  # the administrator does not see cases
        history = text((await api.http.get(f"/app/cases/{case_id}")).text)
        assert (
            "Pathway reassigned from E-Owner (E-OWNER) to E-Lead2 (E-LEAD2) by E-Admin (E-ADMIN). "
            f"Reason: {REASON}" in history
        )
        assert "from: E-OWNER" not in history

        async def mailed() -> list[Any] | None:
            new = [m for m in inbox.to(email(LEAD)) if "reassigned" in m["Subject"]]
            old = [m for m in inbox.to(email("E-OWNER")) if "reassigned" in m["Subject"]]
            return [*new, *old] if new and old else None

        to_new, to_old = await wait_for(mailed)
        new = _body(to_new)
        assert "is now yours, reassigned from E-Owner." in new
        assert f"Reassigned by E-Admin, administrator. Reason: {REASON}" in new
        assert "E-OWNER" not in new and "E-ADMIN" not in new
        due = r", due \w{3} \d+ \w{3}, \d\d:\d\d \(Europe/London time\)\n  Do it here: http\S+"
        accept = (
            rf"- Accept the acknowledgment-recovery pathway{due}/cases/{case_id}/pathway/accept\n"
        )
        assert re.search(accept, new), new
        action = rf"- Worker communication{due}/pathway/actions/worker-communication\n"
        assert re.search(action, new), new
        old = _body(to_old)
        assert "is now owned by E-Lead2; nothing more is owed by you." in old
        assert "The case, for the record: http://" in old
        assert old.split("for the record: ", 1)[1].split()[0].endswith(f"/app/cases/{case_id}")
        assert "/pathway/accept" not in old
        await _seen_in_chromium(chromium, sqlite_url, own_env, queue, case_id)


async def _seen_in_chromium(chromium: str, url: str, env: Any, queue: str, case_id: str) -> None:
    """The list and a pathway's form as the administrator sees them at 1280 px (axe-core)."""
    path = "/app/admin/pathways"
    async with signed_in_page(
        chromium, url, "E-Admin", path, env=env, queue=queue, viewport=WIDE
    ) as (_base, page):
        table = page.get_by_role("table")
        await expect(table).to_contain_text("E-Lead2 (E-LEAD2), active")
        await accessible(page, "admin-pathways-1280")
        await page.get_by_role("link", name="Reassign the pathway of report NM-CRIT-1").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "Reassign the pathway of report NM-CRIT-1"
        )
        await page.get_by_role("button", name="Reassign the pathway of report NM-CRIT-1").click()
        await expect(page.get_by_label("New owner")).to_be_focused()  # the browser's own check
        await accessible(page, "admin-reassign-1280")
        assert await page.evaluate("document.documentElement.scrollWidth") <= WIDE["width"]
