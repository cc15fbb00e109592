"""Forms on the case pages: a rejected form says what is wrong, keeps what was typed and
changes nothing; a refused step names the rule that failed."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, Evidence, Response
from cases.uploads import TYPE_NAMES
from tests.factories.cases import (
    adopt_procedure,
    big_pdf,
    case_snapshot,
    ensure_principle,
    fresh,
    open_review,
    pdf,
    stored_files,
)
from tests.factories.dates import days, today
from tests.factories.language import in_client_language, said, said_p, shown_to_client
from tests.factories.pages import squeezed, text_of
from tests.factories.scenes import case_with_exhibits, cast

pytestmark = pytest.mark.django_db

SUMMARY = "Sold refurbished servo drives as new to a hospital supplier"
CONDUCT = "Relabelled refurbished drives with new serial plates and sold them as new."


@pytest.fixture
def c(db):
    adopt_procedure()
    ensure_principle()
    return cast(board=0)


def _formset(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }


def complaint_data(c, *, allegation=None, evidence_file=None, **overrides) -> dict:
    """What the browser sends for a complete complaint: one allegation, one exhibit, and
    the blank extra rows with their select boxes at their defaults."""
    allegation = allegation or {}
    data = {
        "respondent": c.organization.name,
        "summary": SUMMARY,
        "conduct_known_on": (today() - days(30)).isoformat(),
        "case_officer": str(c.staff.pk),
        "late_acceptance_reason": "",
        "complainant_kind": "organization",
        "complainant_name": "Philippa Thistlewood",
        "complainant_organization_name": "Conveyor Safety Gazette",
        "complainant_member": "",
        "complainant_email": "p.thistlewood@conveyor-gazette.example",
        "complainant_phone": "",
        "complainant_address": "",
        **_formset("allegations", 2),
        "allegations-0-principle": str(ensure_principle().pk),
        "allegations-0-conduct": allegation.get("conduct", CONDUCT),
        "allegations-0-conduct_from": allegation.get(
            "conduct_from", (today() - days(90)).isoformat()
        ),
        "allegations-0-conduct_to": allegation.get("conduct_to", (today() - days(60)).isoformat()),
        "allegations-1-principle": "",
        "allegations-1-conduct": "",
        "allegations-1-conduct_from": "",
        "allegations-1-conduct_to": "",
        **_formset("evidence", 2),
        "evidence-0-file": evidence_file or pdf("invoice.pdf", b"The hospital's invoice."),
        "evidence-0-title": "The hospital's invoice",
        "evidence-0-kind": "file",
        "evidence-0-source": "complainant",
        "evidence-0-disclosed_to_respondent": "on",
        "evidence-1-kind": "file",
        "evidence-1-source": "complainant",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------
# The complaint form
# ---------------------------------------------------------------------------


def test_complete_complaint_is_filed(client, c):
    """The control: the payload the rejection tests alter is accepted as it is."""
    client.force_login(c.staff)
    response = client.post(reverse("cases:complaint_new"), complaint_data(c))
    case = Case.objects.get()
    # The complainant's access code is shown once, with the way on to the case.
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    code = response.context["code"]
    assert services.access_code_check(case.number, code) is not None
    assert case.get_absolute_url() in response.content.decode()
    assert case.summary == SUMMARY
    assert case.evidence.count() == 1


def test_unknown_respondent_is_rejected_and_the_form_keeps_what_was_typed(client, c):
    client.force_login(c.staff)
    response = client.post(
        reverse("cases:complaint_new"), complaint_data(c, respondent="Nonexistent Widgets Ltd")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        said(
            "No organization in the register is called “%(name)s”.", name="Nonexistent Widgets Ltd"
        )
        in html
    )
    assert f'value="{SUMMARY}"' in html
    assert 'value="Nonexistent Widgets Ltd"' in html
    assert CONDUCT in html
    assert Case.objects.count() == 0


def test_rejected_complaint_names_the_files_to_attach_again(client, c):
    """Browsers cannot send a file again by themselves: the page says which to choose."""
    client.force_login(c.staff)
    response = client.post(
        reverse("cases:complaint_new"), complaint_data(c, respondent="Nonexistent Widgets Ltd")
    )
    assert response.status_code == 400
    again = said(
        "Files are not kept when a form is refused: attach %(names)s again.", names="invoice.pdf"
    )
    assert squeezed(again) in text_of(response)
    assert Evidence.objects.count() == 0


def test_allegation_ending_before_it_starts_is_rejected(client, c):
    client.force_login(c.staff)
    data = complaint_data(
        c,
        allegation={
            "conduct_from": (today() - days(60)).isoformat(),
            "conduct_to": (today() - days(90)).isoformat(),
        },
    )
    response = client.post(reverse("cases:complaint_new"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert said("The conduct period ends before it starts.") in html
    assert f'value="{SUMMARY}"' in html
    assert CONDUCT in html
    assert Case.objects.count() == 0
    assert Evidence.objects.count() == 0


def test_complaint_without_an_allegation_is_rejected(client, c):
    client.force_login(c.staff)
    data = complaint_data(
        c,
        **{
            "allegations-0-principle": "",
            "allegations-0-conduct": "",
            "allegations-0-conduct_from": "",
            "allegations-0-conduct_to": "",
        },
    )
    response = client.post(reverse("cases:complaint_new"), data)
    assert response.status_code == 400
    assert said("A complaint needs at least one allegation.") in response.content.decode()
    assert f'value="{SUMMARY}"' in response.content.decode()
    assert Case.objects.count() == 0


# ---------------------------------------------------------------------------
# Uploads over the size limit
# ---------------------------------------------------------------------------

LIMIT = 2048


TOO_BIG = "“%(name)s” is %(size)s; the upload size limit is %(limit)s."


def size_shown(n: int) -> str:
    """A file size as the client reads it ("2.0 KB" / "2,0 Ko")."""
    with in_client_language():
        return filesizeformat(n)


@pytest.fixture
def small_limit(settings):
    settings.PROBITY_UPLOAD_MAX_BYTES = LIMIT
    return size_shown(LIMIT)


def test_complaint_with_an_oversized_file_is_rejected_and_nothing_is_stored(
    client, c, small_limit, tmp_path
):
    client.force_login(c.staff)
    before = stored_files(tmp_path)
    data = complaint_data(c, evidence_file=big_pdf("scan.pdf", 4 * LIMIT))
    response = client.post(reverse("cases:complaint_new"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert said(TOO_BIG, name="scan.pdf", size=size_shown(4 * LIMIT), limit=small_limit) in html
    assert f'value="{SUMMARY}"' in html
    assert Case.objects.count() == 0
    assert Evidence.objects.count() == 0
    assert stored_files(tmp_path) == before


def test_staff_evidence_over_the_limit_is_rejected_and_nothing_is_stored(
    client, c, small_limit, tmp_path
):
    case = case_with_exhibits(c.staff, c.organization)
    before, files = case_snapshot(case), stored_files(tmp_path)
    client.force_login(c.staff)
    response = client.post(
        reverse("cases:evidence_add", args=[case.number]),
        {
            "fact-file": big_pdf("site-visit.pdf", LIMIT + 1),
            "fact-title": "Site visit photographs",
            "fact-kind": "file",
            "fact-source": "staff",
        },
    )
    assert response.status_code == 400
    too_big = said(TOO_BIG, name="site-visit.pdf", size=size_shown(LIMIT + 1), limit=small_limit)
    assert too_big in response.content.decode()
    assert case_snapshot(case) == before
    assert stored_files(tmp_path) == files

    # the same form with a file under the limit is accepted
    ok = client.post(
        reverse("cases:evidence_add", args=[case.number]),
        {
            "fact-file": pdf("site-visit.pdf", b"Small."),
            "fact-title": "Site visit photographs",
            "fact-kind": "file",
            "fact-source": "staff",
        },
    )
    assert ok.status_code == 302
    assert Evidence.objects.filter(case=case, title="Site visit photographs").exists()


def test_response_attachment_over_the_limit_is_rejected_and_nothing_is_stored(
    client, c, small_limit, tmp_path
):
    case = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    before, files = case_snapshot(case), stored_files(tmp_path)
    client.force_login(c.rep)
    response = client.post(
        reverse("cases:response_submit", args=[case.number]),
        {
            "text": "Our answer, with the full test log.",
            "attachments": [big_pdf("log.pdf", 3 * LIMIT)],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert said(TOO_BIG, name="log.pdf", size=size_shown(3 * LIMIT), limit=small_limit) in html
    assert "Our answer, with the full test log." in html
    assert case_snapshot(case) == before
    assert stored_files(tmp_path) == files


def test_evidence_of_a_refused_type_is_rejected_naming_the_accepted_types(client, c, tmp_path):
    case = case_with_exhibits(c.staff, c.organization)
    before, files = case_snapshot(case), stored_files(tmp_path)
    client.force_login(c.staff)
    response = client.post(
        reverse("cases:evidence_add", args=[case.number]),
        {
            "fact-file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00binary"),
            "fact-title": "A program",
            "fact-kind": "file",
            "fact-source": "staff",
        },
    )
    assert response.status_code == 400
    text = text_of(response)
    with in_client_language():
        accepted_types = ", ".join(
            str(TYPE_NAMES[t]) for t in settings.PROBITY_UPLOAD_ALLOWED_TYPES
        )
    refused = said(
        "“%(name)s” is of a type that is not accepted: %(type)s. Accepted types: %(accepted)s.",
        name="tool.exe",
        type=said("unrecognised binary file"),
        accepted=accepted_types,
    )
    assert squeezed(refused) in text
    assert case_snapshot(case) == before
    assert stored_files(tmp_path) == files


# ---------------------------------------------------------------------------
# Workflow steps from the case page
# ---------------------------------------------------------------------------


def _step(client, case, name, *, expected_state=None, reason=""):
    return client.post(
        reverse("cases:case_step", args=[case.number, name]),
        {"expected_state": expected_state or case.state, "reason": reason, "confirmed": "yes"},
    )


def _step_form_errors(response, name) -> list[str]:
    for action, form in response.context["actions"]:
        if action.step.name == name:
            return list(form.non_field_errors())
    raise AssertionError(f"no {name} form on the page")


def test_refused_referral_returns_400_with_the_failing_rules_and_changes_nothing(client, c):
    case = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    due = fresh(case).response_due_on
    before = case_snapshot(case)
    client.force_login(c.staff)

    response = _step(client, case, "refer_to_board")

    assert response.status_code == 400
    window = said(
        "Response window open until %(day)s; no response received yet.", day=shown_to_client(due)
    )
    errors = _step_form_errors(response, "refer_to_board")
    assert window in errors
    no_finding = "Allegation %(i)s (principle %(number)s) has no finding yet."
    assert said(no_finding, i=1, number=3) in errors
    assert said("The review report is not written yet.") in errors
    assert squeezed(window) in text_of(response)
    assert case_snapshot(case) == before
    assert fresh(case).state == "under_review"


def test_step_with_a_stale_expected_state_says_the_case_moved_on(client, c):
    case = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    before = case_snapshot(case)
    client.force_login(c.staff)

    # the page was loaded while the case was filed; someone opened the review since
    response = _step(client, case, "dismiss", expected_state="filed", reason="Out of scope.")

    assert response.status_code == 409
    moved_on = said(
        "This case has moved on: it is now %(state)s. Reload the page to see what changed.",
        state=said_p("case state", "Under review").lower(),
    )
    assert squeezed(moved_on) in text_of(response)
    assert "Out of scope." in response.content.decode()
    assert case_snapshot(case) == before


def test_dismissal_without_a_reason_is_refused(client, c):
    case = case_with_exhibits(c.staff, c.organization)
    before = case_snapshot(case)
    client.force_login(c.staff)
    response = _step(client, case, "dismiss", reason="  ")
    assert response.status_code == 400
    required = said(
        "%(label)s: a written reason is required.",
        label=said("Dismiss the complaint"),
    )
    assert squeezed(required) in text_of(response)
    assert case_snapshot(case) == before


def test_step_that_holds_moves_the_case(client, c):
    """The control: the same request with a current state and a reason goes through."""
    case = case_with_exhibits(c.staff, c.organization)
    client.force_login(c.staff)
    response = _step(client, case, "dismiss", reason="The conduct is outside the code.")
    assert response.status_code == 302
    assert fresh(case).state == "dismissed"


# ---------------------------------------------------------------------------
# The response window
# ---------------------------------------------------------------------------


def test_late_response_is_refused_with_the_date(client, c):
    case = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    closed_on = today() - days(2)
    Case.objects.filter(pk=case.pk).update(response_due_on=closed_on)
    before = case_snapshot(case)
    client.force_login(c.rep)

    response = client.post(
        reverse("cases:response_submit", args=[case.number]), {"text": "Sorry we are late."}
    )

    assert response.status_code == 400
    closed = said(
        "The response window closed on %(day)s. Ask the ethics staff to "
        "reopen it if you need to respond late.",
        day=shown_to_client(closed_on),
    )
    assert squeezed(closed) in text_of(response)
    assert case_snapshot(case) == before
    assert not Response.objects.filter(case=case).exists()


def test_response_within_the_window_is_received(client, c):
    case = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    client.force_login(c.rep)
    response = client.post(
        reverse("cases:response_submit", args=[case.number]),
        {"text": "We dispute it.", "attachments": [pdf("reply.pdf", b"Our reply.")]},
    )
    assert response.status_code == 302
    answer = Response.objects.get(case=case)
    assert answer.text == "We dispute it."
    assert answer.attachments.count() == 1
    assert CaseEvent.objects.filter(case=case, kind="response_submitted").exists()


def test_staff_reopening_the_window_lets_a_late_response_in(client, c):
    case = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    Case.objects.filter(pk=case.pk).update(response_due_on=today() - days(2))
    client.force_login(c.staff)
    reopened = client.post(
        reverse("cases:response_window_reopen", args=[case.number]),
        {"until": (today() + days(7)).isoformat(), "reason": "The respondent was not served."},
    )
    assert reopened.status_code == 302
    assert fresh(case).response_due_on == today() + days(7)

    client.force_login(c.rep)
    response = client.post(
        reverse("cases:response_submit", args=[case.number]), {"text": "Now in time."}
    )
    assert response.status_code == 302
    assert Response.objects.filter(case=case).count() == 1
