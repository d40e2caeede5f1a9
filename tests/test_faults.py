"""Faults as tests, on real parts: the Temporal dev server, PostgreSQL (reached through a proxy
the test owns when an outage is needed), `nearmiss worker` and `nearmiss api` as processes.

Each test prints the figure it checks (`pytest -s -m faults`). They are slow (tens of seconds),
so they carry the ``faults`` marker; the suite and CI run them (deselect with -m "not faults").
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from domain import names
from domain.calendar import BusinessCalendar
from store.tables import RegisterEntry
from tests.api_support import TRIAGE_DOCS, attribution
from tests.factories import load, load_reports, report_rows, staff_rows
from tests.fault_support import Service, TcpProxy, service_env, services, wait_healthy
from tests.fixtures.api import bearer
from tests.fixtures.mail import free_port
from tests.workflow_support import CALENDAR, latest_started_day, local_as_of, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.devserver, pytest.mark.postgres]


def _own_day(now: datetime, slot: int) -> date:
    """A review day of this test's own: the dev server is shared by the session and review IDs
    come from the date, so each test goes back 10 + ``slot`` working days from the latest review
    that has begun (the day other dev-server tests use)."""
    calendar, day = BusinessCalendar(CALENDAR), latest_started_day(now)
    for _ in range(10 + slot):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    return day


async def _open_cases(
    http: httpx.AsyncClient, env: Any, sessions: Any, n: int, slot: int
) -> list[str]:
    """N critical reports reviewed and marked reviewed; their cases at triage attribution with
    the prerequisites opened. Returns the case IDs."""
    day = _own_day(await env.get_current_time(), slot)
    as_of = local_as_of(day)
    refs = [f"NM-F{uuid.uuid4().hex[:6]}-{i}" for i in range(n)]
    await load(sessions, "staff-directory", staff_rows())
    await load_reports(
        sessions,
        [report_rows(r, submitted_at=as_of - timedelta(days=3), ack_minutes=None) for r in refs],
    )
    started = await http.post(f"/reviews/acknowledgment/{day}", headers=bearer("E-ADMIN"))
    assert started.status_code == 202, started.text
    rid = started.json()["review_id"]

    async def marked() -> bool:
        answer = await http.post(f"/reviews/{rid}/reviewed", headers=bearer("E-ANALYST"))
        return answer.status_code == 200

    await wait_for(marked, within=60)
    cases = [names.ack_case_id(r) for r in refs]
    for case_id in cases:
        await wait_for(lambda c=case_id: _at_triage(http, c), within=60)
        for doc in TRIAGE_DOCS:
            await wait_for(lambda c=case_id, d=doc: _opened(http, c, d), within=60)
    return cases


async def _opened(http: httpx.AsyncClient, case_id: str, doc: str) -> bool:
    """Open a prerequisite document (setup, not the fault under test): a 503 from a loaded
    machine's slow workflow query is asked again, as a client would; anything else fails."""
    answer = await http.post(
        f"/cases/{case_id}/documents/{doc}/open", headers=bearer("E-SUPERVISOR")
    )
    assert answer.status_code in (200, 503), answer.text
    return answer.status_code == 200


async def _at_triage(http: httpx.AsyncClient, case_id: str) -> dict[str, Any] | None:
    answer = await http.get(f"/cases/{case_id}", headers=bearer("E-SUPERVISOR"))
    # No live state when the workflow did not answer its query in time (a loaded machine): the
    # page shows the projection alone, and the test asks again.
    live = answer.json().get("live") if answer.status_code == 200 else None
    if not live or live["stage"] != "triage-attribution":
        return None
    if "triage-attribution" not in live["computed"]:
        return None  # the step's values arrive just after it opens
    body: dict[str, Any] = answer.json()
    return body


async def _submit(
    http: httpx.AsyncClient, case_id: str, body: dict[str, Any], key: str
) -> httpx.Response:
    headers = {**bearer("E-SUPERVISOR"), "Idempotency-Key": key}
    try:
        return await http.post(
            f"/cases/{case_id}/steps/triage-attribution", json=body, headers=headers, timeout=60
        )
    except httpx.TransportError as exc:  # the connection itself failed: the client sees no answer
        return httpx.Response(599, text=f"{type(exc).__name__}")


