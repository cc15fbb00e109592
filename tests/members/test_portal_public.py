"""The member portal ("Our membership") and the public directory and verification pages."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import formats

from members.models import Organization
from members.services import membership_change
from members.status import (
    PUBLIC_GOOD_STANDING,
    PUBLIC_NOT_A_MEMBER,
    PUBLIC_STANDING_LABELS,
    PUBLIC_SUSPENDED,
)
from tests.factories.dates import days, today
from tests.factories.language import in_client_language, said, shown_to_client
from tests.factories.members import (
    ALL_STATUSES,
    DuesInvoiceFactory,
    OrganizationFactory,
    RepresentativeFactory,
    org_in_status,
)


def _html(response) -> str:
    return response.content.decode()


def _section(html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by `heading_id`."""
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def _grouped(amount: str) -> str:
    """An amount's figures as the client reads them ("1,111.11" / "1 111,11")."""
    with in_client_language():
        return formats.number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)


# The portal's sentences on a suspension (members.status.plain_status).
SUSPENDED_UNTIL = (
    "Suspended until %(day)s. While suspended you may not present yourselves as "
    "members; membership resumes on its own on that date."
)
SUSPENDED_OPEN_ENDED = "Suspended. While suspended you may not present yourselves as members."


def _portal_for(client, org, username="rep"):
    user = RepresentativeFactory(organization=org, user__username=username).user
    client.force_login(user)
    return client.get("/membership/")


# -- The portal ----------------------------------------------------------------------


def test_representative_sees_their_own_organization_in_plain_words(rep_client, organization):
    response = rep_client.get("/membership/")
    assert response.status_code == 200
    html = _html(response)
    assert said("Our membership: %(name)s", name="Acme Robotics") in html
    assert said("Your membership is active and in good standing.") in html
    assert said("since %(day)s", day=shown_to_client(organization.status_since)) in html


def test_suspended_member_reads_until_when(staff, client, db):
    end = datetime.date(today().year + 1, 6, 30)
    org = org_in_status("active", name="Millbrook Engineering")
    membership_change(
        organization=org, transition="suspend", by=staff, reason="Late filings.", until=end
    )

    html = _html(_portal_for(client, org))

    assert said(SUSPENDED_UNTIL, day=shown_to_client(end)) in html
    assert said("since %(day)s", day=shown_to_client(today())) in html


def test_suspended_member_without_an_end_date_is_told_so(client, db):
    org = org_in_status("suspended")
    html = _html(_portal_for(client, org))
    assert said(SUSPENDED_OPEN_ENDED) in html
    # Not the sentence with an end date: none of its words before the date.
    assert said(SUSPENDED_UNTIL, day="\0").split("\0")[0] not in html


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        ("applicant", "Your application for membership is being considered."),
        ("active", "Your membership is active and in good standing."),
        ("lapsed", "Lapsed: dues are unpaid. Paying the outstanding dues restores the membership."),
        ("terminated", "Membership was terminated. You may apply for readmission."),
        ("resigned", "You resigned from the association."),
    ],
)
def test_portal_explains_each_status(client, db, status, sentence):
    org = org_in_status(status)
    assert said(sentence) in _html(_portal_for(client, org))


def test_terminated_member_is_told_when_they_may_apply_again(client, db):
    bar = datetime.date(today().year + 2, 9, 1)
    org = org_in_status("terminated", readmission_bar_until=bar)
    html = _html(_portal_for(client, org))
    assert (
        said(
            "Membership was terminated. You may apply for readmission from %(day)s.",
            day=shown_to_client(bar),
        )
        in html
    )


def test_portal_lists_dues_by_year_newest_first(rep_client, organization):
    for year, amount, paid in [
        (2023, "1111.11", datetime.date(2023, 2, 1)),
        (2025, "3333.33", None),
        (2024, "2222.22", datetime.date(2024, 2, 1)),
    ]:
        DuesInvoiceFactory(organization=organization, year=year, amount=amount, paid_on=paid)

    dues = _section(_html(rep_client.get("/membership/")), "dues-h")

    assert [int(y) for y in re.findall(r"<td[^>]*>(20\d\d)</td>", dues)] == [2025, 2024, 2023]
    for amount in ("1111.11", "2222.22", "3333.33"):
        assert _grouped(amount) in dues
    assert said("Overdue") in dues
    # Representatives cannot record their own payments.
    assert "<form" not in dues


