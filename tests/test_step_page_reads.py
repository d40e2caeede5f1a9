"""The step page reads only the documents it shows (walk/review defect: it read every document
opened for the case on each load, to label evidence entries, whoever looked and whatever the
step). Counted in SQL statements per page load, on the real app, database and workflow."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.api_support import TRIAGE_DOCS, open_case
from tests.web_support import form, sign_in
from tests.workflow_support import running_worker


class Statements:
    """Counts the SQL statements the app's engine runs."""

    def __init__(self, engine: Any) -> None:
        self.count = 0
        self.sql: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.count += 1
        self.sql.append(" ".join(statement.split())[:90])


async def _load(api: Any, url: str, seen: Statements) -> int:
    before = seen.count
    page = await api.http.get(url)
    assert page.status_code == 200, page.text
    return seen.count - before


async def test_the_step_page_reads_only_the_documents_it_shows(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue,
                            env="development", api_host="127.0.0.1")  # fmt: skip
        api.app.state.clock = own_env.get_current_time
        case_id, _ = await open_case(api, own_env, sessions)
        url = f"/app/cases/{case_id}/steps/triage-attribution"
        seen = Statements(api.app.state.engine)
        await sign_in(api, "E-DIRECTOR")  # sees the step, does not hold its role: no form
        viewer_before = await _load(api, url, seen)
        await sign_in(api, "E-SUPERVISOR")
        actor_before = await _load(api, url, seen)
        csrf = form((await api.http.get(url)).text, url)["hidden"]["csrf_token"]
        for doc in TRIAGE_DOCS:
            opened = await api.http.post(f"/app/cases/{case_id}/documents/{doc}/open",
                                         data={"csrf_token": csrf, "back": url})  # fmt: skip
            assert opened.status_code == 303, opened.text
        actor_after = await _load(api, url, seen)
        await sign_in(api, "E-DIRECTOR")
        viewer_after = await _load(api, url, seen)
        print(
            f"statements per step page load: viewer {viewer_before} -> {viewer_after}, acting "
            f"supervisor {actor_before} -> {actor_after} ({len(TRIAGE_DOCS)} opened)"
        )
    # Whoever cannot act sees no evidence options: opening documents costs their page no
    # document read (one statement: the name of who opened them, for the history).
    assert viewer_after <= viewer_before + 1
    # The acting supervisor's options label each opened document's entries: reads, bounded.
    assert actor_after > actor_before
