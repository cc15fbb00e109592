"""The accessibility and layout harness (tests/browser/axe.py) itself: axe-core runs in a
page served under the production Content-Security-Policy, and each check fails on a page
that breaks it (the controls), so a pass elsewhere means something."""

from __future__ import annotations

import pytest

from tests.browser.axe import assert_fits, assert_no_serious, violations

pytestmark = [pytest.mark.browser, pytest.mark.serial]


def test_axe_runs_under_the_csp_and_the_login_page_passes(live_server, browser_page, db):
    response = browser_page.goto(f"{live_server.url}/accounts/login/")
    assert "script-src 'self'" in (response.header_value("content-security-policy") or "")
    assert_no_serious(browser_page)
    assert browser_page.evaluate("typeof window.axe.version") == "string"


def test_a_serious_violation_fails_and_is_named(live_server, browser_page, db):
    browser_page.goto(f"{live_server.url}/accounts/login/")
    # A control: an input with no label and an image with no text alternative.
    browser_page.evaluate(
        "() => { const i = document.createElement('input'); i.id = 'unlabelled';"
        " document.querySelector('main').appendChild(i); }"
    )
    assert any(v["id"] == "label" for v in violations(browser_page))
    with pytest.raises(AssertionError, match=r"label \((critical|serious)\).*\n.*#unlabelled"):
        assert_no_serious(browser_page)


def test_a_page_wider_than_the_viewport_fails(live_server, browser_page, db):
    browser_page.set_viewport_size({"width": 390, "height": 844})
    browser_page.goto(f"{live_server.url}/accounts/login/")
    assert_fits(browser_page)
    browser_page.evaluate(
        "() => { const d = document.createElement('div'); d.id = 'too-wide';"
        " d.textContent = 'x'.repeat(400); d.style.whiteSpace = 'pre';"
        " document.querySelector('main').appendChild(d); }"
    )
    with pytest.raises(AssertionError, match=r"390px viewport.*too-wide"):
        assert_fits(browser_page)
