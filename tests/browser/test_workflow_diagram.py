"""The workflow diagram on a case page, in Chromium: the case's state is the node
highlighted, the steps open to the user from it are marked, and the
steps open to nobody from elsewhere are not (issue 12)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories.cases import file_case, open_review
from tests.factories.people import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.serial]


@pytest.fixture
def under_review(transactional_db, private_storage):
    staff = staff_user(username="sam.staff", first_name="Sam", last_name="Staff")
    return open_review(file_case(by=staff), staff)


def _open_diagram(page):
    page.locator("details.workflow-details > summary").click()
    svg = page.locator("svg.workflow-diagram")
    expect(svg).to_be_visible()
    return svg


def test_the_case_state_is_highlighted_and_its_steps_marked(
    browser_page, live_server, under_review
):
    page = browser_page
    login(page, live_server, "sam.staff")
    page.goto(f"{live_server.url}{under_review.get_absolute_url()}")
    svg = _open_diagram(page)
    current = svg.locator("g.current")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("id", "state-under_review")
    expect(current).to_contain_text("Under review")
    # Dismissing is open to staff from here: its edge is marked, an edge from elsewhere is not.
    expect(svg.locator("g.possible#step-dismiss-under_review-dismissed")).to_have_count(1)
    expect(svg.locator("g.possible#step-reopen-dismissed-filed")).to_have_count(0)
