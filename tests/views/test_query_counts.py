"""The case pages run a fixed number of SQL queries however much data there is, and
at most MOST (issue 3 and issue 15, "How we will check it"; DESIGN.md, "What the
numbers must be"; docs/decisions/0029).

Each test measures a page on a small dataset, grows the data, and asserts the same
count with pytest-django's django_assert_num_queries (which lists the queries if the
count differs), and that the count is at most MOST.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    Ballot,
    BallotSeat,
    Case,
    CaseEvent,
    CaseUserObjectPermission,
    CaseViewer,
    Complainant,
    Letter,
    LetterUserObjectPermission,
    Sanction,
    Vote,
)
from cases.selectors import PORTAL_SHOWN
from cases.workflow import CaseState
from tests.factories.cases import (
    adopt_procedure,
    fresh,
    open_review,
    pdf,
    record_events,
    respond,
    step,
)
from tests.factories.dates import days, today
from tests.factories.language import said_n
from tests.factories.members import OrganizationFactory
from tests.factories.people import UserFactory, board_user, panel_user, staff_user
from tests.factories.scenes import (
    case_with_exhibits,
    cast,
    close_ballot,
    complete_review,
    our_reply,
    refer,
    vote,
)

pytestmark = pytest.mark.django_db

# Issue 15: every list and object page, for every role, at most this many queries.
MOST = 12


def measure(client, url: str, params=None) -> int:
    client.get(url, params or {})  # warm per-process caches (content types, session)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def assert_same(client, url: str, expected: int, django_assert_num_queries, params=None):
    assert expected <= MOST, f"{url} runs {expected} queries (at most {MOST})"
    client.get(url, params or {})
    with django_assert_num_queries(expected):
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response


@pytest.fixture
def c(db):
    return cast(board=3)


# ---------------------------------------------------------------------------
# The staff case list and the dashboard: 10 cases or 210
# ---------------------------------------------------------------------------

STATES = [s.value for s in CaseState]


def bulk_cases(n: int, *, start: int, officers, respondents, proc) -> None:
    """`n` case rows written at once (the state is passed to the constructor: the
    field is protected against assignment, not construction)."""
    complainants = Complainant.objects.bulk_create(
        Complainant(kind="person", name=f"Complainant {start + i}") for i in range(n)
    )
    now = timezone.now()
    Case.objects.bulk_create(
        Case(
            number=f"2020-{start + i:05d}",
            state=STATES[i % len(STATES)],
            respondent=respondents[i % len(respondents)],
            complainant=complainants[i],
            procedure=proc,
            case_officer=officers[i % len(officers)],
            filed_by=officers[0],
            summary=f"Bulk complaint {start + i}",
            filed_at=now - datetime.timedelta(minutes=start + i),
            conduct_known_on=today() - days(30),
            state_changed_at=now,
            notice_issued_at=now if i % 3 else None,
            response_due_on=today() + days((i % 40) - 20),
        )
        for i in range(n)
    )


@pytest.fixture
def bulk(c):
    proc = adopt_procedure()
    officers = [c.staff] + [staff_user() for _ in range(3)]
    respondents = [c.organization, c.other_organization] + [OrganizationFactory() for _ in range(8)]

    def grow(n: int, start: int) -> None:
        bulk_cases(n, start=start, officers=officers, respondents=respondents, proc=proc)

    return grow


@pytest.mark.parametrize(
    "params",
    [{}, {"state": "under_review"}, {"q": "Acme"}, {"page": "2"}],
    ids=["all", "by-state", "search", "page-2"],
)
def test_staff_case_list_runs_a_fixed_number_of_queries(
    client, c, bulk, django_assert_num_queries, params
):
    client.force_login(c.staff)
    url = reverse("cases:case_list")
    bulk(60, start=1)  # enough for a second page
    small = measure(client, url, params)
    bulk(150, start=1000)
    assert Case.objects.count() == 210
    response = assert_same(client, url, small, django_assert_num_queries, params)
    assert len(response.context["page"]) > 0


def test_dashboard_runs_a_fixed_number_of_queries(client, c, bulk, django_assert_num_queries):
    client.force_login(c.staff)
    url = reverse("cases:dashboard")
    bulk(10, start=1)
    small = measure(client, url)
    bulk(200, start=1000)
    response = assert_same(client, url, small, django_assert_num_queries)
    assert response.context["upcoming"] and response.context["overdue"]


def test_dashboard_runs_the_same_queries_with_or_without_an_overdue_ballot(
    client, c, bulk, django_assert_num_queries
):
    client.force_login(c.staff)
    url = reverse("cases:dashboard")
    bulk(10, start=1)
    without = measure(client, url)
    # A board ballot past its closing date that nobody voted on: flagged, quorum not met.
    case = referred_case(c, 1, voters=0)
    Ballot.objects.filter(case=case).update(closes_on=today() - days(1))
    response = assert_same(client, url, without, django_assert_num_queries)
    assert [b.case.number for b in response.context["ballots_without_quorum"]] == [case.number]


# ---------------------------------------------------------------------------
# One case page: a few events or 500; one allegation and exhibit or twenty
# ---------------------------------------------------------------------------


def under_review_case(c, size: int) -> Case:
    """Under review with `size` allegations (each with a finding), `size` disclosed and
    `size` withheld exhibits, `size` responses with an attachment each, a report."""
    case = open_review(
        case_with_exhibits(
            c.staff, c.organization, allegations=size, evidence=size, undisclosed=size
        ),
        c.staff,
    )
    for i in range(size - 1):
        respond(case, c.rep, text=f"Further answer {i}.", attachments=[pdf(f"more-{i}.pdf")])
    return complete_review(case, c.staff, rep=c.rep, reply_attachments=[our_reply()])


def referred_case(c, size: int, *, extra_board: int = 0, voters: int = 1) -> Case:
    """Referred to the board with `extra_board` more members seated than the cast's
    three; `voters` of them voted (the cast's first board member always), and, when the
    board was enlarged, one member who did not vote is recused."""
    for _ in range(extra_board):
        board_user()
    case = refer(under_review_case(c, size), c.staff)
    seated = [s.voter for s in case.ballots.get().seats.select_related("voter")]
    others = [m for m in seated if m != c.board[0]]
    for member in [c.board[0], *others][:voters]:
        vote(case, member, "violation", "suspension", months=6, reason="Serious.")
    if extra_board:
        from cases.services import ballots

        ballots.conflict_declare(
            case=fresh(case), member=others[-1], reason="Conflict.", by=c.staff
        )
    return fresh(case)


def grow_events(case: Case, c, n: int = 500) -> None:
    record_events(case, n, [c.staff, c.rep, None, c.board[0]])


def test_staff_case_page_is_fixed_for_5_or_500_events(client, c, django_assert_num_queries):
    case = case_with_exhibits(c.staff, c.organization)
    client.force_login(c.staff)
    small = measure(client, case.get_absolute_url())
    grow_events(case, c)
    assert case.events.count() > 500
    response = assert_same(client, case.get_absolute_url(), small, django_assert_num_queries)
    assert len(response.context["events"]) > 500
    assert "note 497" in response.content.decode()


def test_staff_case_page_is_fixed_for_1_or_20_allegations(client, c, django_assert_num_queries):
    one = under_review_case(c, 1)
    twenty = under_review_case(c, 20)
    grow_events(twenty, c)
    client.force_login(c.staff)
    small = measure(client, one.get_absolute_url())
    response = assert_same(client, twenty.get_absolute_url(), small, django_assert_num_queries)
    assert len(response.context["finding_forms"]) == 20


def test_staff_case_page_is_fixed_for_small_and_large_ballots(client, c, django_assert_num_queries):
    small_case = referred_case(c, 1)
    large_case = referred_case(c, 20, extra_board=7, voters=8)
    grow_events(large_case, c)
    client.force_login(c.staff)
    small = measure(client, small_case.get_absolute_url())
    response = assert_same(client, large_case.get_absolute_url(), small, django_assert_num_queries)
    assert len(response.context["ballots"][0]["voted"]) == 8


def decided_case(c, choice: str) -> Case:
    """Closed by the board's ballot: every seated member voted `choice`."""
    case = referred_case(c, 1, voters=0)
    for member in c.board:
        vote(case, member, choice, "censure" if choice == "violation" else "")
    return close_ballot(case, c.staff)


def appealed_case(c) -> Case:
    """Decided by the board (a censure) and appealed by the respondent: two ballots, a
    sanction and an appeal."""
    for _ in range(3):
        panel_user()
    case = services.case_transition(
        case=fresh(decided_case(c, "violation")),
        name="file_appeal",
        by=c.rep,
        reason="The register extract was out of date.",
        expected_state="sanctioned",
    )
    assert case.state == "under_appeal"
    return fresh(case)


def test_staff_case_page_is_the_same_with_or_without_a_ballot(client, c, django_assert_num_queries):
    # Two cases the workflow is done with (no step left to check): one withdrawn before
    # any ballot, one decided by the board's ballot.
    withdrawn = step(under_review_case(c, 1), "withdraw", c.staff, reason="Settled.")
    decided = decided_case(c, "no_violation")
    assert (withdrawn.state, decided.state) == ("withdrawn", "no_violation")
    client.force_login(c.staff)
    small = measure(client, withdrawn.get_absolute_url())
    response = assert_same(client, decided.get_absolute_url(), small, django_assert_num_queries)
    assert len(response.context["ballots"]) == 1


def test_staff_case_page_is_the_same_with_or_without_an_appeal(
    client, c, django_assert_num_queries
):
    at_vote = referred_case(c, 1)
    appealed = appealed_case(c)
    client.force_login(c.staff)
    small = measure(client, at_vote.get_absolute_url())
    response = assert_same(client, appealed.get_absolute_url(), small, django_assert_num_queries)
    assert [b["ballot"].kind for b in response.context["ballots"]] == ["board", "appeal"]
    assert "The register extract was out of date." in response.content.decode()


def test_representative_case_page_is_the_same_with_or_without_a_ballot_and_appeal(
    client, c, django_assert_num_queries
):
    without = under_review_case(c, 1)
    appealed = appealed_case(c)
    client.force_login(c.rep)
    small = measure(client, without.get_absolute_url())
    response = assert_same(client, appealed.get_absolute_url(), small, django_assert_num_queries)
    assert "cases/case_respondent.html" in [t.name for t in response.templates]
    assert response.context["case"].state == "under_appeal"


def test_representative_case_page_is_fixed(client, c, django_assert_num_queries):
    one = under_review_case(c, 1)
    twenty = under_review_case(c, 20)
    grow_events(twenty, c)
    client.force_login(c.rep)
    small = measure(client, one.get_absolute_url())
    response = assert_same(client, twenty.get_absolute_url(), small, django_assert_num_queries)
    assert len(response.context["evidence"]) > 20


def test_board_dossier_is_fixed(client, c, django_assert_num_queries):
    small_case = referred_case(c, 1)
    large_case = referred_case(c, 20, extra_board=7, voters=8)
    grow_events(large_case, c)
    client.force_login(c.board[0])
    small = measure(client, small_case.get_absolute_url())
    response = assert_same(client, large_case.get_absolute_url(), small, django_assert_num_queries)
    assert "cases/case_board.html" in [t.name for t in response.templates]
    assert response.context["my_vote"] is not None


def test_my_ballots_is_fixed(client, c, django_assert_num_queries):
    first = referred_case(c, 1)
    client.force_login(c.board[0])
    url = reverse("cases:my_ballots")
    small = measure(client, url)
    for i in range(6):
        other = OrganizationFactory()
        case = case_with_exhibits(c.staff, other, summary=f"Complaint {i}")
        case = refer(complete_review(open_review(case, c.staff), c.staff), c.staff)
        if i % 2:
            vote(case, c.board[0], "abstain")
    response = assert_same(client, url, small, django_assert_num_queries)
    assert len(response.context["open"]) == 7
    assert first.number in response.content.decode()


def test_portal_cases_is_fixed(client, c, django_assert_num_queries):
    open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    client.force_login(c.rep)
    url = reverse("cases:portal_cases")
    small = measure(client, url)
    for i in range(8):
        case = open_review(
            case_with_exhibits(c.staff, c.organization, summary=f"Complaint {i}"), c.staff
        )
        services.response_submit(case=fresh(case), by=c.rep, text="No.")
    response = assert_same(client, url, small, django_assert_num_queries)
    assert len(response.context["page"]) == 9


def test_portal_cases_pages_through_many_cases_with_the_same_queries(
    client, c, django_assert_num_queries
):
    first = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    client.force_login(c.rep)
    url = reverse("cases:portal_cases")
    small = measure(client, url)
    # 120 more cases against the representative's organization, each visible to them.
    bulk_cases(
        120, start=1, officers=[c.staff], respondents=[c.organization], proc=adopt_procedure()
    )
    view_case = (
        CaseUserObjectPermission.objects.filter(
            user=c.rep, content_object=first, permission__codename="view_case"
        )
        .get()
        .permission
    )
    others = Case.objects.filter(respondent=c.organization).exclude(pk=first.pk)
    CaseUserObjectPermission.objects.bulk_create(
        CaseUserObjectPermission(user=c.rep, content_object=case, permission=view_case)
        for case in others
    )
    CaseViewer.objects.bulk_create(
        CaseViewer(user=c.rep, case=case, filed_at=case.filed_at, respondent_id=case.respondent_id)
        for case in others
    )
    assert Case.objects.filter(respondent=c.organization).count() == 121

    response = assert_same(client, url, small, django_assert_num_queries)
    page = response.context["page"]
    assert len(page) == 50 and page.has_next and not page.has_previous
    assert page.object_list[0].number == first.number  # the newest first
    assert page.count == 121
    assert said_n("%(count)s case", "%(count)s cases", 121, count=121) in response.content.decode()
    # Pages by keyset (association.paging): the third and last page, then back to the
    # second, each in the first page's queries.
    second = assert_same(
        client, url, small, django_assert_num_queries, {"after": page.next_cursor}
    ).context["page"]
    last = assert_same(client, url, small, django_assert_num_queries, {"after": second.next_cursor})
    assert len(last.context["page"]) == 21 and not last.context["page"].has_next
    assert first.number not in last.content.decode()
    back = assert_same(
        client,
        url,
        small,
        django_assert_num_queries,
        {"before": last.context["page"].previous_cursor},
    ).context["page"]
    assert [c.pk for c in back] == [c.pk for c in second]
    shown = {c.pk for c in page} | {c.pk for c in second} | {c.pk for c in last.context["page"]}
    assert len(shown) == 121  # every case once


# ---------------------------------------------------------------------------
# Issue 15: the lists of the board, the panel and the representative with many
# items, the complainant's page, the records pages
# ---------------------------------------------------------------------------


def grant(user, codename: str, cases) -> None:
    """`codename` on each of `cases` for `user`, as the grant service leaves it."""
    model = (
        LetterUserObjectPermission if codename == "view_letter_pdf" else CaseUserObjectPermission
    )
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(codename=codename)
    model.objects.bulk_create(
        model(user=user, content_object=item, permission=permission) for item in cases
    )
    if codename == "view_case":  # kept with it by the grant service, for the case list
        CaseViewer.objects.bulk_create(
            CaseViewer(
                user=user, case=case, filed_at=case.filed_at, respondent_id=case.respondent_id
            )
            for case in cases
        )


def test_board_members_case_list_is_fixed_however_many_cases_they_see(
    client, c, bulk, django_assert_num_queries
):
    member = c.board[0]
    referred_case(c, 1)
    client.force_login(member)
    url = reverse("cases:case_list")
    small = measure(client, url)
    bulk(150, start=1)
    grant(member, "view_case", Case.objects.filter(number__startswith="2020-"))
    response = assert_same(client, url, small, django_assert_num_queries)
    assert len(response.context["page"]) == 50
    assert response.context["page"].has_next


def ballots_for(member, cases, *, open_: bool) -> None:
    """A board ballot on each of `cases` with `member` seated (open or closed)."""
    now = timezone.now()
    made = Ballot.objects.bulk_create(
        Ballot(
            case=case,
            kind="board",
            closes_on=today() + days(7 if open_ else -7),
            closed_at=None if open_ else now,
        )
        for case in cases
    )
    # The seat carries its ballot's closed_at, as cases.services.ballots.close_ballots leaves it.
    BallotSeat.objects.bulk_create(
        BallotSeat(ballot=b, voter=member, closed_at=b.closed_at, closes_on=b.closes_on)
        for b in made
    )


def test_my_ballots_is_fixed_for_a_member_who_sat_on_many_ballots(
    client, c, bulk, django_assert_num_queries
):
    member = c.board[0]
    referred_case(c, 1)
    client.force_login(member)
    url = reverse("cases:my_ballots")
    small = measure(client, url)
    bulk(240, start=1)
    cases = list(Case.objects.filter(number__startswith="2020-").order_by("pk"))
    ballots_for(member, cases[:40], open_=True)
    ballots_for(member, cases[40:], open_=False)
    response = assert_same(client, url, small, django_assert_num_queries)
    # The 25 soonest open ballots, a link to the rest; the call to action counts all.
    assert len(response.context["open"]) == 25 and response.context["open_more"]
    voted = Vote.objects.filter(voter=member).values("ballot_id")
    awaiting = (
        BallotSeat.objects.filter(voter=member, ballot__closed_at__isnull=True)
        .exclude(ballot_id__in=voted)
        .count()
    )
    assert awaiting > 25 and response.context["to_vote_count"] == awaiting
    assert (
        said_n(
            "%(n)s ballot awaits your vote.", "%(n)s ballots await your vote.", awaiting, n=awaiting
        )
        in response.content.decode()
    )
    page = response.context["page"]
    assert len(response.context["closed"]) == 50 and page.has_next and not page.has_previous
    # The next pages, by their cursors, run the same queries to the last one.
    seen = [row.seat_id for row in response.context["closed"]]
    while page.has_next:
        later = assert_same(
            client, url, small, django_assert_num_queries, {"after": page.next_cursor}
        )
        page = later.context["page"]
        seen += [row.seat_id for row in later.context["closed"]]
    closed = BallotSeat.objects.filter(voter=member, ballot__closed_at__isnull=False)
    assert sorted(seen) == sorted(closed.values_list("pk", flat=True))
    back = assert_same(
        client, url, small, django_assert_num_queries, {"before": page.previous_cursor}
    )
    assert len(back.context["closed"]) == 50 and back.context["page"].has_next
    every = assert_same(client, url, small, django_assert_num_queries, {"open": "all"})
    assert len(every.context["open"]) == 41 and not every.context["open_more"]
    assert "?open=all&amp;after=" in every.content.decode()


def test_panel_members_case_list_and_appeal_dossier_are_fixed(
    client, c, bulk, django_assert_num_queries
):
    small_case = appealed_case(c)
    member = small_case.ballots.get(kind="appeal").seats.first().voter
    client.force_login(member)
    small_list = measure(client, reverse("cases:case_list"))
    small_page = measure(client, small_case.get_absolute_url())
    grow_events(small_case, c, 200)
    bulk(120, start=1)
    grant(member, "view_case", Case.objects.filter(number__startswith="2020-"))
    assert_same(client, reverse("cases:case_list"), small_list, django_assert_num_queries)
    response = assert_same(
        client, small_case.get_absolute_url(), small_page, django_assert_num_queries
    )
    assert "cases/case_board.html" in [t.name for t in response.templates]


def test_portal_is_fixed_for_a_member_with_many_sanctions_and_letters(
    client, c, django_assert_num_queries
):
    first = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    client.force_login(c.rep)
    url = reverse("portal")
    small = measure(client, url)
    assert small == 4  # the session, its user, the organization's lists, the cases' lists
    bulk_cases(
        150, start=1, officers=[c.staff], respondents=[c.organization], proc=adopt_procedure()
    )
    cases = list(Case.objects.filter(respondent=c.organization).exclude(pk=first.pk))
    grant(c.rep, "view_case", cases)
    _sanctions_of(cases)
    _letters_to(c.rep, first)
    response = assert_same(client, url, small, django_assert_num_queries)
    # The newest few; "All our sanctions" and "All our letters" page through the rest.
    assert len(response.context["sanctions"]) == PORTAL_SHOWN
    assert len(response.context["letters"]) == PORTAL_SHOWN
    assert response.context["sanctions_more"] and response.context["letters_more"]


def _sanctions_of(cases) -> None:
    """A censure on each case."""
    Sanction.objects.bulk_create(
        Sanction(case=case, respondent_id=case.respondent_id, kind="censure", effective_on=today())
        for case in cases
    )


def _letters_to(rep, case, n: int = 150) -> None:
    """`n` decision letters on `case` that `rep` may open."""
    event = CaseEvent.objects.filter(case=case).first()
    letters = Letter.objects.bulk_create(
        Letter(
            case=case,
            kind="decision",
            addressee="respondent",
            recipient_name="Acme Robotics",
            event=event,
            file=f"letters/bulk-{i}.pdf",
            sha256="0" * 64,
            size=1,
            version=i + 2,
        )
        for i in range(n)
    )
    grant(rep, "view_letter_pdf", letters)


@pytest.mark.parametrize("name", ["cases:portal_sanctions", "cases:portal_letters"])
def test_our_sanctions_and_letters_page_through_150_with_the_same_queries(
    client, c, django_assert_num_queries, name
):
    """The first, the last and a previous page of 150 sanctions or letters (by keyset)
    in the queries of the page with one or none."""
    first = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    client.force_login(c.rep)
    url = reverse(name)
    small = measure(client, url)
    bulk_cases(
        150, start=1, officers=[c.staff], respondents=[c.organization], proc=adopt_procedure()
    )
    cases = list(Case.objects.filter(respondent=c.organization).exclude(pk=first.pk))
    grant(c.rep, "view_case", cases)
    if name == "cases:portal_sanctions":
        _sanctions_of(cases)
    else:
        _letters_to(c.rep, first)
    pages, params = [], {}
    while True:
        page = assert_same(client, url, small, django_assert_num_queries, params).context["page"]
        pages.append([item.pk for item in page])
        if not page.has_next:
            break
        params = {"after": page.next_cursor}
    back = assert_same(
        client, url, small, django_assert_num_queries, {"before": page.previous_cursor}
    ).context["page"]
    assert [len(p) for p in pages[:3]] == [50, 50, 50]
    assert len({pk for p in pages for pk in p}) == sum(len(p) for p in pages) >= 150
    assert [item.pk for item in back] == pages[-2]


def test_complainants_page_is_fixed(client, c, django_assert_num_queries):
    case = case_with_exhibits(c.staff, c.organization)
    code = case.new_access_code
    client.post(reverse("cases:complainant_sign_in"), {"reference": case.number, "code": code})
    url = reverse("cases:complainant_page", args=[case.number])
    small = measure(client, url)
    open_review(case, c.staff)
    grow_events(case, c, 300)
    response = assert_same(client, url, small, django_assert_num_queries)
    assert response.context["case"].number == case.number


@pytest.mark.parametrize("name", ["cases:precedents", "cases:annual_report", "public_decisions"])
def test_records_pages_are_fixed(client, c, bulk, django_assert_num_queries, name):
    decided_case(c, "violation")
    who = None if name == "public_decisions" else c.staff
    if who is not None:
        client.force_login(who)
    url = reverse(name)
    small = measure(client, url)
    bulk(200, start=1)
    assert_same(client, url, small, django_assert_num_queries)


def test_a_user_with_no_role_sees_the_same_few_queries(client, db, django_assert_num_queries):
    """The plumbing of every signed-in page: the session, then the user with their roles
    and devices in one query."""
    client.force_login(UserFactory(username="nobody"))
    with django_assert_num_queries(2):
        assert client.get("/").status_code == 200
