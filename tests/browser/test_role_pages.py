"""Each role's pages in Chromium at a phone's width and a desktop's: the document no
wider than the viewport, axe-core finding nothing critical or serious, and on the
role's home the main call to action visible without scrolling. The board and the
panel land on "My ballots" (the ballot awaiting their vote); a representative on
"Our membership" (the open case and its next deadline)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases.models import VoteChoice
from tests.browser.axe import assert_fits, assert_no_serious
from tests.browser.conftest import login
from tests.factories.cases import fresh, open_review, step
from tests.factories.letters import decided_case, make_world, referred_case, world_case
from tests.factories.scenes import vote

pytestmark = [pytest.mark.browser, pytest.mark.serial]

WIDTHS = [(390, 844), (1280, 800)]


@pytest.fixture
def roles_world(transactional_db):
    """The letters world with a case before the board (one vote cast), a decided case
    under appeal, and a case under review awaiting the respondent's response."""
    w = make_world()
    board_case = referred_case(w)
    vote(board_case, w.board[1], VoteChoice.VIOLATION, "censure")
    appeal_case = decided_case(w, "censure", None)
    appeal_case = step(appeal_case, "file_appeal", w.rep, reason="The board misread the advert.")
    review_case = fresh(open_review(world_case(w), w.staff))
    return {
        "world": w,
        "board": fresh(board_case),
        "appeal": fresh(appeal_case),
        "review": review_case,
    }


def _check(page, url: str) -> None:
    page.goto(url)
    assert_fits(page)
    assert_no_serious(page)


def _each_width(page, home: str, call_to_action, pages: list[str]) -> None:
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(home)
        page.evaluate("window.scrollTo(0, 0)")
        # Fully inside the first screen, not merely begun in it.
        expect(call_to_action(page)).to_be_in_viewport(ratio=1)
        assert_fits(page)
        assert_no_serious(page)
        for url in pages:
            _check(page, url)


def test_the_board_member_home_and_case_page(browser_page, live_server, roles_world):
    w, case = roles_world["world"], roles_world["board"]
    login(browser_page, live_server, w.board[0].username)
    expect(browser_page).to_have_url(re.compile(r"/cases/ballots/$"))

    _each_width(
        browser_page,
        f"{live_server.url}/",
        lambda page: page.get_by_role("link", name=f"Read case {case.number} and vote"),
        [f"{live_server.url}{case.get_absolute_url()}"],
    )
    # The vote form shows the sanction only for a violation, its length only for a suspension.
    form = browser_page.locator("form[data-vote-form]")
    sanction = form.get_by_label("Sanction you support")
    months = form.get_by_label(re.compile("Suspension length"))
    expect(sanction).to_be_hidden()
    form.get_by_role("radio", name="Violation found", exact=True).check()
    expect(sanction).to_be_visible()
    expect(months).to_be_hidden()
    sanction.select_option("suspension")
    expect(months).to_be_visible()
    form.get_by_role("radio", name="Abstain", exact=True).check()
    expect(sanction).to_be_hidden()
    expect(months).to_be_hidden()


def test_the_panel_member_home_and_case_page(browser_page, live_server, roles_world):
    w, case = roles_world["world"], roles_world["appeal"]
    login(browser_page, live_server, w.panel[0].username)
    expect(browser_page).to_have_url(re.compile(r"/cases/ballots/$"))

    _each_width(
        browser_page,
        f"{live_server.url}/",
        lambda page: page.get_by_role("link", name=f"Read case {case.number} and vote"),
        [f"{live_server.url}{case.get_absolute_url()}"],
    )
    expect(browser_page.get_by_role("region", name="The decision under appeal")).to_contain_text(
        "Censure"
    )


def test_the_representative_home_and_case_pages(browser_page, live_server, roles_world):
    w = roles_world["world"]
    review_case, appeal_case = roles_world["review"], roles_world["appeal"]
    login(browser_page, live_server, w.rep.username)
    expect(browser_page).to_have_url(re.compile(r"/membership/$"))

    _each_width(
        browser_page,
        f"{live_server.url}/",
        lambda page: page.get_by_role(
            "link", name=f"Send your response in case {review_case.number}"
        ),
        [
            f"{live_server.url}/cases/ours/",
            f"{live_server.url}{review_case.get_absolute_url()}",
            f"{live_server.url}{appeal_case.get_absolute_url()}",
        ],
    )
    expect(browser_page.get_by_role("region", name="Your appeal")).to_contain_text(
        "The panel decides by"
    )