async def _entries_per_case(sessions: Any, cases: list[str]) -> dict[str, int]:
    async with sessions() as session:
        rows = await session.execute(
            select(RegisterEntry.subject, func.count())
            .where(RegisterEntry.subject.in_(cases), RegisterEntry.kind == "triage_attribution")
            .group_by(RegisterEntry.subject)
        )
    counts = dict.fromkeys(cases, 0)
    counts.update({subject: int(n) for subject, n in rows.all()})
    return counts


async def _settle(
    http: httpx.AsyncClient, work: dict[str, tuple[dict[str, Any], str]]
) -> dict[str, httpx.Response]:
    """Retry each submission with its own key until it is answered 200 (bounded)."""
    answers: dict[str, httpx.Response] = {}
    for case_id, (body, key) in work.items():
        for _ in range(30):
            answer = await _submit(http, case_id, body, key)
            if answer.status_code == 200:
                answers[case_id] = answer
                break
            await asyncio.sleep(1)
        else:
            raise AssertionError(f"{case_id}: still {answer.status_code} {answer.text}")
    return answers


def _stack(
    tmp_path: Any, dev_env: Any, database_url: str, queue: str, **extra: str
) -> dict[str, str]:
    temporal = dev_env.client.service_client.config.target_host
    return service_env(database_url, temporal, queue, NEARMISS_SMTP_PORT=str(free_port()), **extra)


async def test_worker_killed_mid_burst_loses_and_duplicates_nothing(
    dev_env, postgres_url, sessions_for, api_for, tmp_path
):
    queue, n = f"faults-{uuid.uuid4().hex}", 16
    worker = Service("worker", _stack(tmp_path, dev_env, postgres_url, queue), tmp_path / "w.log")
    sessions = sessions_for(postgres_url)
    api = await api_for(postgres_url, temporal=dev_env.client, temporal_task_queue=queue)
    async with services(worker):
        cases = await _open_cases(api.http, dev_env, sessions, n, slot=0)
        work = {c: (attribution(await _at_triage(api.http, c)), f"burst-{c}") for c in cases}
        tasks = {c: asyncio.create_task(_submit(api.http, c, b, k)) for c, (b, k) in work.items()}
        await asyncio.wait(tasks.values(), return_when=asyncio.FIRST_COMPLETED)
        await worker.kill()  # SIGKILL while the rest of the burst is in flight
        in_flight = sum(not t.done() for t in tasks.values())
        first = {c: await t for c, t in tasks.items()}
        counts_before_retry = await _entries_per_case(sessions, cases)
        await worker.start()
        answers = await _settle(api.http, work)
        counts = await _entries_per_case(sessions, cases)
    ok = [c for c in cases if first[c].status_code == 200]
    failed = [c for c in cases if first[c].status_code != 200]
    print(
        f"\nworker SIGKILL mid-burst of {n}: {len(ok)} answered 200, {len(failed)} not "
        f"({sorted({first[c].status_code for c in failed})}; "
        f"{sum(counts_before_retry[c] for c in failed)} of them had been applied), "
        f"{in_flight} in flight at the kill; "
        f"after retries with the same key: lost {sum(v == 0 for v in counts.values())}, "
        f"duplicated {sum(v > 1 for v in counts.values())}"
    )
    assert in_flight >= 1
    assert all(counts_before_retry[c] == 1 for c in ok)  # every 200 has its one entry
    assert all(counts_before_retry[c] in (0, 1) for c in failed)  # applied once or not at all
    assert counts == dict.fromkeys(cases, 1)
    assert all(answers[c].json() == first[c].json() for c in ok)  # a retry answers the same
    assert all(first[c].status_code in (503, 599) for c in failed)
    assert all("Retry-After" in first[c].headers for c in failed if first[c].status_code == 503)


