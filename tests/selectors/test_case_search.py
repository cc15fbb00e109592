"""The staff case list's search box and principle filter find the right cases
(cases.selectors.case_list): a whole case number finds that case, part of a number
the cases whose number contains it, a name the cases against organizations whose name
contains it; the principle filter lists each case with an allegation under that
principle once, however many it has."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import selectors
from cases.models import Allegation, Case, CodeOfEthics, Complainant, Principle, Procedure
from tests.factories.cases import adopt_procedure
from tests.factories.dates import days, today
from tests.factories.language import said
from tests.factories.members import OrganizationFactory
from tests.factories.people import staff_user

pytestmark = pytest.mark.django_db


def make_case(number: str, respondent, staff, *, state: str = "under_review") -> Case:
    return Case.objects.create(
        number=number,
        state=state,
        respondent=respondent,
        complainant=Complainant.objects.create(kind="person", name=f"Complainant {number}"),
        procedure=Procedure.objects.first() or adopt_procedure(),
        case_officer=staff,
        filed_by=staff,
        summary=f"Complaint {number}",
        conduct_known_on=today() - days(30),
    )


def allege(case: Case, principle: Principle) -> Allegation:
    return Allegation.objects.create(
        case=case,
        principle=principle,
        conduct="Advertised a robot as certified safe.",
        conduct_from=today() - days(90),
        conduct_to=today() - days(60),
    )


@pytest.fixture
def staff(db):
    return staff_user("search.staff")


@pytest.fixture
def docket(staff):
    """Cases against three organizations, numbered so that some numbers contain
    others ("2026-1000" is the start of "2026-10000")."""
    acme = OrganizationFactory(name="Acme Robotics", slug="acme-robotics")
    harrow = OrganizationFactory(name="Harrow Conveyors", slug="harrow-conveyors")
    # A name with digits in it: a numeric query also searches names.
    works = OrganizationFactory(name="Works 2026 Ltd", slug="works-2026")
    return {
        "2025-0042": make_case("2025-0042", acme, staff),
        "2025-0100": make_case("2025-0100", works, staff),
        "2026-0001": make_case("2026-0001", acme, staff),
        "2026-0042": make_case("2026-0042", harrow, staff, state="closed"),
        "2026-1000": make_case("2026-1000", harrow, staff),
        "2026-10000": make_case("2026-10000", harrow, staff),
    }


def found(staff, **filters) -> list[str]:
    return sorted(c.number for c in selectors.case_list(user=staff, **filters))


def test_a_whole_case_number_finds_that_case(staff, docket):
    assert found(staff, query="2026-0042") == ["2026-0042"]
    assert found(staff, query="2026-10000") == ["2026-10000"]


def test_a_whole_case_number_finds_only_that_case_not_longer_numbers_starting_with_it(
    staff, docket
):
    assert found(staff, query="2026-1000") == ["2026-1000"]


def test_a_whole_case_number_with_surrounding_spaces_still_finds_it(staff, docket):
    assert found(staff, query="  2026-0001 ") == ["2026-0001"]


def test_an_unknown_whole_case_number_finds_nothing(staff, docket):
    assert found(staff, query="2024-0001") == []


def test_part_of_a_case_number_finds_every_case_whose_number_contains_it(staff, docket):
    assert found(staff, query="2026-00") == ["2026-0001", "2026-0042"]
    assert found(staff, query="0042") == ["2025-0042", "2026-0042"]
    assert found(staff, query="100") == ["2025-0100", "2026-1000", "2026-10000"]
    assert found(staff, query="-100") == ["2026-1000", "2026-10000"]


def test_a_year_finds_its_cases_and_those_of_organizations_named_with_it(staff, docket):
    assert found(staff, query="2026") == [
        "2025-0100",  # against Works 2026 Ltd
        "2026-0001",
        "2026-0042",
        "2026-1000",
        "2026-10000",
    ]


def test_a_name_finds_the_cases_against_organizations_whose_name_contains_it(staff, docket):
    assert found(staff, query="harrow") == ["2026-0042", "2026-1000", "2026-10000"]
    assert found(staff, query="ROBOTICS") == ["2025-0042", "2026-0001"]
    assert found(staff, query="Conveyors") == ["2026-0042", "2026-1000", "2026-10000"]


def test_a_name_matches_no_case_number_and_a_number_no_other_name(staff, docket):
    assert found(staff, query="Acme 2026") == []
    assert found(staff, query="nobody") == []


def test_search_combines_with_the_stage_filter(staff, docket):
    assert found(staff, query="harrow", state="under_review") == ["2026-1000", "2026-10000"]
    assert found(staff, query="2026-0042", state="under_review") == []


def test_the_case_list_page_searches_by_number_and_by_name(client, staff, docket):
    client.force_login(staff)
    url = reverse("cases:case_list")
    by_number = client.get(url, {"q": "2026-0042"})
    assert [c.number for c in by_number.context["page"]] == ["2026-0042"]
    by_name = client.get(url, {"q": "acme"})
    assert sorted(c.number for c in by_name.context["page"]) == ["2025-0042", "2026-0001"]


@pytest.fixture
def principles(db):
    code = CodeOfEthics.objects.create(
        version="search-1", title="Code", adopted_on=today() - days(3650)
    )
    return [
        Principle.objects.create(
            code=code,
            number=f"S{n}",
            title=f"Principle {n}",
            text="...",
            effective_on=code.adopted_on,
        )
        for n in (1, 2, 3)
    ]


def test_the_principle_filter_lists_each_case_with_such_an_allegation_once(
    staff, docket, principles
):
    s1, s2, s3 = principles
    allege(docket["2025-0042"], s1)
    allege(docket["2025-0042"], s1)  # two allegations under S1: still one row
    allege(docket["2025-0042"], s2)
    allege(docket["2026-0001"], s2)
    allege(docket["2026-0042"], s1)

    assert found(staff, principle=s1) == ["2025-0042", "2026-0042"]
    assert found(staff, principle=s2) == ["2025-0042", "2026-0001"]
    assert found(staff, principle=s3) == []
    assert selectors.case_list(user=staff, principle=s1).count() == 2


def test_the_principle_filter_combines_with_search_and_stage(staff, docket, principles):
    s1, _, _ = principles
    allege(docket["2025-0042"], s1)
    allege(docket["2026-0042"], s1)
    allege(docket["2026-1000"], s1)

    assert found(staff, principle=s1, query="harrow") == ["2026-0042", "2026-1000"]
    assert found(staff, principle=s1, query="harrow", state="closed") == ["2026-0042"]
    assert found(staff, principle=s1, query="0042") == ["2025-0042", "2026-0042"]


def test_the_case_list_page_filters_by_principle(client, staff, docket, principles):
    s1, _, _ = principles
    allege(docket["2026-1000"], s1)
    allege(docket["2026-1000"], s1)
    client.force_login(staff)
    response = client.get(reverse("cases:case_list"), {"principle": s1.pk})
    assert [c.number for c in response.context["page"]] == ["2026-1000"]
    assert response.context["page"].count == 1


def test_the_case_list_filters_by_respondent_and_names_it(client, staff, docket):
    client.force_login(staff)
    url = reverse("cases:case_list")
    response = client.get(url, {"respondent": "harrow-conveyors", "state": "under_review"})
    assert sorted(c.number for c in response.context["page"]) == ["2026-1000", "2026-10000"]
    html = response.content.decode()
    assert f"{said('Respondent:')} <strong>Harrow Conveyors</strong>" in html
    assert said("any respondent") in html


def test_an_unknown_respondent_is_named_and_the_other_filters_still_apply(client, staff, docket):
    client.force_login(staff)
    response = client.get(
        reverse("cases:case_list"), {"respondent": "no-such-company", "q": "acme"}
    )
    assert said("No organization in the register has the address %(slug)s.", slug="no-such-company") in (
        response.content.decode()
    )
    assert sorted(c.number for c in response.context["page"]) == ["2025-0042", "2026-0001"]


def test_the_organization_page_links_to_all_its_cases(client, staff, docket):
    client.force_login(staff)
    html = client.get("/register/harrow-conveyors/").content.decode()
    assert f'{reverse("cases:case_list")}?respondent=harrow-conveyors' in html
