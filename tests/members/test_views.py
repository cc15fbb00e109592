"""Staff pages of the member register, and who may use them."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.contrib.messages import get_messages
from django.utils import formats
from django.utils.html import escape

from members.models import DuesInvoice, Organization, StatusChange
from members.services import membership_change
from tests.factories.dates import days, today
from tests.factories.language import in_client_language, said, said_n, shown_to_client
from tests.factories.members import (
    DuesInvoiceFactory,
    MembershipClassFactory,
    OrganizationFactory,
    RepresentativeFactory,
    member_snapshot,
    org_in_status,
    overdue_invoice,
)


def _html(response) -> str:
    return response.content.decode()


def _listed(response) -> list[str]:
    return [org.name for org in response.context["page"]]


def _organizations(n: int) -> str:
    """The register's count (templates/members/register.html)."""
    return said_n(
        "%(count_text)s organization", "%(count_text)s organizations", n, count_text=str(n)
    )


def _amount(amount: str) -> str:
    """An amount in euros (PROBITY_CURRENCY's default) as the client reads it."""
    with in_client_language():
        figures = formats.number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)
    return said("%(symbol)s%(amount)s", symbol="€", amount=figures)


SUSPENSION_IN_THE_PAST = "A suspension must end after today."


def _status_url(org) -> str:
    return f"/register/{org.slug}/status/"


def _pay_url(org, invoice) -> str:
    return f"/register/{org.slug}/dues/{invoice.pk}/pay/"


# -- The register --------------------------------------------------------------------


def test_staff_sees_the_whole_register(staff_client, organization, other_organization):
    response = staff_client.get("/register/")
    assert response.status_code == 200
    assert _listed(response) == ["Acme Robotics", "Globex Automation"]
    html = _html(response)
    assert 'href="/register/acme-robotics/"' in html
    assert _organizations(2) in html


def test_register_searches_by_name_case_insensitively(staff_client, organization):
    OrganizationFactory(name="Acme Drives", slug="acme-drives")
    OrganizationFactory(name="Brightwater Controls", slug="brightwater-controls")

    response = staff_client.get("/register/", {"q": "acme"})

    assert response.status_code == 200
    assert _listed(response) == ["Acme Drives", "Acme Robotics"]
    assert "Brightwater Controls" not in _html(response)


def test_register_search_that_matches_nothing_says_so(staff_client, organization):
    response = staff_client.get("/register/", {"q": "zzz-no-such"})
    assert _listed(response) == []
    assert said("No organization matches these filters.") in _html(response)


def test_register_filters_by_status(staff_client, db):
    org_in_status("active", name="Active One")
    org_in_status("lapsed", name="Lapsed One")
    org_in_status("lapsed", name="Lapsed Two")
    org_in_status("suspended", name="Suspended One")

    response = staff_client.get("/register/", {"status": "lapsed"})

    assert _listed(response) == ["Lapsed One", "Lapsed Two"]


def test_register_filters_by_membership_class(staff_client, db):
    integrator = MembershipClassFactory(name="Integrator", slug="integrator")
    OrganizationFactory(name="Maker Ltd")  # the default class: manufacturer
    OrganizationFactory(name="Wiring Co", membership_class=integrator)

    response = staff_client.get("/register/", {"membership_class": "integrator"})

    assert _listed(response) == ["Wiring Co"]
    assert 'value="integrator" selected' in _html(response)


def test_register_combines_search_status_and_class(staff_client, db):
    integrator = MembershipClassFactory(name="Integrator", slug="integrator")
    org_in_status("lapsed", name="North Wiring", membership_class=integrator)
    org_in_status("active", name="North Cables", membership_class=integrator)
    org_in_status("lapsed", name="North Motors")
    org_in_status("lapsed", name="South Wiring", membership_class=integrator)

    response = staff_client.get(
        "/register/", {"q": "north", "status": "lapsed", "membership_class": "integrator"}
    )

    assert _listed(response) == ["North Wiring"]


