"""Facts the record must get right: when the complaint was received, which part of
the conduct a principle covers, and how many independent sources the evidence has."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import rendering, services, workflow
from cases.models import Case, CaseEvent, EvidenceSource, LetterKind
from tests.factories.cases import (
    PrincipleFactory,
    allegation,
    evidence_input,
    file_case,
    fresh,
    open_review,
    pdf,
)
from tests.factories.dates import days, shown, today
from tests.factories.language import said, shown_to_client
from tests.factories.members import OrganizationFactory, representative_of

pytestmark = pytest.mark.django_db


def check(case, rule: str) -> workflow.Check:
    return workflow.RULES[rule](fresh(case))


# ---------------------------------------------------------------------------
# Received on
# ---------------------------------------------------------------------------


def test_the_filing_deadline_counts_from_the_day_the_complaint_was_received(staff):
    # Known 200 days ago, received 30 days later (in time), entered only today.
    known_on = today() - days(200)
    case = file_case(
        by=staff, conduct_known_on=known_on, received_on=known_on + days(30), received_via="post"
    )

    result = check(case, "filed_in_time")

    assert result.holds
    assert f"Received on {shown(known_on + days(30))}" in result.reason
    assert open_review(case, staff).state == "under_review"


def test_a_complaint_received_after_the_deadline_is_late_even_if_entered_the_same_day(staff):
    known_on = today() - days(200)
    case = file_case(by=staff, conduct_known_on=known_on, received_on=today() - days(1))

    result = check(case, "filed_in_time")

    assert not result.holds
    assert f"Received on {shown(today() - days(1))}, after the filing deadline" in result.reason


def test_a_received_date_after_the_day_of_entry_is_refused_and_nothing_is_filed(staff):
    before = Case.objects.count()

    with pytest.raises(ValidationError) as refused:
        file_case(by=staff, received_on=today() + days(1))

    assert "cannot be after today, the day it is entered" in refused.value.messages[0]
    assert Case.objects.count() == before


def test_the_record_keeps_the_received_date_and_the_moment_of_entry(staff):
    case = file_case(by=staff, received_on=today() - days(10), received_via="email")

    filed = CaseEvent.objects.get(case=case, kind="filed")

    assert filed.payload["received_on"] == (today() - days(10)).isoformat()
    assert filed.payload["received_via"] == "email"
    assert filed.at.date() >= today() - days(1)  # entered now
    assert fresh(case).received_by == staff


def test_the_acknowledgement_gives_the_received_date(staff):
    case = file_case(by=staff, received_on=today() - days(10))

    html = rendering.render_html(
        fresh(case), LetterKind.ACKNOWLEDGEMENT, rendering.complainant_recipient(fresh(case))
    )

    assert f"received on {shown(today() - days(10))}" in html


def test_the_complaint_form_asks_when_and_how_the_complaint_was_received(client, staff):
    client.force_login(staff)
    page = client.get("/cases/new/").content.decode()
    assert 'name="received_on"' in page and 'name="received_via"' in page


# ---------------------------------------------------------------------------
# Conduct that straddles a principle's effective date
# ---------------------------------------------------------------------------

EFFECTIVE = datetime.date(2020, 7, 1)


@pytest.fixture
def straddling_case(staff):
    principle = PrincipleFactory(number="9", title="Fair pricing", effective_on=EFFECTIVE)
    respondent = OrganizationFactory(joined_on=datetime.date(2010, 1, 1))
    return file_case(
        by=staff,
        respondent=respondent,
        allegations=[
            allegation(
                principle,
                conduct_from=datetime.date(2019, 6, 1),
                conduct_to=datetime.date(2020, 9, 30),
            )
        ],
        conduct_known_on=today() - days(30),
    )


def test_the_checklist_names_the_conduct_a_principle_cannot_cover(straddling_case):
    result = check(straddling_case, "principles_in_effect")

    assert result.holds  # the case goes on, for the covered part
    assert "conduct before 1 July 2020 cannot be considered under principle 9" in result.reason
    assert "only 1 July 2020 to 30 September 2020 is considered" in result.reason


def test_the_notice_and_the_case_page_state_the_period_considered(client, staff, straddling_case):
    case = open_review(straddling_case, staff)
    a = fresh(case).allegations.get()
    assert a.partly_before_principle and a.considered_from == EFFECTIVE

    html = rendering.render_html(
        fresh(case), LetterKind.NOTICE_OF_COMPLAINT, rendering.respondent_recipient(fresh(case))
    )
    client.force_login(staff)
    page = client.get(case.get_absolute_url()).content.decode()

    assert "Period considered:</strong> 1 July 2020 to 30 September 2020" in html
    assert said(
        "Period considered: %(start)s to %(end)s. Conduct before %(effective)s, when principle "
        "%(number)s took effect, cannot be considered under it.",
        start=shown_to_client(a.considered_from, "SHORT_DATE_FORMAT"),
        end=shown_to_client(a.conduct_to, "SHORT_DATE_FORMAT"),
        effective=shown_to_client(a.principle.effective_on, "SHORT_DATE_FORMAT"),
        number=a.principle.number,
    ) in page


def test_conduct_entirely_before_the_principle_is_still_refused(staff):
    principle = PrincipleFactory(number="10", effective_on=EFFECTIVE)
    case = file_case(
        by=staff,
        respondent=OrganizationFactory(joined_on=datetime.date(2010, 1, 1)),
        allegations=[
            allegation(
                principle,
                conduct_from=datetime.date(2019, 1, 1),
                conduct_to=datetime.date(2019, 12, 31),
            )
        ],
    )

    result = check(case, "principles_in_effect")

    assert not result.holds and "cannot be applied retroactively" in result.reason


# ---------------------------------------------------------------------------
# Independent sources
# ---------------------------------------------------------------------------


def test_two_items_from_one_outlet_count_once(staff):
    case = file_case(
        by=staff,
        evidence=[
            evidence_input(pdf("article-1.pdf", b"one"), producer="Daily Courier"),
            evidence_input(
                pdf("article-2.pdf", b"two"),
                source=EvidenceSource.STAFF,
                producer="  daily   courier ",
            ),
        ],
    )

    assert workflow.independent_producers(fresh(case)) == ["Daily Courier"]
    assert not check(case, "single_source_acknowledged").holds


def test_an_independent_public_record_makes_two_sources(staff):
    case = file_case(
        by=staff, evidence=[evidence_input(pdf("article.pdf"), producer="Daily Courier")]
    )
    services.evidence_add(
        case=fresh(case),
        by=staff,
        evidence=evidence_input(
            pdf("registry.pdf", b"reg"),
            source=EvidenceSource.PUBLIC_RECORD,
            producer="Companies Registry",
        ),
    )

    result = check(case, "single_source_acknowledged")

    assert result.holds
    assert "2 independent sources: Daily Courier; Companies Registry" in result.reason


def test_a_respondent_attachment_never_makes_a_second_source(staff, organization):
    rep = representative_of(organization)
    case = open_review(file_case(by=staff, respondent=organization), staff)
    services.response_submit(
        case=fresh(case), by=rep, text="Our own test report.", attachments=[pdf("ours.pdf", b"x")]
    )

    assert len({e.source for e in fresh(case).evidence.all()}) == 2
    assert not check(case, "single_source_acknowledged").holds
    assert (
        "the respondent's own material does not count"
        in check(case, "single_source_acknowledged").reason
    )
