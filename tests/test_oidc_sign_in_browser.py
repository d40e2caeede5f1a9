"""OpenID Connect sign-in and sign-out in Debian Chromium against a real provider (the npm
``oidc-provider`` on loopback; the API in production settings over TLS): the person signs in
through the provider's own login and consent pages and lands on My work; signing out ends the
provider's session too (RP-initiated logout to its ``end_session_endpoint``, confirmed on the
provider's page, then back to the service's signed-out page), so the next visit to /app asks
for the login again at the provider rather than signing in silently."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from playwright.async_api import Page, async_playwright, expect

from api.app import create_app
from tests.browser_support import CHROMIUM_ARGS
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import load, staff_rows
from tests.fixtures.mail import free_port
from tests.fixtures.oidc import Provider, serve_tls, start_provider
from tests.fixtures.temporal import make_test_settings

CLAIM = "staff_number"
ACCOUNTS = {"ana.lyst": {CLAIM: "E-ANALYST"}}
NOT_LOOPBACK = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")  # the provider's web fonts
WAIT = 30_000  # ms: generous, the machine may be loaded (a bound, not a speed target)


@asynccontextmanager
async def _stack(
    sqlite_url: str, sessions: Any, tmp_path: Path
) -> AsyncIterator[tuple[str, Provider]]:
    """Staff, the provider (our sign-out page registered) and the API over TLS."""
    await load(sessions, "staff-directory", staff_rows())
    port = free_port()
    base = f"https://127.0.0.1:{port}"
    async with start_provider(
        f"{base}/app/sign-in/oidc/callback", ACCOUNTS, post_logout_uri=f"{base}/app/signed-out"
    ) as provider:
        settings = make_test_settings(
            sqlite_url,
            env="production",
            public_url=base,
            oidc_issuer=provider.issuer,
            oidc_client_id=provider.client_id,
            oidc_client_secret=provider.client_secret,
            oidc_employee_claim=CLAIM,
        )
        async with serve_tls(create_app(settings), port, tmp_path):
            yield base, provider


async def _to_the_provider(page: Page, base: str, provider: Provider) -> None:
    """From /app, signed out: the service's sign-in page, then the provider's login form."""
    await page.goto(f"{base}/app")
    await expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible(
        timeout=WAIT
    )
    await page.get_by_role("link", name="Sign in with your organisation account").click()
    await page.wait_for_url(f"{provider.issuer}/**")
    await expect(page.locator('input[name="login"]')).to_be_visible(timeout=WAIT)


async def test_sign_in_at_the_provider_and_sign_out_there_too(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, tmp_path, chromium
) -> None:
    async with (
        _stack(sqlite_url, sessions_for(sqlite_url), tmp_path) as (base, provider),
        async_playwright() as pw,
    ):
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(ignore_https_errors=True)  # self-signed
            await context.route(NOT_LOOPBACK, lambda route: route.abort())
            context.set_default_timeout(60_000)
            page = await context.new_page()

            await _to_the_provider(page, base, provider)
            await page.locator('input[name="login"]').fill("ana.lyst")
            await page.locator('input[name="password"]').fill("any")
            await page.get_by_role("button", name="Sign-in").click()
            await page.get_by_role("button", name="Continue").click()  # the provider's consent
            await page.wait_for_url(f"{base}/app")
            await expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible(
                timeout=WAIT
            )
            await expect(page.locator("body")).to_contain_text("E-Analyst", timeout=WAIT)

            # Sign-out: the provider asks to confirm ending its session, then sends us back.
            await page.get_by_role("button", name="Sign out").click()
            await page.wait_for_url(f"{provider.issuer}/**")
            await page.get_by_role("button", name="Yes, sign me out").click()
            await page.wait_for_url(f"{base}/app/sign-in?**")
            await expect(page.locator("main")).to_contain_text("signed out", timeout=WAIT)

            # The next visit signs in at the provider again, not silently on its session.
            await _to_the_provider(page, base, provider)
        finally:
            await browser.close()