def test_register_is_paginated_and_pages_keep_the_filters(staff_client, db):
    for n in range(60):
        OrganizationFactory(name=f"Member {n:03d}", slug=f"member-{n:03d}")
    OrganizationFactory(name="Outsider", slug="outsider")

    first = staff_client.get("/register/", {"q": "member"})
    assert len(_listed(first)) == 50
    assert _listed(first)[0] == "Member 000"
    assert _organizations(60) in _html(first)
    after = re.search(r'href="\?q=member&amp;after=([^"]+)" rel="next"', _html(first)).group(1)

    second = staff_client.get("/register/", {"q": "member", "after": unquote(after)})
    assert _listed(second) == [f"Member {n:03d}" for n in range(50, 60)]
    assert 'rel="next"' not in _html(second)
    before = re.search(r'href="\?q=member&amp;before=([^"]+)" rel="prev"', _html(second)).group(1)
    back = staff_client.get("/register/", {"q": "member", "before": unquote(before)})
    assert _listed(back) == _listed(first)


def test_register_page_link_that_cannot_be_read_shows_the_first_page(staff_client, db):
    for n in range(55):
        OrganizationFactory(name=f"Member {n:03d}")
    response = staff_client.get("/register/", {"after": "not-a-cursor"})
    assert response.status_code == 200
    assert _listed(response)[0] == "Member 000"
    assert said("That page link cannot be read; here is the first page.") in _html(response)


@pytest.mark.parametrize("who", ["board", "panel"])
def test_board_and_appeals_panel_see_the_register(client, request, who, organization):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/register/")
    assert response.status_code == 200
    assert "Acme Robotics" in _html(response)


def test_representative_is_sent_from_the_register_to_their_membership_page(rep_client):
    response = rep_client.get("/register/")
    assert response.status_code == 302
    assert response.url == "/membership/"


def test_user_without_a_role_may_not_see_the_register(client, no_role_user, organization):
    client.force_login(no_role_user)
    response = client.get("/register/")
    assert response.status_code == 403
    assert "Acme Robotics" not in _html(response)


