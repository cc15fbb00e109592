"""Real-browser tests: Playwright (sync API) driving Debian's Chromium against live_server.

Playwright's own browser download is not used: the tests launch the system
Chromium (/usr/bin/chromium, or the path in PROBITY_CHROMIUM) and are skipped
where it is absent. Every test here is marked `browser`.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from members.accounts import requires_second_factor
from tests.factories.people import PASSWORD, totp_code, totp_device

# The sync Playwright API keeps an asyncio event loop in the test thread, so Django
# would refuse ORM calls made from the test itself (SynchronousOnlyOperation). The
# tests and the live server never share a connection concurrently, so allow it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PROBITY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous for a slow CI machine, short enough that a broken page fails quickly.
TIMEOUT_MS = 15_000



@pytest.fixture(scope="session")
def _live_server_media_url():
    """Work around MEDIA_URL = None (private media have no URL) for Django's live server.

    The live server wraps the app in a media-files handler that does
    `urlparse(settings.MEDIA_URL)` when it starts; with None, every request fails with
    "TypeError: startswith first arg must be str ..., not bytes". A MEDIA_URL on another
    host makes that handler pass every request through (it never serves private files).
    The setting is restored once the server thread has built its handler.
    """
    from django.conf import settings

    original = settings.MEDIA_URL
    if original is None:
        settings.MEDIA_URL = "http://media.invalid/"
    yield original
    settings.MEDIA_URL = original


@pytest.fixture(scope="session")
def live_server(_live_server_media_url, live_server):
    """pytest-django's live server, started after the MEDIA_URL work-around above."""
    from django.conf import settings

    settings.MEDIA_URL = _live_server_media_url
    return live_server


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session; skipped where it is absent, except
    under PROBITY_REQUIRE_BROWSER=1 (CI sets it), where a missing browser is a failure."""
    missing = pytest.fail if os.environ.get("PROBITY_REQUIRE_BROWSER") == "1" else pytest.skip
    if not Path(CHROMIUM).exists():
        missing(f"Chromium not found at {CHROMIUM} (set PROBITY_CHROMIUM)")
    try:
        from playwright import sync_api
    except ImportError:
        missing("Playwright is not installed (bin/bootstrap installs it)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(browser):
    """A fresh context (no cookies) and page per test."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def login(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form and wait until the header shows the user is in."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    code = _second_factor_code(username)
    page.get_by_role("button", name="Log in").click()
    if code is not None:
        # Staff, board and panel: the second step asks for their authenticator's code.
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def _second_factor_code(username: str) -> str | None:
    """For a user who must sign in with a second factor (members.accounts), the code
    their authenticator (tests.factories.people.totp_device, set up here if absent)
    shows next: a code django-otp has not yet accepted, since it takes each once,
    and one it accepts for the longest (this step's, or the next one's)."""
    user = User.objects.get(username=username)
    if not requires_second_factor(user):
        return None
    device = totp_device(user)
    device.refresh_from_db()
    while True:
        now = time.time()
        # Steps as django-otp counts them: with the device's drift, which its last
        # verification may have moved either way (a slow page shifts it by one).
        current = int((now - device.t0) // device.step) + device.drift
        wanted = max(device.last_t + 1, current)
        if wanted <= current + device.tolerance:
            return totp_code(device, at=now + (wanted - current) * device.step)
        time.sleep(device.t0 + (current - device.drift + 1) * device.step - now + 0.1)


def logout(page) -> None:
    """Log out with the header's button."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
