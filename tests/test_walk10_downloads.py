"""A pack's CSV downloads under a name, as its PDF does: ``KIND-PERIOD.csv`` (the signed heads
``KIND-PERIOD-signed-heads.csv``), not the browser's guess from the address."""

from __future__ import annotations

from domain import names
from tests.factories import load, staff_rows
from tests.pack_seed import fixed_clock, seed_weekly
from tests.pack_support import stored


async def test_a_packs_csv_has_a_download_name(sqlite_url, sessions_for, api_for) -> None:  # type: ignore[no-untyped-def]
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    async with sessions() as session, session.begin():
        await seed_weekly(session)
    await stored(sessions, names.PACK_WEEKLY, "2026-W48")
    api = await api_for(sqlite_url)
    api.app.state.clock = fixed_clock
    url = "/packs/weekly-sustainability/2026-W48?format=csv"
    cases = await api.get(url, "E-BOARD")
    assert cases.status_code == 200
    assert cases.headers["content-disposition"] == (
        'attachment; filename="weekly-sustainability-2026-W48.csv"'
    )
    heads = await api.get(f"{url}&table=signed-heads", "E-BOARD")
    assert heads.headers["content-disposition"] == (
        'attachment; filename="weekly-sustainability-2026-W48-signed-heads.csv"'
    )
