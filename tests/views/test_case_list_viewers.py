"""The case list of anyone but staff is read from their CaseViewer rows (docs/decisions/
0030): the grant service keeps one with each view_case a user holds, the list shows
exactly those cases newest first by the case's filing moment (not by id), pages and
jumps through them, and the per-case permission still decides each case's page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.access import cases_listed_for, cases_visible_to
from cases.models import Case, CaseViewer, Complainant, Procedure, Recusal
from cases.services import grants
from tests.factories.cases import adopt_procedure
from tests.factories.dates import days, today
from tests.factories.members import OrganizationFactory
from tests.factories.people import board_user, staff_user

pytestmark = pytest.mark.django_db

URL = reverse("cases:case_list")


@pytest.fixture
def world(db, monkeypatch):
    """Seven cases whose ids run against their filing order (entered on paper later
    with an earlier moment is not possible, but imported data is), the board member
    given view_case on five of them."""
    monkeypatch.setattr("cases.views.CASE_PAGE_SIZE", 2)
    staff = staff_user("viewers.staff")
    member = board_user("viewers.board")
    org = OrganizationFactory(name="Acme Robotics", slug="acme-robotics")
    procedure = Procedure.objects.first() or adopt_procedure()
    start = timezone.make_aware(datetime.datetime(2026, 1, 1, 9, 0))
    cases = [
        Case.objects.create(
            number=f"2026-{i + 1:04d}",
            respondent=org,
            complainant=Complainant.objects.create(kind="person", name=f"C{i}"),
            procedure=procedure,
            case_officer=staff,
            filed_by=staff,
            filed_at=start - datetime.timedelta(days=i),  # the higher the id, the older
            summary=f"Complaint {i}",
            conduct_known_on=today() - days(30),
        )
        for i in range(7)
    ]
    for case in cases[:5]:
        grants.grant(case, member, ["view_case", "vote_on_case"], actor=None, why="Seated.")
    return staff, member, cases


def numbers(page) -> list[str]:
    return [c.number for c in page]


def test_the_grant_service_keeps_a_viewer_row_with_view_case(world):
    _staff, member, cases = world
    rows = CaseViewer.objects.filter(user=member)
    assert sorted(rows.values_list("case__number", "filed_at")) == sorted(
        (c.number, c.filed_at) for c in cases[:5]
    )
    grants.revoke(cases[0], member, ["vote_on_case"], actor=None, why="Ballot closed.")
    assert rows.filter(case=cases[0]).exists()  # still sees it
    grants.revoke(cases[0], member, ["view_case"], actor=None, why="Recused.")
    assert not rows.filter(case=cases[0]).exists()
    grants.grant(cases[1], member, ["view_case"], actor=None, why="Again.")
    assert rows.filter(case=cases[1]).count() == 1  # once


def test_the_list_is_what_the_permission_lets_them_see_newest_first(world):
    staff, member, cases = world
    Recusal.objects.create(
        case=cases[2], member=member, reason="Knows the respondent.", recorded_by=staff
    )
    listed = list(cases_listed_for(member).order_by("-listed_at", "-listed_id"))
    assert listed == sorted(cases_visible_to(member), key=lambda c: c.filed_at, reverse=True)
    assert [c.number for c in listed] == ["2026-0001", "2026-0002", "2026-0004", "2026-0005"]


def test_the_board_member_pages_and_jumps_through_their_cases(client, world):
    _staff, member, cases = world
    client.force_login(member)
    seen, params = [], {}
    while True:
        page = client.get(URL, params).context["page"]
        seen += numbers(page)
        if not page.has_next:
            break
        params = {"after": page.next_cursor}
    assert seen == [c.number for c in cases[:5]]
    back = client.get(URL, {"before": page.previous_cursor}).context["page"]
    assert numbers(back) == ["2026-0003", "2026-0004"]
    jumped = client.get(URL, {"go": "2026-0004"}).context["page"]
    assert numbers(jumped) == ["2026-0004", "2026-0005"] and jumped.has_previous
    day = client.get(URL, {"go": "2025-12-30"}).context["page"]  # cases 3 (30 Dec) on
    assert numbers(day) == ["2026-0003", "2026-0004"]
    assert client.get(URL, {"go": "2026-0006"}).context["page"].problem  # not theirs
    assert client.get(URL).context["page"].count == 5


def test_a_viewer_row_alone_opens_no_case_page(client, world):
    """The permission stays the authority on the case's page."""
    _staff, member, cases = world
    CaseViewer.objects.create(user=member, case=cases[6], filed_at=cases[6].filed_at)
    client.force_login(member)
    assert client.get(cases[6].get_absolute_url()).status_code in (403, 404)


def test_staff_see_every_case_in_the_same_order(client, world):
    staff, _member, cases = world
    client.force_login(staff)
    assert numbers(client.get(URL).context["page"]) == ["2026-0001", "2026-0002"]
    assert client.get(URL).context["page"].count == 7
