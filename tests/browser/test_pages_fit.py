"""Issue 14 in a real browser: staff's pages and the public's, on a phone (390 px) and a
desktop (1280 px). Every page fits its viewport (no sideways scrolling), axe-core finds
no critical or serious violation, and the staff home's main call to action is visible
without scrolling. The irreversible steps' confirmation pages are checked too, and they
name what will be sent to whom."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.models import CaseState
from members.models import Organization
from tests.browser.axe import assert_fits, assert_no_serious
from tests.browser.conftest import login, logout
from tests.factories.cases import open_review
from tests.factories.members import DuesInvoiceFactory, OrganizationFactory, RepresentativeFactory
from tests.factories.people import board_members, panel_members, staff_user
from tests.factories.scenes import (
    case_in_state,
    case_with_exhibits,
    file_appeal,
    run_appeal,
    sanctioned_case,
    setup_board_case,
    vote,
)

pytestmark = [pytest.mark.browser, pytest.mark.serial]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def scene(transactional_db, private_storage):
    """Staff, and a case of Quillon Automation at each stage the staff page shows, with
    long names, a failed delivery and a refused form's worth of text; an organization
    with unpaid dues."""
    staff = staff_user("fit.staff", first_name="Maximiliana", last_name="Featherstonehaugh")
    org = OrganizationFactory(
        name="Quillon Precision Automation and Industrial Robotics Holdings",
        slug="quillon-automation",
    )
    rep = RepresentativeFactory(organization=org, user__username="quillon.rep").user
    for year in (2024, 2025):
        DuesInvoiceFactory(organization=org, year=year)
    cases = {}
    for state in (CaseState.FILED, CaseState.DISMISSED, CaseState.WITHDRAWN):
        cases[state] = case_in_state(state, staff, respondent=org)
    cases[CaseState.UNDER_REVIEW] = open_review(case_with_exhibits(staff, org), staff)
    board = board_members(3, prefix="fit.board.")
    cases[CaseState.BOARD_VOTE] = setup_board_case(staff, board=board, rep=rep).case
    sanctioned = sanctioned_case(staff, "censure", board=board, rep=rep)
    cases[CaseState.SANCTIONED] = sanctioned.case
    # The appeal whose panel's ballot is closed first: its panel is all the panel there is.
    closed = sanctioned_case(staff, "censure", board=board, rep=rep)
    run_appeal(closed, "uphold")
    cases["appeal_ballot_closed"] = closed.case
    appealed = sanctioned_case(staff, "suspension", months=6, board=board, rep=rep)
    panel = panel_members(3, prefix="fit.panel.")
    file_appeal(appealed.case, rep)
    for member in panel[:2]:
        vote(appealed.case, member, "uphold")
    cases[CaseState.UNDER_APPEAL] = appealed.case
    return {"staff": staff, "org": org, "rep": rep, "cases": cases}


def _check(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_fits(page)
    assert_no_serious(page)


def _staff_urls(base: str, scene) -> list[str]:
    cases = scene["cases"]
    return [
        f"{base}/cases/dashboard/",
        f"{base}/cases/",
        f"{base}/cases/new/",
        f"{base}/cases/new/respondents/?q=quillon",
        f"{base}/register/",
        f"{base}/register/{scene['org'].slug}/",
        f"{base}/cases/workflow/",
        *[f"{base}/cases/{case.number}/" for case in cases.values()],
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_staff_pages_fit_and_pass_axe(live_server, browser_page, scene, viewport):
    page = browser_page
    page.set_viewport_size(viewport)
    login(page, live_server, scene["staff"].username)
    for url in _staff_urls(live_server.url, scene):
        _check(page, url)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_staff_home_shows_its_main_call_to_action_without_scrolling(
    live_server, browser_page, scene, viewport
):
    page = browser_page
    page.set_viewport_size(viewport)
    login(page, live_server, scene["staff"].username)
    page.goto(f"{live_server.url}/cases/dashboard/")
    # The dashboard's first action, whatever it shows: the first link or button in main.
    first = page.locator("main").locator("a[href], button").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= viewport["height"], box
    assert page.evaluate("window.scrollY") == 0


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_public_pages_fit_and_pass_axe(live_server, browser_page, scene, viewport):
    page = browser_page
    page.set_viewport_size(viewport)
    base = live_server.url
    for url in [
        f"{base}/accounts/login/",
        f"{base}/accounts/login/?next=/register/",
        f"{base}/members/",
        f"{base}/verify/",
        f"{base}/verify/?q=quillon",
        f"{base}/verify/{scene['org'].slug}/",
    ]:
        _check(page, url)
    login(page, live_server, scene["rep"].username)
    for url in [f"{base}/membership/", f"{base}/cases/ours/"]:
        _check(page, url)
    logout(page)
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    assert_fits(page)
    assert_no_serious(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_confirmation_pages_fit_and_name_what_is_sent_to_whom(
    live_server, browser_page, scene, viewport
):
    page = browser_page
    page.set_viewport_size(viewport)
    login(page, live_server, scene["staff"].username)
    org = Organization.objects.get(slug="quillon-automation")
    filed = scene["cases"][CaseState.FILED]
    page.goto(f"{live_server.url}/cases/{filed.number}/")
    actions = page.get_by_role("region", name="What you can do now")
    label = "Open review and issue the notice of complaint"
    actions.locator("summary", has_text=label).click()
    actions.get_by_role("button", name=f"{label}…", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Confirm: {label}")
    expect(page.get_by_role("region", name="What will happen")).to_contain_text(
        f"The respondent, {org.name}, will receive the notice of complaint"
    )
    assert_fits(page)
    assert_no_serious(page)
    # Cancel changes nothing.
    page.get_by_role("link", name="Cancel, change nothing").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Case {filed.number}")
    filed.refresh_from_db()
    assert filed.state == CaseState.FILED


def test_the_complaint_form_adds_rows_and_suggests_the_respondent(live_server, browser_page, scene):
    page = browser_page
    page.set_viewport_size(PHONE)
    login(page, live_server, scene["staff"].username)
    page.goto(f"{live_server.url}/cases/new/")
    page.get_by_role("button", name="Add another allegation").click()
    expect(page.locator("#allegations-rows fieldset")).to_have_count(2)
    expect(page.locator("#id_allegations-TOTAL_FORMS")).to_have_value("2")
    page.get_by_role("button", name="Remove this allegation").last.click()
    expect(page.locator("#allegations-rows fieldset")).to_have_count(1)
    page.locator("#id_respondent").press_sequentially("Quillon", delay=20)
    expect(page.locator("#respondent-options option")).to_have_count(1)
    assert (
        page.locator("#respondent-options option").first.get_attribute("value") == scene["org"].name
    )
    assert_fits(page)
    assert_no_serious(page)