def test_portal_shows_status_history_but_not_which_staff_member_acted(client, staff, db):
    staff.first_name, staff.last_name = "Alice", "Okafor"
    staff.save()
    org = org_in_status("active")
    membership_change(organization=org, transition="lapse", by=staff, reason="Dues unpaid.")
    membership_change(organization=org, transition="restore", by=staff, reason="Dues paid.")

    history = _section(_html(_portal_for(client, org)), "history-h")

    assert "Dues unpaid." in history and "Dues paid." in history
    assert history.index("Dues paid.") < history.index("Dues unpaid.")
    assert said("Lapsed (dues unpaid)") in history
    assert "Okafor" not in history


def test_portal_shows_nothing_of_another_organization(rep_client, other_organization, staff):
    membership_change(
        organization=other_organization, transition="lapse", by=staff, reason="Globex secret."
    )
    DuesInvoiceFactory(organization=other_organization, year=2022, amount="9876.54")

    html = _html(rep_client.get("/membership/"))

    assert "Globex" not in html
    assert "9876.54" not in html


def test_portal_has_places_for_open_cases_and_letters(rep_client):
    html = _html(rep_client.get("/membership/"))
    assert said("Open cases") in html and said("Letters") in html


@pytest.mark.parametrize("who", ["staff", "board", "panel", "no_role_user"])
def test_portal_is_404_for_anyone_who_is_not_a_representative(
    db, client, request, who
):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/membership/").status_code == 404


# -- The public directory ------------------------------------------------------------


def test_directory_lists_only_members_in_good_standing(client, db):
    for status in ALL_STATUSES:
        org_in_status(status, name=f"Company {status}", slug=f"company-{status}")

    response = client.get("/members/")

    assert response.status_code == 200
    assert [o.name for o in response.context["page"]] == ["Company active"]
    html = _html(response)
    for status in ALL_STATUSES:
        assert (f"Company {status}" in html) == (status == "active")
    assert 'href="/verify/company-active/"' in html


def _with_private_details(org, staff):
    RepresentativeFactory(
        organization=org, user__username="secret.rep", user__email="secret.rep@acme.example"
    )
    DuesInvoiceFactory(organization=org, year=2025, amount=Decimal("4321.77"))
    membership_change(
        organization=org, transition="suspend", by=staff, reason="Confidential board minute 7."
    )
    membership_change(
        organization=org, transition="reinstate", by=staff, reason="Reinstated per minute 9."
    )


PRIVATE = [
    "secret.rep@acme.example",
    "4321.77",
    "Confidential board minute 7.",
    "Reinstated per minute 9.",
    "secret.rep",
]


def test_directory_never_shows_dues_emails_or_history(client, organization, staff):
    _with_private_details(organization, staff)
    html = _html(client.get("/members/"))
    assert "Acme Robotics" in html
    for private in PRIVATE:
        assert private not in html


def test_verification_page_never_shows_dues_emails_or_history(client, organization, staff):
    _with_private_details(organization, staff)
    html = _html(client.get("/verify/acme-robotics/"))
    assert "Acme Robotics" in html
    for private in PRIVATE:
        assert private not in html


def test_directory_is_paginated(client, db):
    for n in range(105):
        OrganizationFactory(name=f"Member {n:03d}")
    first = client.get("/members/")
    assert len(first.context["page"]) == 100
    second = client.get("/members/", {"after": first.context["page"].next_cursor})
    assert [o.name for o in second.context["page"]] == [f"Member {n:03d}" for n in range(100, 105)]
    assert 'rel="prev"' in second.content.decode() and 'rel="next"' not in second.content.decode()


# -- Verification --------------------------------------------------------------------

EXPECTED_STANDING = {
    "applicant": PUBLIC_NOT_A_MEMBER,
    "active": PUBLIC_GOOD_STANDING,
    "suspended": PUBLIC_SUSPENDED,
    "lapsed": PUBLIC_NOT_A_MEMBER,
    "terminated": PUBLIC_NOT_A_MEMBER,
    "resigned": PUBLIC_NOT_A_MEMBER,
}
# The verification page's sentence for each answer (templates/public/verify.html), after
# the organization's name; the badge in it is the answer.
SHOWN = {
    PUBLIC_GOOD_STANDING: 'is <span class="badge badge-good">a member in good standing</span> '
    "of the association as of %(today)s.",
    PUBLIC_SUSPENDED: "is a member of the association whose membership is "
    '<span class="badge badge-warn">suspended</span> as of %(today)s.',
    PUBLIC_NOT_A_MEMBER: 'is <span class="badge badge-bad">not a member</span> of the '
    "association as of %(today)s.",
}