@pytest.mark.parametrize(
    "url",
    ["/register/", "/register/acme-robotics/", "/membership/"],
)
def test_anonymous_visitor_is_sent_to_log_in(client, organization, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")
    assert url in response.url.replace("%2F", "/")


def test_anonymous_post_changes_nothing_and_is_sent_to_log_in(client, organization):
    invoice = overdue_invoice(organization)
    before = member_snapshot(organization)
    for url, data in [
        (_status_url(organization), {"transition": "suspend", "reason": "x"}),
        (_pay_url(organization, invoice), {"paid_on": today().isoformat()}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    assert member_snapshot(organization) == before
    assert DuesInvoice.objects.get(pk=invoice.pk).paid_on is None


def test_home_sends_each_role_to_its_page(client, staff, representative, no_role_user):
    assert client.get("/").url == "/members/"
    client.force_login(staff)
    staff_home = client.get("/")
    assert staff_home.status_code == 302
    assert staff_home.url not in ("/members/", "/membership/")
    assert client.get(staff_home.url).status_code == 200
    client.force_login(representative)
    assert client.get("/").url == "/membership/"
    client.force_login(no_role_user)
    response = client.get("/")
    assert response.status_code == 200
    assert said("No role yet") in _html(response)


# -- The organization page -----------------------------------------------------------


def test_staff_organization_page_shows_status_history_representatives_and_dues(
    staff_client, staff, organization
):
    RepresentativeFactory(
        organization=organization,
        user__username="ada",
        user__first_name="Ada",
        user__last_name="Lovelace",
        user__email="ada@acme.example",
        job_title="Compliance lead",
    )
    DuesInvoiceFactory(organization=organization, year=2024, amount="1234.56", paid_on="2024-02-01")
    end = today() + days(60)
    membership_change(
        organization=organization,
        transition="suspend",
        by=staff,
        reason="Late audit filings.",
        until=end,
    )

    response = staff_client.get("/register/acme-robotics/")

    assert response.status_code == 200
    html = _html(response)
    assert "<h1>Acme Robotics</h1>" in html
    assert said("Suspended") in html
    suspended_until = said(
        "Suspended until %(day)s. While suspended you may not present yourselves as "
        "members; membership resumes on its own on that date.",
        day=shown_to_client(end),
    )
    assert suspended_until in html
    assert "Ada Lovelace, Compliance lead" in html
    assert "ada@acme.example" in html
    assert _amount("1234.56") in html and "2024" in html  # PROBITY_CURRENCY, EUR by default
    assert "Late audit filings." in html
    assert f'<h2 id="cases-h">{said("Cases")}</h2>' in html
    # Ethics staff get the change-of-status form with only the changes allowed now.
    choices = [v for v, _ in response.context["status_form"].fields["transition"].choices]
    assert choices == ["reinstate", "terminate"]


def test_unknown_organization_is_404(staff_client, db):
    assert staff_client.get("/register/no-such-org/").status_code == 404


def test_board_member_sees_the_organization_page_without_the_status_form(
    board_client, organization
):
    response = board_client.get("/register/acme-robotics/")
    assert response.status_code == 200
    html = _html(response)
    assert "Acme Robotics" in html
    assert 'action="/register/acme-robotics/status/"' not in html


def test_board_member_is_refused_a_change_of_status(board_client, organization):
    before = member_snapshot(organization)
    response = board_client.post(
        _status_url(organization), {"transition": "suspend", "reason": "Board says so."}
    )
    assert response.status_code == 403
    assert member_snapshot(organization) == before


def test_board_member_may_not_record_a_payment(board_client, organization):
    invoice = overdue_invoice(organization)
    response = board_client.post(_pay_url(organization, invoice), {"paid_on": today().isoformat()})
    assert response.status_code == 403
    assert DuesInvoice.objects.get(pk=invoice.pk).paid_on is None


def test_representative_visiting_their_own_register_page_goes_to_their_portal(
    rep_client, organization
):
    response = rep_client.get("/register/acme-robotics/")
    assert response.status_code == 302
    assert response.url == "/membership/"


def test_representative_gets_404_for_another_organizations_page(rep_client, other_organization):
    response = rep_client.get(f"/register/{other_organization.slug}/")
    assert response.status_code == 404
    assert "Globex Automation" not in _html(response)


def test_representative_gets_404_for_a_page_that_does_not_exist(rep_client):
    assert rep_client.get("/register/no-such-org/").status_code == 404


@pytest.mark.parametrize("whose", ["other", "own"])
def test_representative_gets_404_posting_a_change_of_status(
    rep_client, organization, other_organization, whose
):
    target = other_organization if whose == "other" else organization
    before = member_snapshot(target)
    response = rep_client.post(
        _status_url(target), {"transition": "resign", "reason": "We resign."}
    )
    assert response.status_code == 404
    assert member_snapshot(target) == before


@pytest.mark.parametrize("whose", ["other", "own"])
def test_representative_gets_404_recording_a_payment(
    rep_client, organization, other_organization, whose
):
    target = other_organization if whose == "other" else organization
    invoice = overdue_invoice(target)
    response = rep_client.post(_pay_url(target, invoice), {"paid_on": today().isoformat()})
    assert response.status_code == 404
    assert DuesInvoice.objects.get(pk=invoice.pk).paid_on is None


# -- Changing status through the page ------------------------------------------------


def test_staff_changes_status_with_a_reason(staff_client, staff, organization):
    end = today() + days(30)
    response = staff_client.post(
        _status_url(organization),
        {"transition": "suspend", "reason": "Board decision 12.", "until": end.isoformat()},
    )

    assert response.status_code == 302
    assert response.url == "/register/acme-robotics/"
    organization.refresh_from_db()
    assert (organization.status, organization.suspended_until) == ("suspended", end)
    change = StatusChange.objects.get(organization=organization)
    assert (change.from_status, change.to_status) == ("active", "suspended")
    assert (change.changed_by, change.reason) == (staff, "Board decision 12.")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        said(
            "%(organization)s is now %(status)s.",
            organization="Acme Robotics",
            status=said("Suspended").lower(),
        )
    ]


def test_staff_terminates_a_member_with_a_readmission_bar(staff_client, staff, organization):
    bar = today() + days(730)
    response = staff_client.post(
        _status_url(organization),
        {"transition": "terminate", "reason": "Expelled by the board.", "until": bar.isoformat()},
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.status, organization.readmission_bar_until) == ("terminated", bar)
    page = _html(staff_client.get(response.url))
    assert "Expelled by the board." in page
    terminated = said(
        "Membership was terminated. You may apply for readmission from %(day)s.",
        day=shown_to_client(bar),
    )
    assert terminated in page


def test_change_of_status_without_a_reason_is_a_400_that_keeps_the_input(
    staff_client, organization
):
    end = today() + days(30)
    before = member_snapshot(organization)
    response = staff_client.post(
        _status_url(organization),
        {"transition": "suspend", "reason": "", "until": end.isoformat()},
    )
    assert response.status_code == 400
    html = _html(response)
    assert said("This field is required.") in html
    assert f'value="{end.isoformat()}"' in html
    assert re.search(r'<option value="suspend"[^>]*selected', html)
    assert member_snapshot(organization) == before


def test_change_not_allowed_from_current_status_is_a_400(staff_client, db):
    org = org_in_status("suspended", name="Millbrook Engineering", slug="millbrook")
    before = member_snapshot(org)
    response = staff_client.post(
        _status_url(org), {"transition": "resign", "reason": "Wants to leave."}
    )
    assert response.status_code == 400
    html = _html(response)
    refused = said(
        "Select a valid choice. %(value)s is not one of the available choices.", value="resign"
    )
    assert refused in html
    assert "Wants to leave." in html
    assert member_snapshot(org) == before


def test_suspension_ending_in_the_past_is_a_400_with_the_services_message(
    staff_client, organization
):
    before = member_snapshot(organization)
    past = today() - days(3)
    response = staff_client.post(
        _status_url(organization),
        {"transition": "suspend", "reason": "Typed reason kept.", "until": past.isoformat()},
    )
    assert response.status_code == 400
    html = _html(response)
    assert said(SUSPENSION_IN_THE_PAST) in html
    assert "Typed reason kept." in html
    assert f'value="{past.isoformat()}"' in html
    assert member_snapshot(organization) == before


def test_refused_change_of_status_shows_its_error_once(staff_client, organization):
    past = today() - days(3)
    response = staff_client.post(
        _status_url(organization),
        {"transition": "suspend", "reason": "Board.", "until": past.isoformat()},
    )
    assert _html(response).count(said(SUSPENSION_IN_THE_PAST)) == 1


def test_readmission_before_the_bar_date_is_a_400_naming_the_date(staff_client, db):
    bar = today() + days(100)
    org = org_in_status("terminated", readmission_bar_until=bar, slug="thornbury")
    before = member_snapshot(org)
    response = staff_client.post(_status_url(org), {"transition": "readmit", "reason": "Again."})
    assert response.status_code == 400
    too_soon = said(
        "%(organization)s cannot be readmitted before the readmission-bar date (%(day)s).",
        organization=escape(org.name),
        day=shown_to_client(bar),
    )
    assert too_soon in _html(response)
    assert member_snapshot(org) == before


def test_malformed_date_is_a_400(staff_client, organization):
    before = member_snapshot(organization)
    response = staff_client.post(
        _status_url(organization),
        {"transition": "suspend", "reason": "Board.", "until": "next tuesday"},
    )
    assert response.status_code == 400
    assert said("Enter a valid date.") in _html(response)
    assert member_snapshot(organization) == before


def test_change_of_status_page_only_accepts_post(staff_client, organization):
    assert staff_client.get(_status_url(organization)).status_code == 405


def test_change_of_status_for_unknown_organization_is_404(staff_client, db):
    response = staff_client.post(
        "/register/nobody/status/", {"transition": "suspend", "reason": "x"}
    )
    assert response.status_code == 404


# -- Recording a payment through the page --------------------------------------------


def test_staff_records_a_payment_and_the_lapsed_member_is_restored(staff_client, staff, db):
    org = org_in_status("lapsed", name="Fenwick Actuators", slug="fenwick")
    invoice = overdue_invoice(org)
    paid = today() - days(1)

    response = staff_client.post(_pay_url(org, invoice), {"paid_on": paid.isoformat()})

    assert response.status_code == 302
    assert response.url == "/register/fenwick/"
    assert DuesInvoice.objects.get(pk=invoice.pk).paid_on == paid
    assert Organization.objects.get(pk=org.pk).status == "active"
    assert StatusChange.objects.filter(
        organization=org, from_status="lapsed", to_status="active", changed_by=staff
    ).exists()
    assert said("Payment of the %(year)s dues recorded.", year=invoice.year) in [
        str(m) for m in get_messages(response.wsgi_request)
    ]


def test_payment_dated_in_the_future_is_a_400_that_keeps_the_date(staff_client, organization):
    invoice = overdue_invoice(organization)
    future = today() + days(5)
    response = staff_client.post(_pay_url(organization, invoice), {"paid_on": future.isoformat()})
    assert response.status_code == 400
    html = _html(response)
    assert said("The payment date cannot be in the future.") in html
    assert f'value="{future.isoformat()}"' in html
    assert DuesInvoice.objects.get(pk=invoice.pk).paid_on is None


def test_paying_an_invoice_twice_through_the_page_is_refused_with_a_400(staff_client, organization):
    invoice = overdue_invoice(organization, paid_on=today() - days(20))
    response = staff_client.post(_pay_url(organization, invoice), {"paid_on": today().isoformat()})
    assert response.status_code == 400
    assert DuesInvoice.objects.get(pk=invoice.pk).paid_on == today() - days(20)


def test_paying_an_invoice_twice_through_the_page_tells_staff_why(staff_client, organization):
    invoice = overdue_invoice(organization, paid_on=today() - days(20))
    response = staff_client.post(_pay_url(organization, invoice), {"paid_on": today().isoformat()})
    twice = said(
        "The %(year)s dues were already recorded as paid on %(day)s.",
        year=invoice.year,
        day=shown_to_client(invoice.paid_on),
    )
    assert twice in _html(response)


def test_payment_without_a_date_is_a_400(staff_client, organization):
    invoice = overdue_invoice(organization)
    response = staff_client.post(_pay_url(organization, invoice), {"paid_on": ""})
    assert response.status_code == 400
    assert said("This field is required.") in _html(response)
    assert DuesInvoice.objects.get(pk=invoice.pk).paid_on is None


def test_invoice_of_another_organization_cannot_be_paid_through_this_page(
    staff_client, organization, other_organization
):
    foreign = overdue_invoice(other_organization)
    response = staff_client.post(_pay_url(organization, foreign), {"paid_on": today().isoformat()})
    assert response.status_code == 404
    assert DuesInvoice.objects.get(pk=foreign.pk).paid_on is None


def test_staff_page_offers_payment_only_for_unpaid_invoices(staff_client, organization):
    unpaid = overdue_invoice(organization, years_ago=1)
    paid = overdue_invoice(organization, years_ago=2, paid_on=today() - days(400))
    html = _html(staff_client.get("/register/acme-robotics/"))
    assert f'action="{_pay_url(organization, unpaid)}"' in html
    assert f'action="{_pay_url(organization, paid)}"' not in html
    assert said("Overdue") in html


def test_board_page_offers_no_payment_form(board_client, organization):
    invoice = overdue_invoice(organization)
    html = _html(board_client.get("/register/acme-robotics/"))
    assert f'action="{_pay_url(organization, invoice)}"' not in html
    assert str(invoice.year) in html


def test_header_shows_who_is_logged_in_and_their_role(staff_client, board, client):
    html = _html(staff_client.get("/register/"))
    assert said("Ethics staff") in html
    assert 'href="/register/"' in html
    client.force_login(board)
    assert said("Board") in _html(client.get("/register/"))
