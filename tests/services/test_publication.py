"""Publication of final decisions (cases.services.publication, docs/decisions/0023):
only what the procedure allows appears on the public pages, only once the decision is
final, and it disappears when its period ends; staff may withhold it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, Procedure, Publication
from cases.services import deadlines
from cases.services.record import verify_case_record
from tests.factories.cases import adopt_procedure, event_kinds, fresh
from tests.factories.dates import days, today
from tests.factories.language import said, shown_to_client
from tests.factories.pages import squeezed, text_of
from tests.factories.scenes import sanctioned_case

pytestmark = pytest.mark.django_db

SUMMARY = "Misleading safety claims in advertising"


def decided(staff, level: str, period: int = 30):
    adopt_procedure(publication=level, publication_period_days=period)
    return sanctioned_case(staff, "censure")


def window_passed(case) -> None:
    Case.objects.filter(pk=case.pk).update(appeal_deadline=today() - days(1))


def public_pages(client, bc) -> tuple[str, str]:
    decisions = text_of(client.get(reverse("public_decisions")))
    verify = text_of(client.get(reverse("public_verify", args=[bc.organization.slug])))
    return decisions, verify


def test_nothing_is_published_before_the_decision_is_final(client, staff):
    bc = decided(staff, "name")
    assert deadlines.run()["decisions published"] == 0
    decisions, verify = public_pages(client, bc)
    assert bc.organization.name not in decisions and "Censure" not in decisions
    assert "Censure" not in verify


def test_the_sanction_and_principle_without_names(client, staff):
    bc = decided(staff, "sanction")
    window_passed(bc.case)
    done = deadlines.run()  # finalizes, then publishes
    assert done["cases finalized"] == 1 and done["decisions published"] == 1
    decisions, verify = public_pages(client, bc)
    assert "Censure" in decisions and "Truthful advertising" in decisions
    assert bc.organization.name not in decisions and SUMMARY not in decisions
    # Without names the entry must not be tied to the member on its own page.
    assert "Censure" not in verify
    assert event_kinds(bc.case)[-1] == "decision_published"
    assert verify_case_record(fresh(bc.case)).ok


def test_the_name_and_summary_where_the_procedure_publishes_them(client, staff):
    bc = decided(staff, "name")
    window_passed(bc.case)
    deadlines.run()
    decisions, verify = public_pages(client, bc)
    assert bc.organization.name in decisions and SUMMARY in decisions
    assert "Censure" in verify and SUMMARY in verify
    # No party but the respondent, no vote, no case number.
    assert bc.case.number not in decisions and "Dana Whitfield" not in decisions


def test_a_procedure_that_publishes_nothing_publishes_nothing(client, staff):
    bc = decided(staff, "nothing")
    window_passed(bc.case)
    assert deadlines.run()["decisions published"] == 0
    assert not Publication.objects.exists()
    assert "Censure" not in public_pages(client, bc)[0]


def test_the_entry_comes_down_when_its_period_ends(client, staff):
    bc = decided(staff, "name", period=30)
    window_passed(bc.case)
    deadlines.run()
    publication = Publication.objects.get(case=bc.case)
    assert publication.ends_on == today() + days(30)
    # On its last day it is still there; after it, the job takes it down.
    assert deadlines.run(today() + days(30))["publications taken down"] == 0
    assert deadlines.run(today() + days(31))["publications taken down"] == 1
    assert deadlines.run(today() + days(31))["publications taken down"] == 0
    decisions, verify = public_pages(client, bc)
    assert bc.organization.name not in decisions and "Censure" not in verify
    assert event_kinds(bc.case)[-1] == "publication_taken_down"


def test_withheld_before_publication_it_is_never_published(client, staff):
    bc = decided(staff, "name")
    services.publication_withhold(case=fresh(bc.case), by=staff, reason="A court order.")
    window_passed(bc.case)
    assert deadlines.run()["decisions published"] == 0
    assert bc.organization.name not in public_pages(client, bc)[0]
    assert "publication_withheld" in event_kinds(bc.case)


def test_withheld_after_publication_it_comes_down_at_once(client, staff):
    bc = decided(staff, "name")
    window_passed(bc.case)
    deadlines.run()
    services.publication_withhold(case=fresh(bc.case), by=staff, reason="A court order.")
    decisions, verify = public_pages(client, bc)
    assert bc.organization.name not in decisions and "Censure" not in verify
    last = CaseEvent.objects.filter(case=bc.case).order_by("-sequence").first()
    assert last.kind == "publication_withheld" and last.payload["was_published"] is True


def test_withholding_needs_staff_and_a_reason_and_a_refusal_records_nothing(staff):
    bc = decided(staff, "name")
    before = CaseEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.publication_withhold(case=fresh(bc.case), by=bc.rep, reason="Please.")
    with pytest.raises(ValidationError, match="a written reason is required"):
        services.publication_withhold(case=fresh(bc.case), by=staff, reason="  ")
    assert CaseEvent.objects.count() == before and not Publication.objects.exists()


def test_a_procedure_that_publishes_nothing_offers_no_withholding(staff):
    bc = decided(staff, "nothing")
    with pytest.raises(services.TransitionRefused, match="publishes nothing"):
        services.publication_withhold(case=fresh(bc.case), by=staff, reason="A court order.")


def test_the_staff_page_withholds_and_a_refused_form_keeps_its_text(staff_client, staff):
    bc = decided(staff, "name")
    url = reverse("cases:publication_withhold", args=[bc.case.number])
    page = staff_client.get(bc.case.get_absolute_url())
    assert said("Withhold the decision from publication") in text_of(page)
    refused = staff_client.post(url, {"withhold-reason": ""})
    assert refused.status_code == 400
    response = staff_client.post(url, {"withhold-reason": "A court order of 3 May."})
    assert response.status_code == 302
    page = text_of(staff_client.get(bc.case.get_absolute_url()))
    withheld = Publication.objects.get(case=bc.case)
    assert squeezed(
        said(
            "Withheld from publication on %(day)s by %(name)s: %(reason)s",
            day=shown_to_client(timezone.localtime(withheld.withheld_at), "DATE_FORMAT"),
            name=staff.get_full_name() or staff.username,
            reason="A court order of 3 May.",
        )
    ) in page


def test_a_procedure_that_publishes_for_no_days_is_refused(db):
    procedure = Procedure(version=99, in_force_from=today(), publication="name")
    procedure.publication_period_days = 0
    assert "A decision that is published must stay published at least one day." in (
        procedure.problems()
    )
    procedure.publication = "nothing"
    assert procedure.problems() == []
