"""/docs (Swagger UI) and /redoc work with no internet: every script, style and icon they use
is served by the service itself (vendored from npm by `make vendor`), none names another host."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Route, async_playwright

from api.app import create_app
from tests.browser_support import CHROMIUM_ARGS
from tests.browser_support import chromium as chromium  # the fixture
from tests.fixtures.api import ApiClient
from tests.fixtures.temporal import make_test_settings
from tests.ops_support import serve_app

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""")
ASSET_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


@pytest.fixture
async def api(sqlite_url: str, api_for) -> ApiClient:  # type: ignore[no-untyped-def]
    return await api_for(sqlite_url)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_reference_only_the_service_and_their_assets_are_served(
    api: ApiClient, page: str
) -> None:
    answer = await api.get(page, None)
    assert answer.status_code == 200
    assert "://" not in answer.text and "//cdn" not in answer.text  # no other host at all
    refs = [a or b for a, b in REFERENCE.findall(answer.text)]
    assets = [ref for ref in refs if ref.startswith("/app/static/vendor/")]
    assert len(assets) >= (3 if page == "/docs" else 2), refs
    for ref in refs:
        assert ref.startswith("/") and not ref.startswith("//"), ref
    for asset in assets:
        served = await api.get(asset, None)
        assert served.status_code == 200, asset
        assert ASSET_TYPES[Path(asset).suffix] in served.headers["content-type"], asset
        if not asset.endswith(".png"):  # the real bundle, not a placeholder
            assert len(served.content) > 100_000, asset


async def test_swagger_ui_and_redoc_render_in_a_browser_without_internet(
    sqlite_url: str, chromium: str
) -> None:
    outside: list[str] = []

    async def only_loopback(route: Route) -> None:
        if route.request.url.startswith("http://127.0.0.1:"):
            await route.continue_()
        else:  # what a hospital network without internet does to a CDN request
            outside.append(route.request.url)
            await route.abort()

    app = create_app(make_test_settings(sqlite_url))
    async with serve_app(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.route("**/*", only_loopback)
        await page.goto(f"{base}/docs")
        await page.locator(".opblock-summary-path", has_text="/cases/{case_id}").first.wait_for()
        assert await page.locator(".opblock").count() > 20
        await page.goto(f"{base}/redoc")
        await page.get_by_role("heading", name="Near-miss governance").first.wait_for()
        await page.get_by_text("/escalations").first.wait_for()
        await browser.close()
    assert outside == []