async def test_api_restarted_mid_request_answers_the_retry_the_same(
    dev_env, postgres_url, sessions_for, tmp_path
):
    queue, port = f"faults-{uuid.uuid4().hex}", free_port()
    env = _stack(tmp_path, dev_env, postgres_url, queue)
    worker = Service("worker", env, tmp_path / "w.log")
    api = Service(
        "api", {**env, "NEARMISS_API_HOST": "127.0.0.1", "NEARMISS_API_PORT": str(port)},
        tmp_path / "api.log",
    )  # fmt: skip
    base, sessions = f"http://127.0.0.1:{port}", sessions_for(postgres_url)
    async with services(worker, api), httpx.AsyncClient(base_url=base, timeout=60) as http:
        await wait_healthy(base)
        [case] = await _open_cases(http, dev_env, sessions, 1, slot=1)
        body, key = attribution(await _at_triage(http, case)), f"restart-{case}"
        worker.pause()  # the Update now waits on a worker: the request stays inside the API
        pending = asyncio.create_task(_submit(http, case, body, key))
        await asyncio.sleep(1.5)
        assert not pending.done()
        await api.kill()
        cut = await pending
        await api.start()
        worker.resume()
        await wait_healthy(base)
        answers = await _settle(http, {case: (body, key)})
        again = await _submit(http, case, body, key)
        counts = await _entries_per_case(sessions, [case])
    print(
        f"\nAPI SIGKILLed mid-request: client saw {cut.status_code} ({cut.text}); retry with the "
        f"same key: {answers[case].status_code}, once more: {again.status_code} (same answer: "
        f"{again.json() == answers[case].json()}); register entries: {counts[case]}"
    )
    assert cut.status_code == 599
    assert again.status_code == 200 and again.json() == answers[case].json()
    assert counts == {case: 1}


async def test_database_outage_answers_503_and_resumes_by_itself(
    dev_env, postgres_url, sessions_for, api_for, tmp_path
):
    outage = 30.0
    proxy = TcpProxy("127.0.0.1", 5432)
    await proxy.start()
    proxied = postgres_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    assert proxied != postgres_url
    queue = f"faults-{uuid.uuid4().hex}"
    worker = Service("worker", _stack(tmp_path, dev_env, proxied, queue), tmp_path / "w.log")
    sessions = sessions_for(postgres_url)  # the test itself reads the database directly
    api = await api_for(proxied, temporal=dev_env.client, temporal_task_queue=queue)
    try:
        async with services(worker):
            cases = await _open_cases(api.http, dev_env, sessions, 4, slot=2)
            work = {c: (attribution(await _at_triage(api.http, c)), f"db-{c}") for c in cases}
            before = {c: await _submit(api.http, c, *work[c]) for c in cases[:2]}
            proxy.cut()
            start = asyncio.get_running_loop().time()
            during = [await _submit(api.http, c, *work[c]) for c in cases[2:]]
            during.append(await api.http.get(f"/cases/{cases[0]}", headers=bearer("E-SUPERVISOR")))
            await asyncio.sleep(max(0.0, outage - (asyncio.get_running_loop().time() - start)))
            proxy.restore()
            restored = asyncio.get_running_loop().time()
            answers = await _settle(api.http, {c: work[c] for c in cases[2:]})
            resumed = asyncio.get_running_loop().time() - restored
            counts = await _entries_per_case(sessions, cases)
            moved = await wait_for(lambda: _stages_moved(api.http, cases), within=60)
    finally:
        await proxy.close()
    print(
        f"\ndatabase outage {outage:.0f} s: {len(during)} requests during it answered "
        f"{[r.status_code for r in during]} with Retry-After "
        f"{[r.headers.get('Retry-After') for r in during]}; steps settled {resumed:.1f} s after "
        f"it ended; lost {sum(v == 0 for v in counts.values())}, duplicated "
        f"{sum(v > 1 for v in counts.values())}; cases moved on: {moved}"
    )
    assert all(r.status_code == 200 for r in before.values())
    assert all(r.status_code == 503 and r.headers.get("Retry-After") for r in during)
    assert counts == dict.fromkeys(cases, 1)
    assert all(a.status_code == 200 for a in answers.values())


async def _stages_moved(http: httpx.AsyncClient, cases: list[str]) -> int | None:
    stages = []
    for case in cases:
        answer = await http.get(f"/cases/{case}", headers=bearer("E-SUPERVISOR"))
        live = answer.json().get("live") if answer.status_code == 200 else None
        stages.append(live["stage"] if live else None)  # None: the query timed out, ask again
    return len(cases) if all(s == "retention-impact" for s in stages) else None
