"""The pages of sanctions a member can comply with (docs/decisions/0018): the vote
form's combined sanctions, the compliance panel for staff and the respondent, the
portal's "what we owe" and the register's default badge and filter."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import ComplianceProof, SanctionKind, Vote
from cases.services import deadlines
from tests.factories.cases import fresh, pdf
from tests.factories.compliance import COURSE, FINE, compliance_of, decided_with
from tests.factories.dates import days, shown, today
from tests.factories.language import said, shown_to_client
from tests.factories.pages import section, squeezed, text_of
from tests.factories.scenes import seated_voters, setup_board_case

pytestmark = pytest.mark.django_db
S = SanctionKind


def _vote(client, case, **data):
    return client.post(reverse("cases:vote_cast", args=[case.number]), data)


def test_the_vote_form_offers_each_compliance_sanction_with_its_terms(client, staff):
    bc = setup_board_case(staff, board=3)
    client.force_login(seated_voters(bc.case)[0])
    html = client.get(bc.case.get_absolute_url()).content.decode()
    for name in ("fine", "fine_amount", "fine_due_days", "education_what", "conditions_months"):
        assert f'name="{name}"' in html
    assert said("Amount (%(currency)s)", currency="EUR") in html


def test_a_voter_supports_a_censure_with_a_fine_and_a_course(client, staff):
    bc = setup_board_case(staff, board=3)
    voter = seated_voters(bc.case)[0]
    client.force_login(voter)
    response = _vote(
        client,
        bc.case,
        choice="violation",
        sanction="censure",
        fine="on",
        fine_amount="750",
        fine_due_days="45",
        education="on",
        education_what="Course on fair advertising",
        conditions_terms="typed but not chosen",
    )
    assert response.status_code == 302
    vote = Vote.objects.get(ballot__case=bc.case, voter=voter)
    assert vote.compliance == {
        "fine": {"amount": "750.00", "currency": "EUR", "due_days": 45},
        "education": {"what": "Course on fair advertising"},
    }
    page = client.get(bc.case.get_absolute_url()).content.decode()
    assert 'value="750' in page  # the recorded vote is shown to change


def test_a_fine_without_an_amount_is_refused_keeping_what_was_typed(client, staff):
    bc = setup_board_case(staff, board=3)
    voter = seated_voters(bc.case)[0]
    client.force_login(voter)
    response = _vote(
        client, bc.case, choice="violation", sanction="warning", fine="on", fine_due_days="20"
    )
    assert response.status_code == 400
    assert said("Needed with a fine.") in text_of(response)
    assert 'value="20"' in response.content.decode()
    assert not Vote.objects.filter(ballot__case=bc.case).exists()


def test_staff_record_a_payment_from_the_case_page(client, staff):
    bc = decided_with(staff, FINE)
    fine = compliance_of(bc.case, S.FINE)
    client.force_login(staff)
    panel = section(client.get(bc.case.get_absolute_url()), "compliance-h")
    assert "EUR 500.00" in panel and shown(fine.due_on) in panel
    response = client.post(
        reverse("cases:compliance_record", args=[bc.case.number, fine.sanction_id]),
        {
            f"compliance_record_{fine.sanction_id}-complied_on": today().isoformat(),
            f"compliance_record_{fine.sanction_id}-note": "Transfer received",
        },
    )
    assert response.status_code == 302
    assert compliance_of(bc.case, S.FINE).complied_on == today()


def test_a_future_payment_date_is_refused_on_the_page(client, staff):
    bc = decided_with(staff, FINE)
    fine = compliance_of(bc.case, S.FINE)
    client.force_login(staff)
    key = f"compliance_record_{fine.sanction_id}"
    response = client.post(
        reverse("cases:compliance_record", args=[bc.case.number, fine.sanction_id]),
        {f"{key}-complied_on": (today() + days(3)).isoformat(), f"{key}-note": "Promised"},
    )
    assert response.status_code == 400
    future = shown_to_client(today() + days(3), "DATE_FORMAT")
    assert squeezed(
        said("%(day)s is in the future: give the date it happened.", day=future)
    ) in text_of(response)
    assert "Promised" in response.content.decode()
    assert compliance_of(bc.case, S.FINE).complied_on is None


def test_the_representative_sends_proof_and_staff_accept_it_on_the_pages(client, staff):
    bc = decided_with(staff, COURSE)
    course = compliance_of(bc.case, S.EDUCATION)
    client.force_login(bc.rep)
    panel = section(client.get(bc.case.get_absolute_url()), "compliance-h")
    kind = said("Required education").lower()
    assert said("Send proof of compliance with the %(kind)s", kind=kind) in panel
    assert said("Record compliance with the %(kind)s", kind=kind) not in panel
    key = f"compliance_proof_{course.sanction_id}"
    response = client.post(
        reverse("cases:compliance_proof_upload", args=[bc.case.number, course.sanction_id]),
        {f"{key}-file": pdf("certificate.pdf"), f"{key}-description": "Certificate"},
    )
    assert response.status_code == 302
    proof = ComplianceProof.objects.get()
    # Staff download it and accept it.
    client.force_login(staff)
    download = client.get(
        reverse("cases:compliance_proof_download", args=[bc.case.number, proof.pk])
    )
    assert download.status_code == 200
    key = f"compliance_accept_{proof.pk}"
    response = client.post(
        reverse("cases:compliance_proof_accept", args=[bc.case.number, proof.pk]),
        {f"{key}-complied_on": today().isoformat(), f"{key}-note": ""},
    )
    assert response.status_code == 302
    assert compliance_of(bc.case, S.EDUCATION).complied_on == today()


def test_the_representative_cannot_record_compliance(client, staff):
    bc = decided_with(staff, FINE)
    fine = compliance_of(bc.case, S.FINE)
    client.force_login(bc.rep)
    key = f"compliance_record_{fine.sanction_id}"
    response = client.post(
        reverse("cases:compliance_record", args=[bc.case.number, fine.sanction_id]),
        {f"{key}-complied_on": today().isoformat()},
    )
    assert response.status_code == 403
    assert compliance_of(bc.case, S.FINE).complied_on is None


def test_the_portal_shows_what_is_owed_and_the_register_who_is_in_default(client, staff):
    bc = decided_with(staff, FINE)
    fine = compliance_of(bc.case, S.FINE)
    client.force_login(bc.rep)
    owed = section(client.get(reverse("portal")), "owed-h")
    assert "EUR 500.00" in owed and shown(fine.due_on) in owed

    deadlines.run(fine.due_on + days(1))
    client.force_login(staff)
    register = text_of(client.get(reverse("register") + "?in_default=on"))
    bc.organization.refresh_from_db()
    in_default = said(
        "In default since %(day)s",
        day=shown_to_client(bc.organization.in_default_since, "SHORT_DATE_FORMAT"),
    )
    assert bc.organization.name in register and in_default in register
    fresh(bc.case)
    page = text_of(client.get(reverse("organization_detail", args=[bc.organization.slug])))
    assert in_default in page and said("Overdue") in page
