"""Issue 10 on the case pages: staff set and record the hearing, the respondent
comments on the disclosed review and names its people, the deciders read the comment
and the hearing's record. Each form is shown exactly when the table makes it ready;
a refused form comes back with its reason and what was typed."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from cases import access, services, workflow
from cases.models import Hearing, HearingParticipant, LetterKind, ReviewComment
from tests.factories.cases import fresh, step
from tests.factories.dates import days, today
from tests.factories.hearings import (
    case_at_hearing,
    disclose,
    heard_and_referred,
    hearing_day_comes,
    hearing_input,
    hearing_procedure,
    minutes_file,
    request_hearing,
    reviewed_case,
    set_hearing,
)
from tests.factories.language import said, shown_to_client
from tests.factories.pages import squeezed, text_of
from tests.factories.scenes import add_fact_finding

pytestmark = pytest.mark.django_db

URLS = {
    "disclose_review": "cases:review_disclose",
    "comment_on_review": "cases:review_comment",
    "request_hearing": "cases:hearing_request",
    "record_hearing_request": "cases:hearing_request_record",
    "schedule_hearing": "cases:hearing_schedule",
    "postpone_hearing": "cases:hearing_postpone",
    "name_hearing_participants": "cases:hearing_participants",
    "record_hearing_participants": "cases:hearing_participants_record",
    "record_hearing": "cases:hearing_record",
}


def _page(client, user, case):
    client.force_login(user)
    response = client.get(fresh(case).get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _hearing_form(case, day, **overrides):
    data = {
        "hearing-day": day.isoformat(),
        "hearing-time": "10:00",
        "hearing-time_zone": "Europe/Paris",
        "hearing-place": "Salle du conseil, 3 rue des Forges",
        "hearing-video_link": "",
        "hearing-participants_due_on": (day - days(7)).isoformat(),
    }
    data.update(overrides)
    return data


def test_each_hearing_form_is_on_the_page_exactly_when_the_table_makes_it_ready(client, world):
    hearing_procedure("on_request", respondent_comments_on_review=True)
    under_review = reviewed_case(world)
    disclosed = reviewed_case(world)
    disclose(disclosed, world.staff)

    def heard_on_request():
        # On request: the review commented on, a party's request, then the hearing.
        case = reviewed_case(world)
        disclose(case, world.staff)
        services.review_comment_submit(case=fresh(case), by=world.rep, text="Our comment.")
        request_hearing(case, world.rep)
        return step(case, "refer_to_hearing", world.staff)

    at_hearing = heard_on_request()
    scheduled = heard_on_request()
    set_hearing(scheduled, world.staff)
    checked = 0
    for case in (under_review, disclosed, at_hearing, scheduled):
        for user in (world.staff, world.rep):
            page = _page(client, user, case)
            offered = access.offered(user, fresh(case))
            for name, url_name in URLS.items():
                url = f'"{reverse(url_name, args=[case.number])}"'
                ready = name in offered and offered[name].ready
                assert (url in page) == ready, (case.state, user.username, name)
                checked += 1
    assert checked == 4 * 2 * len(URLS)


def test_staff_set_the_hearing_from_the_page_and_a_date_too_soon_keeps_what_was_typed(
    client, world
):
    hearing_procedure("always", hearing_notice_days=21)
    case = case_at_hearing(world)
    client.force_login(world.staff)
    url = reverse("cases:hearing_schedule", args=[case.number])

    refused = client.post(url, _hearing_form(case, today() + days(10)))

    assert refused.status_code == 400
    text = text_of(refused)
    too_soon = said(
        "The hearing cannot be set sooner than the procedure's notice of "
        "%(days)s days: the earliest date is %(day)s.",
        days=21,
        day=shown_to_client(workflow.earliest_hearing_day(fresh(case)), "DATE_FORMAT"),
    )
    assert squeezed(escape(too_soon)) in text
    assert "Salle du conseil, 3 rue des Forges" in refused.content.decode()
    assert not Hearing.objects.filter(case=case).exists()

    done = client.post(url, _hearing_form(case, today() + days(21)))

    assert done.status_code == 302
    hearing = Hearing.objects.get(case=case)
    assert hearing.time_zone == "Europe/Paris" and hearing.local_start.hour == 10
    page = _page(client, world.staff, case)
    assert "Europe/Paris" in page and "Salle du conseil" in page
    assert fresh(case).letters.filter(kind=LetterKind.NOTICE_OF_HEARING).count() == 2


def test_the_respondent_comments_on_the_disclosed_review_and_the_board_reads_it(client, world):
    hearing_procedure("off", respondent_comments_on_review=True)
    case = reviewed_case(world)
    hidden = add_fact_finding(
        case, world.staff, title="Internal note on the complainant", disclosed=False
    )
    page = _page(client, world.rep, case)
    assert fresh(case).review_report not in page  # not disclosed yet

    disclose(case, world.staff)
    page = _page(client, world.rep, case)
    assert fresh(case).review_report in page
    assert "The advert and the certification register disagree." in page
    assert hidden.title not in page

    response = client.post(
        reverse("cases:review_comment", args=[case.number]),
        {"comment-text": "The <b>finding</b> overlooks our recall notice."},
    )
    assert response.status_code == 302
    assert ReviewComment.objects.get(case=case).submitted_by == world.rep

    step(case, "refer_to_board", world.staff)
    board = _page(client, world.board[0], case)
    assert "The &lt;b&gt;finding&lt;/b&gt; overlooks our recall notice." in board


def test_the_respondent_names_its_people_and_staff_keep_the_record_from_the_page(client, world):
    hearing_procedure("always")
    case = case_at_hearing(world)
    set_hearing(case, world.staff)
    client.force_login(world.rep)

    response = client.post(
        reverse("cases:hearing_participants", args=[case.number]),
        {
            "people-role_0": "counsel",
            "people-name_0": "Ada Byrne",
            "people-detail_0": "Byrne & Co",
            "people-role_1": "witness",
            "people-name_1": "",
            "people-role_2": "witness",
            "people-role_3": "witness",
        },
    )
    assert response.status_code == 302
    assert HearingParticipant.objects.get(case=case).name == "Ada Byrne"

    hearing_day_comes(case)
    client.force_login(world.staff)
    response = client.post(
        reverse("cases:hearing_record", args=[case.number]),
        {
            "record-attended": ["Ada Byrne (counsel, the respondent)"],
            "record-others": "Rowena Quist",
            "record-minutes": minutes_file(),
            "record-disclosed": "on",
        },
    )
    assert response.status_code == 302, text_of(response)
    hearing = Hearing.objects.get(case=case)
    assert hearing.attended == ["Ada Byrne (counsel, the respondent)", "Rowena Quist"]

    case = step(case, "refer_after_hearing", world.staff)
    board = _page(client, world.board[0], case)
    minutes_url = reverse("cases:evidence_download", args=[case.number, hearing.minutes_id])
    assert "Record of the hearing of" in board and minutes_url in board
    assert client.get(minutes_url).status_code == 200


def test_a_papers_procedure_shows_no_hearing_at_all(client, world):
    case = reviewed_case(world)
    for user in (world.staff, world.rep):
        page = _page(client, user, case)
        assert 'id="hearing-h"' not in page and 'id="review-comment-h"' not in page
        for url_name in URLS.values():
            assert reverse(url_name, args=[case.number]) not in page


def test_the_referred_case_shows_the_board_the_hearing_record(client, world):
    hearing_procedure("always")
    case = heard_and_referred(world)

    page = _page(client, world.board[0], case)

    assert 'id="hearing-h"' in page and said(
        "Attended: %(names)s.", names="Rowena Quist; Helena Marsh"
    ) in page


STAFF_ROUTES = {
    "review_disclose": {},
    "hearing_request_record": {"creq-reason": "Asked by telephone."},
    "hearing_schedule": {"hearing-day": "2099-01-01"},
    "hearing_postpone": {"postpone-reason": "Unwell."},
    "hearing_participants_record": {"staffpeople-party": "complainant"},
    "hearing_record": {"record-others": "Someone"},
}


@pytest.mark.parametrize("name", sorted(STAFF_ROUTES))
def test_the_staff_forms_are_403_for_the_respondent_and_the_board_and_change_nothing(
    client, world, name
):
    from tests.factories.cases import case_snapshot

    hearing_procedure("always")
    case = heard_and_referred(world)
    url = reverse(f"cases:{name}", args=[case.number])
    before = case_snapshot(case)
    for user in (world.rep, world.board[0]):
        client.force_login(user)
        assert client.post(url, STAFF_ROUTES[name]).status_code == 403, user.username
    assert case_snapshot(case) == before


@pytest.mark.parametrize("name", ["review_comment", "hearing_request", "hearing_participants"])
def test_the_respondents_forms_are_refused_to_staff_and_change_nothing(client, world, name):
    from tests.factories.cases import case_snapshot

    hearing_procedure("on_request", respondent_comments_on_review=True)
    case = reviewed_case(world)
    disclose(case, world.staff)
    before = case_snapshot(case)
    client.force_login(world.staff)

    response = client.post(reverse(f"cases:{name}", args=[case.number]), {})

    assert response.status_code in (400, 403)
    assert case_snapshot(case) == before


def test_a_hearing_case_page_asks_the_same_queries_however_many_hearings_and_names(
    client, world, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hearing_procedure("always")
    case = case_at_hearing(world)
    set_hearing(case, world.staff)
    url = fresh(case).get_absolute_url()
    counts = {}
    for user in (world.staff, world.rep):
        client.force_login(user)
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[user.username] = len(ctx.captured_queries)

    for n in range(3):
        services.hearing_postpone(
            case=fresh(case),
            by=world.staff,
            reason=f"Postponed {n}.",
            hearing=hearing_input(case, ahead=30 + n),
        )
    services.hearing_participants_record(
        case=fresh(case),
        by=world.staff,
        party="complainant",
        participants=[services.ParticipantInput("witness", f"Witness {n}") for n in range(4)],
    )

    for user in (world.staff, world.rep):
        client.force_login(user)
        client.get(url)
        with django_assert_num_queries(counts[user.username]):
            assert client.get(url).status_code == 200
