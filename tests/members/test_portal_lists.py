"""The membership page lists the newest sanctions and letters; their own pages list all
of them, a page at a time, and only to the organization's representatives."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases.models import Sanction
from cases.selectors import PORTAL_SHOWN
from tests.factories.cases import file_case
from tests.factories.language import said, said_n
from tests.factories.members import OrganizationFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db


def _sanctions(case, count: int) -> None:
    now = timezone.now()
    Sanction.objects.bulk_create(
        Sanction(
            case=case,
            respondent_id=case.respondent_id,  # bulk_create skips Sanction.save
            kind="warning",
            effective_on=datetime.date(2025, 1, 1),
            decided_at=now - datetime.timedelta(days=n),
            terms=f"Warning number {n}.",
        )
        for n in range(count)
    )


def _representative_of(client, organization):
    user = RepresentativeFactory(organization=organization).user
    client.force_login(user)
    return user


def test_the_membership_page_shows_the_newest_sanctions_and_links_to_all(client):
    organization = OrganizationFactory()
    _sanctions(file_case(respondent=organization), PORTAL_SHOWN + 5)
    _representative_of(client, organization)

    html = client.get("/membership/").content.decode()

    assert "Warning number 0." in html  # the newest
    assert f"Warning number {PORTAL_SHOWN - 1}." in html
    assert f"Warning number {PORTAL_SHOWN}." not in html  # past the newest ten
    shown_note = "The newest %(n)s is shown.", "The newest %(n)s are shown."
    assert said_n(*shown_note, PORTAL_SHOWN, n=PORTAL_SHOWN) in html
    assert 'href="/cases/ours/sanctions/"' in html


def test_a_short_record_says_nothing_of_newest(client):
    organization = OrganizationFactory()
    _sanctions(file_case(respondent=organization), 2)
    _representative_of(client, organization)

    html = client.get("/membership/").content.decode()

    assert "Warning number 1." in html
    assert "are shown." not in html


def test_our_sanctions_pages_through_every_sanction(client):
    organization = OrganizationFactory()
    _sanctions(file_case(respondent=organization), 55)
    _sanctions(file_case(respondent=OrganizationFactory()), 1)  # another organization's
    _representative_of(client, organization)

    first = client.get("/cases/ours/sanctions/")
    # The next page by keyset (association.paging), from the first page's last row.
    second = client.get("/cases/ours/sanctions/", {"after": first.context["page"].next_cursor})

    assert first.status_code == second.status_code == 200
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].count == 55
    assert said_n("%(n)s sanction", "%(n)s sanctions", 55, n=55) in first.content.decode()
    assert len(second.context["page"].object_list) == 5 and not second.context["page"].has_next
    assert "Warning number 54." in second.content.decode()
    assert "Warning number 0." in first.content.decode()
    assert "Warning number 0." not in second.content.decode()


def test_our_sanctions_says_no_count_past_the_bound(client, monkeypatch):
    from association import paging

    monkeypatch.setattr(paging, "COUNT_LIMIT", 10)
    organization = OrganizationFactory()
    _sanctions(file_case(respondent=organization), 12)
    _representative_of(client, organization)

    response = client.get("/cases/ours/sanctions/")

    assert response.context["page"].count_is_bounded
    assert said_n("%(n)s sanction", "%(n)s sanctions", 10, n=10) not in response.content.decode()


def test_our_letters_lists_only_the_letters_the_representative_may_open(client):
    organization = OrganizationFactory()
    _representative_of(client, organization)

    response = client.get("/cases/ours/letters/")

    assert response.status_code == 200
    assert response.context["page"].count == 0
    assert said("No letters.") in response.content.decode()


@pytest.mark.parametrize("url", ["/cases/ours/sanctions/", "/cases/ours/letters/"])
def test_the_full_lists_are_404_for_anyone_who_is_not_a_representative(client, staff, url):
    client.force_login(staff)
    assert client.get(url).status_code == 404


OPEN_SHOWN_NOTE = (
    "Only %(n)s open case is shown: a hearing first, then cases under review or "
    "sanctioned, the newest first.",
    "Only %(n)s open cases are shown: hearings first, then cases under review or "
    "sanctioned, the newest first.",
)


def test_the_membership_page_shows_ten_open_cases_a_hearing_first(
    client, staff, organization, representative
):
    from cases.selectors import PORTAL_OPEN_SHOWN
    from tests.factories.cases import force_state, open_review

    # The oldest case is at its hearing: shown though eleven newer cases are under review.
    hearing = force_state(
        open_review(file_case(by=staff, respondent=organization), staff), "hearing"
    )
    reviews = [
        open_review(file_case(by=staff, respondent=organization), staff)
        for _ in range(PORTAL_OPEN_SHOWN + 1)
    ]
    client.force_login(representative)

    response = client.get("/membership/")
    shown = [row["case"].number for row in response.context["open_cases"]]

    assert len(shown) == PORTAL_OPEN_SHOWN and hearing.number in shown
    assert reviews[0].number not in shown  # the oldest case under review is left to "Our cases"
    assert (
        said_n(*OPEN_SHOWN_NOTE, PORTAL_OPEN_SHOWN, n=PORTAL_OPEN_SHOWN)
        in response.content.decode()
    )


def test_a_few_open_cases_are_all_shown_without_the_note(
    client, staff, organization, representative
):
    from tests.factories.cases import open_review

    cases = [open_review(file_case(by=staff, respondent=organization), staff) for _ in range(2)]
    client.force_login(representative)

    response = client.get("/membership/")

    assert {row["case"].number for row in response.context["open_cases"]} == {
        c.number for c in cases
    }
    from cases.selectors import PORTAL_OPEN_SHOWN

    # In the language the page is in (a check in English alone passes in French).
    assert said_n(*OPEN_SHOWN_NOTE, PORTAL_OPEN_SHOWN, n=PORTAL_OPEN_SHOWN) not in (
        response.content.decode()
    )


def test_a_sanction_names_its_cases_respondent(staff, organization):
    case = file_case(by=staff, respondent=organization)
    sanction = Sanction.objects.create(
        case=case, kind="warning", effective_on=datetime.date(2025, 1, 1), terms="A warning."
    )
    assert Sanction.objects.get(pk=sanction.pk).respondent_id == organization.pk


def test_hearings_and_comment_windows_on_the_portal_run_no_more_queries(
    client, world, django_assert_num_queries
):
    """The portal reads only some columns of its open cases (_PORTAL_CASE_COLUMNS): the
    deadlines of a hearing and of a comment on the review still need no query more."""
    from tests.factories.cases import open_review
    from tests.factories.hearings import (
        case_at_hearing,
        disclose,
        hearing_procedure,
        reviewed_case,
        set_hearing,
    )
    from tests.factories.letters import world_case

    open_review(world_case(world), world.staff)  # a response due: the plain deadline
    client.force_login(world.rep)
    client.get("/membership/")
    with django_assert_num_queries(4):
        client.get("/membership/")

    hearing_procedure("always")
    set_hearing(case_at_hearing(world), world.staff)
    hearing_procedure("off", respondent_comments_on_review=True, review_comment_days=14)
    disclose(reviewed_case(world), world.staff)
    with django_assert_num_queries(4):
        response = client.get("/membership/")

    labels = {row["deadline"].kind for row in response.context["open_cases"] if row["deadline"]}
    assert {"participants", "comment", "response"} <= labels


def test_our_cases_reads_hearings_and_comment_windows_only_for_the_cases_that_have_them(
    client, world, django_assert_num_queries
):
    """cases.selectors.with_deadline_rows: one query for every row's deadline, attached
    only to the cases under review with a comment window or at their hearing."""
    from tests.factories.cases import open_review
    from tests.factories.hearings import (
        case_at_hearing,
        disclose,
        hearing_procedure,
        reviewed_case,
        set_hearing,
    )
    from tests.factories.letters import world_case

    open_review(world_case(world), world.staff)
    hearing_procedure("always")
    set_hearing(case_at_hearing(world), world.staff)
    hearing_procedure("off", respondent_comments_on_review=True, review_comment_days=14)
    disclose(reviewed_case(world), world.staff)
    client.force_login(world.rep)
    client.get("/cases/ours/")

    # The session, its user, the organization, the page of cases (with its bounded
    # count), and what their deadlines read.
    with django_assert_num_queries(5):
        response = client.get("/cases/ours/")

    labels = {row["deadline"].kind for row in response.context["rows"] if row["deadline"]}
    assert {"participants", "comment", "response"} <= labels
