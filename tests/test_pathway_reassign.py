"""An administrator reassigns an absent named owner's pathway (API and page: recorded in the
pathway log, mailed to both, the new owner accepts), and is alerted when a step opens that no
active member of staff can do (mail and "my work")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.roles import Role
from store.tables import RegisterEntry
from tests.api_support import CRITICAL, live, seed, to_pathway_acceptance
from tests.factories import email, load, staff_rows
from tests.web_support import csrf, pages_api, sign_in, text
from tests.workflow_support import next_working_day, running_worker, skip_to_as_of, wait_for

LEAD = "E-LEAD2"
STAFF = {LEAD: [Role.WORKER]}


def _body(message: Any) -> str:
    return str(message.get_payload(decode=True).decode())


def _without(employee_id: str) -> list[dict[str, Any]]:
    rows = staff_rows(STAFF)
    for row in rows:
        if row["employee_id"] == employee_id:
            row["active"] = False
    return rows


async def _refused_to_others_and_without_an_owner_or_reason(api: Any, case_id: str) -> None:
    url = f"/cases/{case_id}/pathway/owner"
    body = {"new_owner": LEAD, "reason": "E-OWNER is on long-term leave"}
    assert (await api.post(url, "E-DIRECTOR", json=body)).status_code == 403
    ghost = await api.post(url, "E-ADMIN", json=body | {"new_owner": "E-GHOST"})
    assert ghost.status_code == 422 and ghost.json()["errors"][0]["field"] == "new_owner"
    empty = await api.post(url, "E-ADMIN", json={"new_owner": LEAD, "reason": ""})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "reason"


async def _logged_once_in_the_recovery_log(sessions: Any, case_id: str) -> None:
    async with sessions() as session:
        logged = list(
            await session.scalars(
                select(RegisterEntry).where(
                    RegisterEntry.subject == case_id, RegisterEntry.kind == "pathway_reassigned"
                )
            )
        )
    assert len(logged) == 1 and logged[0].actor == "E-ADMIN"
    assert logged[0].register == "acknowledgment-recovery-log"
    assert logged[0].payload["from"] == "E-OWNER" and logged[0].payload["to"] == LEAD


async def test_absent_owners_pathway_is_reassigned_recorded_and_mailed(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, smtp_server
) -> None:
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        api = await pages_api(api_for, sqlite_url, own_env, queue)
        case_id = await to_pathway_acceptance(api, own_env, sessions)
        await load(sessions, "staff-directory", _without("E-OWNER"))  # the owner has gone
        [absent] = (await api.get("/pathways/absent-owners", "E-ADMIN")).json()
        assert absent["case_id"] == case_id and absent["why"] == "inactive"

        await _refused_to_others_and_without_an_owner_or_reason(api, case_id)

        await sign_in(api, "E-ADMIN")
        listed = await api.http.get("/app/admin/pathways")
        assert listed.status_code == 200 and "NM-CRIT-1" in text(listed.text)
        assert f'href="/app/admin/pathways/{case_id}/owner"' in listed.text
        page = await api.http.get(f"/app/admin/pathways/{case_id}/owner")
        key = page.text.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
        form = {"csrf_token": csrf(page.text), "idempotency_key": key}
        form |= {"new_owner": LEAD, "reason": "E-OWNER is on long-term leave"}
        done = await api.http.post(f"/app/admin/pathways/{case_id}/owner", data=form)
        assert done.status_code == 303, done.text
        again = await api.http.post(f"/app/admin/pathways/{case_id}/owner", data=form)
        assert again.status_code == 303  # a double click applies once (same key)
        assert "No open pathway waits" in text((await api.http.get("/app/admin/pathways")).text)

        view = await live(api, case_id)
        assert view["live"]["pathway_owner"] == LEAD
        assert view["live"]["obligations"]["pathway-acceptance"]["assignee"] == LEAD
        await _logged_once_in_the_recovery_log(sessions, case_id)

        async def mailed() -> bool:
            return bool(inbox.to(email(LEAD))) and bool(
                [m for m in inbox.to(email("E-OWNER")) if "reassigned" in m["Subject"]]
            )

        await wait_for(mailed)
        [to_new] = [m for m in inbox.to(email(LEAD)) if "reassigned" in m["Subject"]]
        assert "is now yours" in _body(to_new) and "long-term leave" in _body(to_new)

        await sign_in(api, LEAD)
        mine = text((await api.http.get("/app")).text)
        assert "Accept" in mine and "NM-CRIT-1" in mine
        assert (await api.post(f"/cases/{case_id}/pathway/accept", LEAD)).status_code == 200


async def test_a_step_nobody_can_do_alerts_the_administrators(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, smtp_server
) -> None:
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        api = await pages_api(api_for, sqlite_url, own_env, queue)
        day = await next_working_day(own_env)
        await skip_to_as_of(own_env, day)  # a review starts from its 07:00 as-of
        await seed(sessions, day)
        await load(sessions, "staff-directory", _without("E-SUPERVISOR"))  # triage has nobody
        rid = (await api.post(f"/reviews/acknowledgment/{day}", "E-ADMIN")).json()["review_id"]

        async def generated() -> bool:
            return (await api.get(f"/reviews/{rid}", "E-ANALYST")).status_code == 200

        await wait_for(generated)
        assert (await api.post(f"/reviews/{rid}/reviewed", "E-ANALYST")).status_code == 200
        about = f"near miss {CRITICAL}"  # the report's reference, not its case ID

        async def alerted() -> list[Any]:
            return [m for m in inbox.to(email("E-ADMIN")) if about in m["Subject"]]

        [alert] = await wait_for(alerted)
        subject = " ".join(str(alert["Subject"]).split())  # unfolded
        assert "Nobody active holds the role Near-Miss Governance Supervisor" in subject
        assert "/app/admin/pathways" in _body(alert)

        await sign_in(api, "E-ADMIN")
        home = text((await api.http.get("/app")).text)
        vacant = home.split("roles that steps need:", 1)[1].split(".", 1)[0]
        assert "Near-Miss Governance Supervisor" in vacant  # (examples 2-3 have none here)
        assert "Safety Learning Assurance Analyst" not in vacant  # held by E-ANALYST
        roles = text((await api.http.get("/app/admin/pathways")).text)
        assert "no active member of staff holds" in roles.lower()
