"""Issue 2 in a real browser: a representative sees their status; staff find an
organization and record a payment that restores a lapsed member."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.roles import ETHICS_STAFF
from members.services import membership_change
from tests.browser.conftest import login, logout
from tests.factories.members import DuesInvoiceFactory, OrganizationFactory, RepresentativeFactory
from tests.factories.people import UserFactory

# One Chromium and a live server: run in bin/test's serial phase, not under xdist.
pytestmark = [pytest.mark.browser, pytest.mark.serial]


@pytest.fixture
def lapsed_member(transactional_db):
    """A lapsed organization with one overdue invoice, its representative, and a staff user."""
    org = OrganizationFactory(name="Quillon Automation", slug="quillon-automation")
    OrganizationFactory(name="Other Company", slug="other-company")
    # Last year's invoice: issued and due in the past whatever today's date is.
    invoice = DuesInvoiceFactory(organization=org, year=timezone.localdate().year - 1)
    membership_change(
        organization=org, transition="lapse", by=None, reason="Dues unpaid 60 days after due date."
    )
    rep = RepresentativeFactory(
        organization=org,
        user__username="quillon.rep",
        user__first_name="Rita",
        user__last_name="Reyes",
    ).user
    staff = UserFactory(
        username="sam.staff", first_name="Sam", last_name="Staff", roles=[ETHICS_STAFF]
    )
    return {"organization": org, "invoice": invoice, "rep": rep, "staff": staff}


def test_representative_sees_status_and_staff_record_payment(
    browser_page, live_server, lapsed_member
):
    page = browser_page
    org = lapsed_member["organization"]
    year = lapsed_member["invoice"].year

    # The representative logs in and lands on "Our membership" with the status in plain words.
    login(page, live_server, "quillon.rep")
    expect(page).to_have_url(re.compile(r"/membership/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Our membership: Quillon Automation")
    status = page.get_by_role("region", name="Status", exact=True)
    expect(status).to_contain_text("Lapsed (dues unpaid)")
    expect(status).to_contain_text("Lapsed: dues are unpaid.")
    expect(page.get_by_text("Representative", exact=True)).to_be_visible()
    # Navigation offers the portal, not the register.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Our membership")).to_be_visible()
    expect(nav.get_by_role("link", name="Member register")).to_have_count(0)
    logout(page)

    # A staff member finds the organization in the register by name and opens its page.
    # Staff land on the cases dashboard; the register is one link away.
    login(page, live_server, "sam.staff")
    expect(page).to_have_url(re.compile(r"/cases/dashboard/$"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Member register").click()
    expect(page).to_have_url(re.compile(r"/register/$"))
    search = page.get_by_role("search", name="Search the register")
    search.get_by_label("Name").fill("quillon")
    search.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/register/\?.*q=quillon"))
    expect(page.get_by_text("1 organization", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Other Company")).to_have_count(0)
    page.get_by_role("link", name="Quillon Automation").click()

    expect(page).to_have_url(re.compile(rf"/register/{org.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Quillon Automation")
    membership = page.get_by_role("region", name="Membership", exact=True)
    expect(membership).to_contain_text("Lapsed (dues unpaid)")

    # Record the payment for the unpaid invoice (the date defaults to today).
    dues = page.get_by_role("region", name="Dues", exact=True)
    paid_on = dues.get_by_label("Paid on")
    expect(paid_on).to_have_value(timezone.localdate().isoformat())
    dues.get_by_role("button", name=f"Record payment for {year}").click()

    expect(page.get_by_role("status")).to_have_text(f"Payment of the {year} dues recorded.")
    membership = page.get_by_role("region", name="Membership", exact=True)
    expect(membership.get_by_text("Active", exact=True)).to_be_visible()
    expect(membership).to_contain_text("Your membership is active and in good standing.")
    # The form is gone (nothing left to pay) and the history shows the restoration.
    expect(dues.get_by_role("button", name=re.compile("Record payment"))).to_have_count(0)
    history = page.get_by_role("region", name="Status history")
    expect(history).to_contain_text(f"Dues for {year} paid on")
    expect(history).to_contain_text("Sam Staff")

    org.refresh_from_db()
    assert org.status == "active"