def _verdict(html: str) -> str:
    """The page's sentence after the organization's name, spaces squeezed."""
    line = re.search(r'<p class="status-line">(.*?)</p>', html, re.S).group(1)
    return re.sub(r"[ \t\n]+", " ", line.split("</strong>", 1)[1]).strip()


def _verdict_said(standing: str) -> str:
    return said(SHOWN[standing], today=shown_to_client(today()))


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_verification_page_gives_the_right_answer_for_each_status(client, db, status):
    org_in_status(status, name="Checked Co", slug="checked-co")
    response = client.get("/verify/checked-co/")
    assert response.status_code == 200
    assert response.context["standing"] == EXPECTED_STANDING[status]
    assert _verdict(_html(response)) == _verdict_said(EXPECTED_STANDING[status])
    assert "Checked Co" in _html(response)


def test_verification_page_needs_no_account(client, organization):
    response = client.get("/verify/acme-robotics/")
    assert response.status_code == 200
    assert _verdict(_html(response)) == _verdict_said(PUBLIC_GOOD_STANDING)


def test_verification_follows_a_change_of_status(client, organization, staff):
    assert _verdict(_html(client.get("/verify/acme-robotics/"))) == _verdict_said(
        PUBLIC_GOOD_STANDING
    )
    membership_change(
        organization=organization,
        transition="suspend",
        by=staff,
        reason="Board.",
        until=today() + days(10),
    )
    assert _verdict(_html(client.get("/verify/acme-robotics/"))) == _verdict_said(PUBLIC_SUSPENDED)
    membership_change(
        organization=organization, transition="terminate", by=staff, reason="Expelled."
    )
    assert _verdict(_html(client.get("/verify/acme-robotics/"))) == _verdict_said(PUBLIC_NOT_A_MEMBER)


def test_verification_of_an_unknown_slug_is_404(client, db):
    assert client.get("/verify/no-such-company/").status_code == 404


def test_verify_search_finds_companies_by_name_with_their_standing(client, db):
    org_in_status("active", name="Harrow Pneumatics", slug="harrow")
    org_in_status("suspended", name="Harrow Hydraulics", slug="harrow-h")
    org_in_status("terminated", name="Thornbury Harrow", slug="thornbury")
    org_in_status("active", name="Unrelated Ltd", slug="unrelated")

    response = client.get("/verify/", {"q": "  HARROW "})

    assert response.status_code == 200
    results = [(org.name, standing) for org, standing in response.context["results"]]
    assert results == [
        ("Harrow Hydraulics", PUBLIC_STANDING_LABELS[PUBLIC_SUSPENDED]),
        ("Harrow Pneumatics", PUBLIC_STANDING_LABELS[PUBLIC_GOOD_STANDING]),
        ("Thornbury Harrow", PUBLIC_STANDING_LABELS[PUBLIC_NOT_A_MEMBER]),
    ]
    html = _html(response)
    assert 'href="/verify/harrow/"' in html
    assert f"Harrow Pneumatics</a>: {said('in good standing')}" in html
    assert "Unrelated Ltd" not in html


def test_verify_search_for_an_unknown_company_says_not_a_member(client, organization):
    html = _html(client.get("/verify/", {"q": "Nonesuch Industries"}))
    assert (
        said(
            "No organization called “%(query)s” is known to the association: it is "
            "<strong>not a member</strong>.",
            query="Nonesuch Industries",
        )
        in html
    )


def test_verify_search_without_a_query_lists_nothing(client, organization):
    response = client.get("/verify/")
    assert response.status_code == 200
    assert response.context["results"] == []
    assert "Acme Robotics" not in _html(response)


def test_verify_search_escapes_what_was_typed(client, db):
    html = _html(client.get("/verify/", {"q": "<script>alert(1)</script>"}))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_verify_search_shows_at_most_twenty_results(client, db):
    for n in range(25):
        OrganizationFactory(name=f"Widget Maker {n:02d}")
    response = client.get("/verify/", {"q": "widget"})
    assert len(response.context["results"]) == 20


def test_verify_search_never_shows_private_details(client, organization, staff):
    _with_private_details(organization, staff)
    html = _html(client.get("/verify/", {"q": "acme"}))
    assert "Acme Robotics" in html
    for private in PRIVATE:
        assert private not in html


def test_organization_in_good_standing_property_matches_the_public_answer(db):
    for status in ALL_STATUSES:
        org = org_in_status(status)
        fresh = Organization.objects.get(pk=org.pk)
        assert fresh.in_good_standing == (EXPECTED_STANDING[status] == PUBLIC_GOOD_STANDING)
