"""Linked cases: staff link related complaints (the same conduct, a counter-complaint);
each case keeps its own record, which records the link and still verifies."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import services
from cases.models import CaseEvent, CaseLink
from cases.selectors import links_of
from tests.factories.cases import file_case, fresh
from tests.factories.language import said

pytestmark = pytest.mark.django_db


def test_staff_link_two_cases_and_both_records_say_so_and_verify(staff):
    one, two = file_case(by=staff), file_case(by=staff)

    link = services.case_link(
        case=one,
        other_number=two.number,
        kind="counter_complaint",
        reason="The respondent complained back the same week.",
        by=staff,
    )

    for case, other in ((one, two), (two, one)):
        event = CaseEvent.objects.get(case=case, kind="case_linked")
        assert event.payload["other_case"] == other.number
        assert services.verify_case_record(fresh(case)).ok
        assert [o.number for _, o in links_of(case)] == [other.number]
    assert link.kind == "counter_complaint"


@pytest.mark.parametrize(
    "other, why",
    [("self", "cannot be linked to itself"), ("2099-9999", "There is no case 2099-9999")],
)
def test_a_bad_link_is_refused_and_nothing_is_written(staff, other, why):
    case = file_case(by=staff)
    events = CaseEvent.objects.count()

    with pytest.raises(ValidationError, match=why):
        services.case_link(
            case=case,
            other_number=case.number if other == "self" else other,
            kind="related",
            reason="Related.",
            by=staff,
        )

    assert CaseEvent.objects.count() == events and not CaseLink.objects.exists()


def test_the_same_pair_is_linked_once_whichever_way(staff):
    one, two = file_case(by=staff), file_case(by=staff)
    services.case_link(case=one, other_number=two.number, kind="related", reason="R.", by=staff)

    with pytest.raises(ValidationError, match="already linked"):
        services.case_link(case=two, other_number=one.number, kind="related", reason="R.", by=staff)


def test_only_staff_link_cases_and_a_reason_is_required(staff, board_member):
    one, two = file_case(by=staff), file_case(by=staff)

    with pytest.raises(PermissionDenied):
        services.case_link(
            case=one, other_number=two.number, kind="related", reason="R.", by=board_member
        )
    with pytest.raises(ValidationError, match="written reason"):
        services.case_link(case=one, other_number=two.number, kind="related", reason=" ", by=staff)
    assert not CaseLink.objects.exists()


def test_the_staff_page_lists_links_and_keeps_a_refused_form(client, staff):
    one, two = file_case(by=staff), file_case(by=staff)
    client.force_login(staff)

    refused = client.post(
        reverse("cases:case_link", args=[one.number]),
        {
            "link-other_number": "2099-9999",
            "link-kind": "related",
            "link-reason": "Typed with care.",
        },
    )
    assert refused.status_code == 400
    assert said("There is no case %(number)s.", number="2099-9999") in refused.content.decode()
    assert "Typed with care." in refused.content.decode()

    client.post(
        reverse("cases:case_link", args=[one.number]),
        {
            "link-other_number": two.number,
            "link-kind": "same_conduct",
            "link-reason": "Same advert.",
        },
    )
    page = client.get(two.get_absolute_url()).content.decode()
    assert said("Case %(number)s", number=one.number) in page
    assert said("About the same conduct").lower() in page
