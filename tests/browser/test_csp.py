"""The strict Content-Security-Policy in a real browser (docs/decisions/0013): the main
pages load in Chromium with the policy production sends and no violation is reported,
neither in the console nor as a `securitypolicyviolation` event. A control shows the
watcher sees one when a page does break the policy."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from members.models import Organization
from tests.browser.conftest import login, logout
from tests.factories.members import OrganizationFactory, RepresentativeFactory
from tests.factories.people import board_members, staff_user
from tests.factories.scenes import setup_board_case

pytestmark = [pytest.mark.browser, pytest.mark.serial]

# Recorded before any page script runs (Playwright injects it outside the page's policy).
WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


class Watcher:
    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str) -> dict:
        response = self.page.goto(url)
        self.page.wait_for_load_state("load")
        assert response is not None and response.status == 200, url
        header = response.header_value("content-security-policy") or ""
        events = self.page.evaluate("window.__cspViolations")
        return {"url": url, "header": header, "events": events}


@pytest.fixture
def scene(transactional_db, private_storage):
    staff = staff_user("csp.staff")
    organization = OrganizationFactory(name="Quillon Automation", slug="quillon-automation")
    rep = RepresentativeFactory(organization=organization, user__username="quillon.rep").user
    board = board_members(3, prefix="csp.board.")
    bc = setup_board_case(staff, board=board, rep=rep, organization=organization)
    return bc


def test_the_main_pages_load_with_no_csp_violation(live_server, browser_page, scene):
    expected = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    watcher = Watcher(browser_page)
    base = live_server.url
    case_url = f"{base}/cases/{scene.case.number}/"
    org = Organization.objects.get(slug="quillon-automation")
    visited = [
        watcher.visit(f"{base}/accounts/login/"),
        watcher.visit(f"{base}/verify/{org.slug}/"),
        watcher.visit(f"{base}/members/"),
    ]
    login(browser_page, live_server, scene.staff.username)
    visited += [watcher.visit(f"{base}/register/"), watcher.visit(case_url)]
    logout(browser_page)
    login(browser_page, live_server, scene.rep.username)
    visited += [
        watcher.visit(case_url),
        watcher.visit(f"{base}/membership/"),
        watcher.visit(f"{base}/cases/ours/"),
    ]
    logout(browser_page)
    login(browser_page, live_server, scene.board[0].username)
    visited += [watcher.visit(f"{base}/cases/ballots/"), watcher.visit(case_url)]
    expect(browser_page.get_by_role("heading", level=1)).to_be_visible()

    for page in visited:
        for directive, sources in expected.items():
            assert f"{directive} {' '.join(sources)}" in page["header"], page["url"]
        assert page["events"] == [], page
    assert watcher.console == []


def test_the_watcher_sees_a_violation(live_server, browser_page, transactional_db):
    """The control: an inline script put into a page is refused and reported."""
    watcher = Watcher(browser_page)
    watcher.visit(f"{live_server.url}/accounts/login/")
    browser_page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
    )
    browser_page.wait_for_function("window.__cspViolations.length > 0")
    assert browser_page.evaluate("window.__ran === undefined")
    assert any("script-src" in v for v in browser_page.evaluate("window.__cspViolations"))
