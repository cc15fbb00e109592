"""Who reaches which case page (DESIGN.md, "Roles and what they may see").

Every route in cases/urls.py is listed here, with a request that would do something
if it were let through. A person without access gets 404 for a case they may not know
exists, 403 for an action they may not take, and a refusal changes nothing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.urls import URLPattern, reverse
from guardian.shortcuts import assign_perm

from cases import access, services
from cases import urls as case_urls
from cases.models import (
    BallotSeat,
    Case,
    CaseEvent,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    ComplainantAccess,
    ComplainantSubmission,
    ComplianceProof,
    Dispatch,
    DispatchStatus,
    Evidence,
    Letter,
    LetterOrder,
    LetterUserObjectPermission,
    Procedure,
    Recusal,
    Sanction,
    Vote,
)
from cases.workflow import STAFF, STEPS
from members.models import Representative
from members.roles import BOARD
from tests.factories.cases import (
    COMPLAINANT_NAME,
    adopt_procedure,
    case_snapshot,
    evidence_input,
    file_case,
    fresh,
    open_review,
    pdf,
    respond,
    step,
)
from tests.factories.compliance import FINE, vote_with
from tests.factories.dates import days, today
from tests.factories.language import said
from tests.factories.members import RepresentativeFactory
from tests.factories.people import UserFactory, board_user, panel_user, staff_user
from tests.factories.scenes import (
    UNDISCLOSED_TITLE,
    case_with_exhibits,
    cast,
    close_ballot,
    complete_review,
    our_reply,
    refer,
    setup_board_case,
    vote,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# The routes, each with a request that would act if it were let through
# ---------------------------------------------------------------------------


def _letter_order(case):
    """The case's failed letter order where there is one (the "preparation_failed" scene),
    else any of its orders."""
    orders = LetterOrder.objects.filter(case=case).order_by("pk")
    return (orders.filter(status="failed").first() or orders.first()).pk


def _respondent_letter(case):
    return Letter.objects.filter(case=case, addressee="respondent").order_by("pk").first()


def _first_disclosed(case):
    return Evidence.objects.filter(case=case, disclosed_to_respondent=True).order_by("pk").first()


def _amend_data(case, c):
    return {
        "reason": "The complainant sent a further exhibit.",
        "allegations-TOTAL_FORMS": "0",
        "allegations-INITIAL_FORMS": "0",
        "allegations-MIN_NUM_FORMS": "0",
        "allegations-MAX_NUM_FORMS": "20",
        "evidence-TOTAL_FORMS": "1",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "20",
        "evidence-0-file": pdf("further.pdf", b"A further exhibit."),
        "evidence-0-title": "Further exhibit",
        "evidence-0-kind": "file",
        "evidence-0-source": "complainant",
    }


def _fine(case):
    """The case's fine, or an id it has none of (a refusal comes before the lookup)."""
    fine = Sanction.objects.filter(case=case, kind="fine").values_list("pk", flat=True).first()
    return fine or 999999


def _proof(case):
    proof = (
        ComplianceProof.objects.filter(compliance__sanction__case=case)
        .values_list("pk", flat=True)
        .first()
    )
    return proof or 999999


def _until():
    return (today() + days(40)).isoformat()


def _submission_id(case):
    """The complainant's pending submission, or an id no submission has (the refusal
    comes before the submission is looked up)."""
    found = ComplainantSubmission.objects.filter(case=case, decision="").order_by("pk").first()
    return found.pk if found else 0


# key: (url name, method, url kwargs beyond the case number, POST data)
CASE_ROUTES = {
    "case_detail": ("case_detail", "get", lambda case, c: {}, None),
    "complaint_amend:get": ("complaint_amend", "get", lambda case, c: {}, None),
    "complaint_amend:post": ("complaint_amend", "post", lambda case, c: {}, _amend_data),
    "case_step": (
        "case_step",
        "post",
        lambda case, c: {"name": "dismiss"},
        lambda case, c: {
            "expected_state": case.state,
            "reason": "Outside the code.",
            "confirmed": "yes",
        },
    ),
    "evidence_add": (
        "evidence_add",
        "post",
        lambda case, c: {},
        lambda case, c: {
            "fact-file": pdf("notes.pdf", b"Fact-finding notes."),
            "fact-title": "Fact-finding notes",
            "fact-kind": "file",
            "fact-source": "staff",
            "fact-disclosed_to_respondent": "on",
        },
    ),
    "evidence_download": (
        "evidence_download",
        "get",
        lambda case, c: {"evidence_id": _first_disclosed(case).pk},
        None,
    ),
    "evidence_disclosure": (
        "evidence_disclosure",
        "post",
        lambda case, c: {"evidence_id": _first_disclosed(case).pk},
        lambda case, c: {"disclosed": "0"},
    ),
    "response_submit": (
        "response_submit",
        "post",
        lambda case, c: {},
        lambda case, c: {"text": "A response written by someone else."},
    ),
    "finding_record": (
        "finding_record",
        "post",
        lambda case, c: {"allegation_id": case.allegations.order_by("pk").first().pk},
        lambda case, c: {
            f"a{case.allegations.order_by('pk').first().pk}-conclusion": "not_substantiated",
            f"a{case.allegations.order_by('pk').first().pk}-reasoning": "Not shown.",
        },
    ),
    "review_report_save": (
        "review_report_save",
        "post",
        lambda case, c: {},
        lambda case, c: {"text": "A report rewritten by someone else."},
    ),
    "response_window_reopen": (
        "response_window_reopen",
        "post",
        lambda case, c: {},
        lambda case, c: {"until": _until(), "reason": "Asked for more time."},
    ),
    "late_filing_accept": (
        "late_filing_accept",
        "post",
        lambda case, c: {},
        lambda case, c: {"late-reason": "Accepted late."},
    ),
    "case_officer_assign": (
        "case_officer_assign",
        "post",
        lambda case, c: {},
        lambda case, c: {"officer": c.staff.pk},
    ),
    "amended_notice_issue": (
        "amended_notice_issue",
        "post",
        lambda case, c: {},
        lambda case, c: {},
    ),
    "vote_cast": (
        "vote_cast",
        "post",
        lambda case, c: {},
        lambda case, c: {"choice": "no_violation"},
    ),
    "conflict_declare": (
        "conflict_declare",
        "post",
        lambda case, c: {},
        lambda case, c: {"conflict-reason": "I once worked there."},
    ),
    "conflict_record": (
        "conflict_record",
        "post",
        lambda case, c: {},
        lambda case, c: {"party-member": c.board[0].pk, "party-reason": "Raised by a party."},
    ),
    "ballot_extend": (
        "ballot_extend",
        "post",
        lambda case, c: {},
        lambda case, c: {"extend-until": _until(), "extend-reason": "Quorum is short."},
    ),
    "appeal_ballot_close": (
        "appeal_ballot_close",
        "post",
        lambda case, c: {},
        lambda case, c: {"confirmed": "yes"},
    ),
    "letter_download": (
        "letter_download",
        "get",
        lambda case, c: {"letter_id": _respondent_letter(case).pk},
        None,
    ),
    "letter_redeliver": (
        "letter_redeliver",
        "post",
        lambda case, c: {"letter_id": _respondent_letter(case).pk},
        lambda case, c: {},
    ),
    "letter_order_retry": (
        "letter_order_retry",
        "post",
        lambda case, c: {"order_id": _letter_order(case)},
        lambda case, c: {},
    ),
    "letter_correct": (
        "letter_correct",
        "post",
        lambda case, c: {"letter_id": _respondent_letter(case).pk},
        lambda case, c: {f"correct{_respondent_letter(case).pk}-reason": "Wrong date."},
    ),
    "letter_preview": (
        "letter_preview",
        "get",
        lambda case, c: {"kind": "notice_of_complaint"},
        None,
    ),
    "case_link": (
        "case_link",
        "post",
        lambda case, c: {},
        lambda case, c: {
            "link-other_number": file_case(by=c.staff, respondent=c.organization).number,
            "link-kind": "related",
            "link-reason": "Linked by someone else.",
        },
    ),
    "dossier_download": ("dossier_download", "post", lambda case, c: {}, lambda case, c: {}),
    # The staff side of the complainant's page (docs/decisions/0021)
    "complainant_staff_message": (
        "complainant_staff_message",
        "post",
        lambda case, c: {},
        lambda case, c: {"cmsg-body": "A message in staff's name."},
    ),
    "complainant_submission_accept": (
        "complainant_submission_accept",
        "post",
        lambda case, c: {},
        lambda case, c: {"cacc-submission": _submission_id(case)},
    ),
    "complainant_submission_decline": (
        "complainant_submission_decline",
        "post",
        lambda case, c: {},
        lambda case, c: {"cdec-submission": _submission_id(case), "cdec-reason": "Not relevant."},
    ),
    "complainant_submission_download": (
        "complainant_submission_download",
        "get",
        lambda case, c: {"submission_id": _submission_id(case)},
        None,
    ),
    "complainant_code_revoke": (
        "complainant_code_revoke",
        "post",
        lambda case, c: {},
        lambda case, c: {"crev-reason": "Revoked by someone else."},
    ),
    "complainant_code_reissue": (
        "complainant_code_reissue",
        "post",
        lambda case, c: {},
        lambda case, c: {"cnew-reason": "Issued by someone else."},
    ),
    "complainant_appeal_ballot_close": (
        "complainant_appeal_ballot_close",
        "post",
        lambda case, c: {},
        lambda case, c: {},
    ),
    "publication_withhold": (
        "publication_withhold",
        "post",
        lambda case, c: {},
        lambda case, c: {"withhold-reason": "Withheld by someone else."},
    ),
    "legal_hold_place": (
        "legal_hold_place",
        "post",
        lambda case, c: {},
        lambda case, c: {"hold-reason": "Held by someone else."},
    ),
    "legal_hold_release": (
        "legal_hold_release",
        "post",
        lambda case, c: {},
        lambda case, c: {"release-reason": "Released by someone else."},
    ),
    # Compliance (docs/decisions/0018): the case's fine and proof, where it has them.
    "compliance_record": (
        "compliance_record",
        "post",
        lambda case, c: {"sanction_id": _fine(case)},
        lambda case, c: {f"compliance_record_{_fine(case)}-complied_on": today().isoformat()},
    ),
    "compliance_proof_upload": (
        "compliance_proof_upload",
        "post",
        lambda case, c: {"sanction_id": _fine(case)},
        lambda case, c: {f"compliance_proof_{_fine(case)}-file": pdf("receipt.pdf", b"Paid.")},
    ),
    "compliance_proof_accept": (
        "compliance_proof_accept",
        "post",
        lambda case, c: {"proof_id": _proof(case)},
        lambda case, c: {f"compliance_accept_{_proof(case)}-complied_on": today().isoformat()},
    ),
    "compliance_proof_download": (
        "compliance_proof_download",
        "get",
        lambda case, c: {"proof_id": _proof(case)},
        None,
    ),
    # Issue 10 (their staff-only refusals on a case with hearings: tests/views/test_hearing_pages.py)
    "review_disclose": ("review_disclose", "post", lambda case, c: {}, lambda case, c: {}),
    "review_comment": (
        "review_comment",
        "post",
        lambda case, c: {},
        lambda case, c: {"comment-text": "A comment by someone else."},
    ),
    "hearing_request": (
        "hearing_request",
        "post",
        lambda case, c: {},
        lambda case, c: {"hreq-reason": "Asked by someone else."},
    ),
    "hearing_request_record": (
        "hearing_request_record",
        "post",
        lambda case, c: {},
        lambda case, c: {"creq-reason": "Recorded by someone else."},
    ),
    "hearing_schedule": ("hearing_schedule", "post", lambda case, c: {}, lambda case, c: {}),
    "hearing_postpone": ("hearing_postpone", "post", lambda case, c: {}, lambda case, c: {}),
    "hearing_participants": (
        "hearing_participants",
        "post",
        lambda case, c: {},
        lambda case, c: {"people-role_0": "witness", "people-name_0": "Someone Else"},
    ),
    "hearing_participants_record": (
        "hearing_participants_record",
        "post",
        lambda case, c: {},
        lambda case, c: {},
    ),
    "hearing_record": ("hearing_record", "post", lambda case, c: {}, lambda case, c: {}),
    # Resolution by consent, interim suspension, consolidation (docs/decisions/0020)
    "consent_offer": (
        "consent_offer",
        "post",
        lambda case, c: {},
        lambda case, c: {
            "consent-sanction": "censure",
            "consent-terms": "Offered by someone else.",
            "consent-reply_by": _until(),
        },
    ),
    "consent_accept:get": ("consent_accept", "get", lambda case, c: {}, None),
    "consent_accept:post": (
        "consent_accept",
        "post",
        lambda case, c: {},
        lambda case, c: {"expected_state": case.state, "confirm": "on"},
    ),
    "consent_refuse": (
        "consent_refuse",
        "post",
        lambda case, c: {},
        lambda case, c: {"refuse-said": "Refused by someone else."},
    ),
    "consent_lapse": ("consent_lapse", "post", lambda case, c: {}, lambda case, c: {}),
    "interim_propose": (
        "interim_propose",
        "post",
        lambda case, c: {},
        lambda case, c: {"interim-propose-reason": "Proposed by someone else."},
    ),
    "interim_lift": (
        "interim_lift",
        "post",
        lambda case, c: {},
        lambda case, c: {"interim-lift-reason": "Asked by someone else."},
    ),
    "interim_vote": (
        "interim_vote",
        "post",
        lambda case, c: {},
        lambda case, c: {"interim-choice": "for"},
    ),
    "interim_close": ("interim_close", "post", lambda case, c: {}, lambda case, c: {}),
    "consolidate": (
        "consolidate",
        "post",
        lambda case, c: {},
        lambda case, c: {
            "consolidate-other_number": file_case(by=c.staff, respondent=c.organization).number,
            "consolidate-reason": "Consolidated by someone else.",
        },
    ),
}

# The complainant's own routes: no account, so no login page; a 404 for anyone who is
# not this case's complainant (tests/views/test_complainant_page.py has the rest).
COMPLAINANT_ROUTES = {
    "complainant_page": ("complainant_page", "get", lambda case: {}, None),
    "complainant_message": (
        "complainant_message",
        "post",
        lambda case: {},
        {"msg-body": "Written by someone else."},
    ),
    "complainant_evidence": (
        "complainant_evidence",
        "post",
        lambda case: {},
        {"ev-title": "Someone else's file"},
    ),
    "complainant_appeal": (
        "complainant_appeal",
        "post",
        lambda case: {},
        {"expected_state": "under_review", "reason": "Someone else's grounds."},
    ),
    "complainant_letter": (
        "complainant_letter",
        "get",
        lambda case: {"letter_id": Letter.objects.filter(case=case).order_by("pk").first().pk},
        None,
    ),
}
# Not about one case: the sign-in page and leaving it.
COMPLAINANT_PAGES = {"complainant_sign_in", "complainant_sign_out"}

GLOBAL_ROUTES = {
    "case_list": ("case_list", "get", None),
    "dashboard": ("dashboard", "get", None),
    "complaint_new:get": ("complaint_new", "get", None),
    "complaint_new:post": ("complaint_new", "post", {"summary": "x"}),
    "portal_cases": ("portal_cases", "get", None),
    "portal_sanctions": ("portal_sanctions", "get", None),
    "portal_letters": ("portal_letters", "get", None),
    "my_ballots": ("my_ballots", "get", None),
    "workflow": ("workflow", "get", None),
    "case_list_export": ("case_list_export", "get", None),
    "respondent_search": ("respondent_search", "get", None),
}

# The records pages (cases/views_records.py): aggregates for staff, board and panel.
RECORDS_ROUTES = {
    "annual_report": ("annual_report", []),
    "annual_report_csv": ("annual_report_csv", []),
    "annual_report_pdf": ("annual_report_pdf", []),
    "statistics_csv": ("statistics_csv", []),
    "precedents": ("precedents", []),
    "principle_precedents": ("principle_precedents", ["3"]),
}

# Actions only ethics staff may take on a case they can see.
STAFF_ONLY = [
    "complaint_amend:get",
    "complaint_amend:post",
    "evidence_add",
    "evidence_disclosure",
    "finding_record",
    "review_report_save",
    "response_window_reopen",
    "late_filing_accept",
    "case_officer_assign",
    "amended_notice_issue",
    "conflict_record",
    "ballot_extend",
    "appeal_ballot_close",
    "letter_redeliver",
    "letter_order_retry",
    "letter_correct",
    "letter_preview",
    "case_link",
    "dossier_download",
    "complainant_staff_message",
    "complainant_submission_accept",
    "complainant_submission_decline",
    "complainant_submission_download",
    "complainant_code_revoke",
    "complainant_code_reissue",
    "complainant_appeal_ballot_close",
    "publication_withhold",
    "legal_hold_place",
    "legal_hold_release",
    "compliance_record",
    "compliance_proof_accept",
]
STAFF_STEPS = [name for name, s in STEPS.items() if s.who is STAFF]


def _request(client, key, case, c):
    name, method, kwargs, data = CASE_ROUTES[key]
    url = reverse(f"cases:{name}", kwargs={"number": case.number, **kwargs(case, c)})
    if method == "get":
        return client.get(url)
    return client.post(url, data(case, c) if data else {})


def _step(client, case, name, expected_state=None, reason="Because."):
    url = reverse("cases:case_step", kwargs={"number": case.number, "name": name})
    return client.post(
        url, {"expected_state": expected_state or case.state, "reason": reason, "confirmed": "yes"}
    )


def _downloads(client, case):
    """The status of every file of the case: each exhibit and each letter."""
    statuses = {
        e.title: client.get(
            reverse("cases:evidence_download", args=[case.number, e.pk])
        ).status_code
        for e in Evidence.objects.filter(case=case)
    }
    for letter in Letter.objects.filter(case=case):
        url = reverse("cases:letter_download", args=[case.number, letter.pk])
        statuses[f"letter {letter.kind} to {letter.addressee}"] = client.get(url).status_code
    return statuses


# ---------------------------------------------------------------------------
# Scenes
# ---------------------------------------------------------------------------


@pytest.fixture
def c(db):
    return cast(board=3)


@pytest.fixture
def under_review(c):
    """Notice issued; the respondent answered with an attachment; one withheld exhibit."""
    case = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    respond(case, c.rep, attachments=[pdf("our-side.pdf", b"Our side.")])
    return fresh(case)


@pytest.fixture
def board_vote(c):
    """Referred: the three board members are seated on the open ballot."""
    case = case_with_exhibits(c.staff, c.organization)
    case = complete_review(
        open_review(case, c.staff), c.staff, rep=c.rep, reply_attachments=[our_reply()]
    )
    return refer(case, c.staff)


def _scene(c, name):
    """A case against Acme Robotics in the named situation."""
    if name == "held":
        case = _scene(c, "under_review")
        services.legal_hold_place(case=case, by=c.staff, reason="Litigation pending.")
        return fresh(case)
    if name == "under_appeal, published":
        adopt_procedure(publication="sanction")
        return _scene(c, "under_appeal")
    case = case_with_exhibits(c.staff, c.organization)
    if name == "filed":
        Case.objects.filter(pk=case.pk).update(conduct_known_on=today() - days(400))
        return fresh(case)
    case = open_review(case, c.staff)
    if name == "under_review":
        return case
    if name == "with_submission":
        services.complainant_evidence_submit(
            case=fresh(case), by=_holder(case), file=pdf("more.pdf"), title="More"
        )
        return fresh(case)
    if name == "complainant_appeal":
        Procedure.objects.filter(pk=case.procedure_id).update(complainant_appeal=True)
        panel = [panel_user() for _ in range(3)]
        case = step(case, "dismiss", c.staff, "Outside the code.")
        case = step(case, "file_complainant_appeal", _holder(case), "Please look again.")
        for member in panel:
            vote(case, member, "uphold")
        return fresh(case)
    if name == "window_closed":
        Case.objects.filter(pk=case.pk).update(response_due_on=today() - days(1))
        return fresh(case)
    if name == "preparation_failed":  # a letter the worker could not prepare
        model = LetterOrder.objects.filter(case=case).order_by("pk").first()
        LetterOrder.objects.create(
            case=case,
            kind=model.kind,
            addressee=model.addressee,
            recipient_name=model.recipient_name,
            recipient_emails=model.recipient_emails,
            language=model.language,
            event=model.event,
            html="<p>The letter.</p>",
            status="failed",
            last_error="OSError: the fonts are missing",
            ordered_by=c.staff,
        )
        return fresh(case)
    if name == "delivery_failed":
        Dispatch.objects.filter(letter__case=case).update(status=DispatchStatus.FAILED)
        return fresh(case)
    if name == "amended":
        services.complaint_amend(
            case=fresh(case),
            by=c.staff,
            reason="A further exhibit.",
            evidence=[evidence_input("further.pdf")],
        )
        return fresh(case)
    case = refer(
        complete_review(case, c.staff, rep=c.rep, reply_attachments=[our_reply()]), c.staff
    )
    if name == "board_vote":
        return case
    if name == "fined":  # a censure with a fine, and the representative's receipt for it
        for member in c.board:
            vote_with(case, member, "censure", FINE)
        case = close_ballot(case, c.staff)
        services.compliance_proof_upload(
            case=case, sanction_id=_fine(case), file=pdf("receipt.pdf"), description="", by=c.rep
        )
        return fresh(case)
    assert name == "under_appeal"
    panel = [panel_user() for _ in range(3)]
    for member in c.board:
        vote(case, member, "violation", "censure")
    case = close_ballot(case, c.staff)
    case = step(case, "file_appeal", c.rep, "The board misread the register.")
    for member in panel:
        vote(case, member, "uphold")
    return fresh(case)


# ---------------------------------------------------------------------------
# The route table is complete
# ---------------------------------------------------------------------------


def _holder(case):
    code = ComplainantAccess.objects.get(case=case, revoked_at__isnull=True)
    return access.CodeHolder(case_id=case.pk, access_id=code.pk)


def test_every_case_route_is_exercised_here():
    names = {p.name for p in case_urls.urlpatterns if isinstance(p, URLPattern)}
    covered = (
        {v[0] for v in CASE_ROUTES.values()}
        | {v[0] for v in GLOBAL_ROUTES.values()}
        | {v[0] for v in COMPLAINANT_ROUTES.values()}
        | COMPLAINANT_PAGES
    )
    covered |= {v[0] for v in RECORDS_ROUTES.values()}
    assert names == covered


@pytest.mark.parametrize("key", sorted(RECORDS_ROUTES))
def test_the_records_pages_send_anonymous_to_log_in_and_refuse_representatives(client, c, key):
    name, args = RECORDS_ROUTES[key]
    url = reverse(f"cases:{name}", args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("login")
    client.force_login(c.rep)
    assert client.get(url).status_code == 403


# ---------------------------------------------------------------------------
# Anonymous visitors are sent to log in
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(CASE_ROUTES))
def test_anonymous_is_sent_to_log_in_from_every_case_route(client, c, board_vote, key):
    before = case_snapshot(board_vote)
    response = _request(client, key, board_vote, c)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("login")
    assert "next=" in location.query
    assert case_snapshot(board_vote) == before


@pytest.mark.parametrize("key", sorted(COMPLAINANT_ROUTES))
@pytest.mark.parametrize("who", ["anonymous", "other_rep", "staff", "other_code"])
def test_the_complainants_routes_are_404_to_all_but_the_complainant(
    client, c, under_review, key, who
):
    """Staff included: they see the complainant's side on the staff case page."""
    other = file_case(by=c.staff, respondent=c.organization)
    if who == "other_code":
        client.post(
            reverse("cases:complainant_sign_in"),
            {"reference": other.number, "code": other.new_access_code},
        )
    elif who != "anonymous":
        client.force_login(getattr(c, who))
    before = case_snapshot(under_review)
    name, method, kwargs, data = COMPLAINANT_ROUTES[key]
    url = reverse(f"cases:{name}", kwargs={"number": under_review.number, **kwargs(under_review)})
    response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code == 404
    assert case_snapshot(under_review) == before


@pytest.mark.parametrize("key", sorted(GLOBAL_ROUTES))
def test_anonymous_is_sent_to_log_in_from_every_page(client, db, key):
    name, method, data = GLOBAL_ROUTES[key]
    url = reverse(f"cases:{name}")
    response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("login")
    assert Case.objects.count() == 0


# ---------------------------------------------------------------------------
# Another member's representative: 404 for the case, every file, every action
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(CASE_ROUTES))
def test_another_members_representative_gets_404_everywhere(client, c, under_review, key):
    before = case_snapshot(under_review)
    client.force_login(c.other_rep)
    response = _request(client, key, under_review, c)
    assert response.status_code == 404
    assert case_snapshot(under_review) == before


def test_another_members_representative_gets_404_for_every_file(client, c, under_review):
    files = Evidence.objects.filter(case=under_review)
    # a disclosed exhibit, a withheld one and the respondent's own attachment
    assert files.filter(disclosed_to_respondent=False).exists()
    assert files.filter(response__isnull=False).exists()
    client.force_login(c.other_rep)
    assert set(_downloads(client, under_review).values()) == {404}
    # and a step on the case, which is no 404 for the respondent's own representative
    response = _step(client, under_review, "file_appeal")
    assert response.status_code == 404


def test_another_members_representative_does_not_see_it_in_their_cases(client, c, under_review):
    client.force_login(c.other_rep)
    response = client.get(reverse("cases:portal_cases"))
    assert response.status_code == 200
    assert under_review.number not in response.content.decode()


# ---------------------------------------------------------------------------
# The respondent's representative: nothing before the notice, their case after it
# ---------------------------------------------------------------------------


def test_respondents_representative_gets_404_before_notice(client, c):
    case = case_with_exhibits(c.staff, c.organization)
    assert case.state == "filed"
    client.force_login(c.rep)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert set(_downloads(client, case).values()) == {404}
    assert (
        client.post(
            reverse("cases:response_submit", args=[case.number]), {"text": "Hi"}
        ).status_code
        == 404
    )
    assert case.number not in client.get(reverse("cases:portal_cases")).content.decode()


def test_respondents_representative_sees_the_case_after_notice(client, c):
    case = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    client.force_login(c.rep)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    assert "cases/case_respondent.html" in [t.name for t in response.templates]
    assert said("Case %(number)s", number=case.number) in response.content.decode()
    assert case.number in client.get(reverse("cases:portal_cases")).content.decode()


# ---------------------------------------------------------------------------
# Board members: from referral, until they declare a conflict
# ---------------------------------------------------------------------------


def test_board_member_gets_404_before_referral(client, c, under_review):
    client.force_login(c.board[0])
    assert client.get(under_review.get_absolute_url()).status_code == 404
    assert set(_downloads(client, under_review).values()) == {404}


def test_board_member_sees_the_dossier_after_referral(client, c, board_vote):
    client.force_login(c.board[0])
    response = client.get(board_vote.get_absolute_url())
    assert response.status_code == 200
    assert "cases/case_board.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert said("Cast my vote") in html
    assert "The allegation is substantiated by the certification register." in html
    # the board sees every exhibit, withheld ones included
    assert set(_downloads(client, board_vote).values()) == {200}


def test_board_member_gets_404_after_declaring_a_conflict(client, c, board_vote):
    member = c.board[0]
    client.force_login(member)
    response = client.post(
        reverse("cases:conflict_declare", args=[board_vote.number]),
        {"conflict-reason": "I advised Acme Robotics last year."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:my_ballots")
    assert Recusal.objects.filter(case=board_vote, member=member).exists()

    assert client.get(board_vote.get_absolute_url()).status_code == 404
    assert set(_downloads(client, board_vote).values()) == {404}
    before = case_snapshot(board_vote)
    voted = client.post(reverse("cases:vote_cast", args=[board_vote.number]), {"choice": "abstain"})
    assert voted.status_code == 404
    assert case_snapshot(board_vote) == before
    listed = client.get(reverse("cases:case_list")).context["page"]
    assert board_vote.number not in [case.number for case in listed]


def test_board_member_case_list_shows_only_referred_cases(client, c, board_vote, under_review):
    client.force_login(c.board[1])
    listed = client.get(reverse("cases:case_list")).context["page"]
    assert [case.number for case in listed] == [board_vote.number]


# ---------------------------------------------------------------------------
# Staff-only actions by people who can see the case: 403, and nothing changes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", STAFF_ONLY)
def test_representative_gets_403_for_staff_actions(client, c, under_review, key):
    before = case_snapshot(under_review)
    client.force_login(c.rep)
    response = _request(client, key, under_review, c)
    assert response.status_code == 403
    assert case_snapshot(under_review) == before


@pytest.mark.parametrize("key", STAFF_ONLY)
def test_board_member_gets_403_for_staff_actions(client, c, board_vote, key):
    before = case_snapshot(board_vote)
    client.force_login(c.board[0])
    response = _request(client, key, board_vote, c)
    assert response.status_code == 403
    assert case_snapshot(board_vote) == before


# Where staff's own request does its work: the control for the two tests above.
STAFF_CONTROL = {
    "complaint_amend:get": ("under_review", 200, False),
    "complaint_amend:post": ("under_review", 302, True),
    "evidence_add": ("under_review", 302, True),
    "evidence_disclosure": ("under_review", 302, True),
    "finding_record": ("under_review", 302, True),
    "review_report_save": ("under_review", 302, True),
    "response_window_reopen": ("window_closed", 302, True),
    "late_filing_accept": ("filed", 302, True),
    "case_officer_assign": ("under_review", 302, True),
    "amended_notice_issue": ("amended", 302, True),
    "conflict_record": ("board_vote", 302, True),
    "ballot_extend": ("board_vote", 302, True),
    "appeal_ballot_close": ("under_appeal", 302, True),
    "letter_redeliver": ("delivery_failed", 302, False),
    "letter_order_retry": ("preparation_failed", 302, True),  # the letter is issued
    "letter_correct": ("under_review", 302, True),
    "letter_preview": ("under_review", 200, False),
    "case_link": ("under_review", 302, True),
    "dossier_download": ("under_review", 200, True),
    "complainant_staff_message": ("under_review", 302, True),
    "complainant_submission_accept": ("with_submission", 302, True),
    "complainant_submission_decline": ("with_submission", 302, True),
    "complainant_submission_download": ("with_submission", 200, False),
    "complainant_code_revoke": ("under_review", 302, True),
    # the new code is shown on the page that answers the request
    "complainant_code_reissue": ("under_review", 200, True),
    "complainant_appeal_ballot_close": ("complainant_appeal", 302, True),
    "publication_withhold": ("under_appeal, published", 302, True),
    "legal_hold_place": ("under_review", 302, True),
    "legal_hold_release": ("held", 302, True),
    "compliance_record": ("fined", 302, True),
    "compliance_proof_accept": ("fined", 302, True),
}


def test_staff_control_covers_every_staff_only_action():
    assert set(STAFF_CONTROL) == set(STAFF_ONLY)


@pytest.mark.parametrize("key", STAFF_ONLY)
def test_staff_requests_for_those_actions_do_their_work(client, c, key):
    """The same requests, by staff, on a case where the action applies, go through: so
    the 403s above come from the permission check, not from a bad request."""
    scene, status, changes = STAFF_CONTROL[key]
    case = _scene(c, scene)
    before = case_snapshot(case)
    client.force_login(c.staff)
    response = _request(client, key, case, c)
    assert response.status_code == status
    if status == 302:
        levels = [m.level_tag for m in get_messages(response.wsgi_request)]
        assert levels and set(levels) <= {"success", "info"}, levels
    assert (case_snapshot(case) != before) == changes


@pytest.mark.parametrize("name", ["dismiss", "withdraw", "refer_to_board"])
def test_representative_gets_403_for_staff_steps_open_now(client, c, under_review, name):
    before = case_snapshot(under_review)
    client.force_login(c.rep)
    response = _step(client, under_review, name)
    assert response.status_code == 403
    assert case_snapshot(under_review) == before


def test_board_member_gets_403_for_closing_the_ballot(client, c, board_vote):
    before = case_snapshot(board_vote)
    client.force_login(c.board[0])
    response = _step(client, board_vote, "close_ballot")
    assert response.status_code == 403
    assert case_snapshot(board_vote) == before


@pytest.mark.parametrize("name", STAFF_STEPS)
def test_representatives_staff_steps_change_nothing_from_any_state(client, c, under_review, name):
    before = case_snapshot(under_review)
    client.force_login(c.rep)
    response = _step(client, under_review, name)
    assert response.status_code in (400, 403)
    stale = _step(client, under_review, name, expected_state="filed")
    assert stale.status_code in (409, 403)
    assert case_snapshot(under_review) == before


@pytest.mark.parametrize(
    "name", [n for n in STAFF_STEPS if n not in ("dismiss", "withdraw", "refer_to_board")]
)
def test_representative_gets_403_for_every_staff_step(client, c, under_review, name):
    before = case_snapshot(under_review)
    client.force_login(c.rep)
    response = _step(client, under_review, name)
    assert case_snapshot(under_review) == before
    assert response.status_code == 403


def test_representative_gets_403_for_a_staff_step_with_a_stale_state(client, c, under_review):
    before = case_snapshot(under_review)
    client.force_login(c.rep)
    response = _step(client, under_review, "dismiss", expected_state="filed")
    assert case_snapshot(under_review) == before
    assert response.status_code == 403


@pytest.mark.parametrize("key", ["dashboard", "complaint_new:get", "complaint_new:post"])
def test_staff_pages_are_403_for_representatives_and_board(client, c, key):
    name, method, data = GLOBAL_ROUTES[key]
    url = reverse(f"cases:{name}")
    for user in (c.rep, c.board[0]):
        client.force_login(user)
        response = client.get(url) if method == "get" else client.post(url, data)
        assert response.status_code == 403, user
    assert Case.objects.count() == 0


def test_representative_may_not_vote_or_declare_a_conflict(client, c, board_vote):
    before = case_snapshot(board_vote)
    client.force_login(c.rep)
    voted = client.post(
        reverse("cases:vote_cast", args=[board_vote.number]), {"choice": "no_violation"}
    )
    conflict = client.post(
        reverse("cases:conflict_declare", args=[board_vote.number]),
        {"conflict-reason": "Let me out."},
    )
    ballots = client.get(reverse("cases:my_ballots"))
    assert (voted.status_code, conflict.status_code, ballots.status_code) == (403, 403, 403)
    assert case_snapshot(board_vote) == before


def test_board_member_may_not_respond_for_the_respondent(client, c, board_vote):
    before = case_snapshot(board_vote)
    client.force_login(c.board[0])
    url = reverse("cases:response_submit", args=[board_vote.number])
    response = client.post(url, {"text": "A response in the respondent's name."})
    assert response.status_code == 403
    assert case_snapshot(board_vote) == before


# ---------------------------------------------------------------------------
# Methods
# ---------------------------------------------------------------------------


def test_post_only_routes_refuse_get_and_change_nothing(client, c, board_vote):
    before = case_snapshot(board_vote)
    client.force_login(c.staff)
    posts = sorted(k for k, v in CASE_ROUTES.items() if v[1] == "post" and ":" not in k)
    assert len(posts) >= 15
    for key in posts:
        name, _, kwargs, _ = CASE_ROUTES[key]
        url = reverse(
            f"cases:{name}", kwargs={"number": board_vote.number, **kwargs(board_vote, c)}
        )
        assert client.get(url).status_code == 405, key
    assert case_snapshot(board_vote) == before


# ---------------------------------------------------------------------------
# is_superuser and model-wide permissions grant nothing
# ---------------------------------------------------------------------------


def test_superuser_without_a_role_gets_404(client, c, board_vote):
    client.force_login(c.superuser)
    assert client.get(board_vote.get_absolute_url()).status_code == 404
    assert set(_downloads(client, board_vote).values()) == {404}
    listing = client.get(reverse("cases:case_list"))
    assert listing.status_code == 200
    assert board_vote.number not in listing.content.decode()
    assert client.get(reverse("cases:dashboard")).status_code == 403


def test_model_wide_case_permissions_are_no_back_door(client, c, board_vote):
    """A user given cases.view_case and cases.manage_case for every case (in the admin,
    say) but no role and no per-case permission sees nothing and does nothing."""
    user = UserFactory(username="admin.clerk", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="cases", codename__in=["view_case", "manage_case"]
        )
    )
    before = case_snapshot(board_vote)
    client.force_login(user)
    assert client.get(board_vote.get_absolute_url()).status_code == 404
    assert set(_downloads(client, board_vote).values()) == {404}
    assert _step(client, board_vote, "close_ballot").status_code == 404
    listing = client.get(reverse("cases:case_list"))
    assert board_vote.number not in [case.number for case in listing.context["page"]]
    assert case_snapshot(board_vote) == before


# ---------------------------------------------------------------------------
# People with two roles: their relation to the case decides (issue 9)
# ---------------------------------------------------------------------------


def record_snapshot(case) -> dict:
    """`case_snapshot` and every other row a refused request must leave alone: the
    letters' permissions, the recusals, the seats, the votes."""
    return {
        **case_snapshot(case),
        "letter_permissions": sorted(
            LetterUserObjectPermission.objects.filter(content_object__case=case).values_list(
                "user_id", "content_object_id", "permission__codename"
            )
        ),
        "group_permissions": sorted(
            CaseGroupObjectPermission.objects.filter(content_object=case).values_list(
                "group_id", "permission__codename"
            )
        ),
        "recusals": sorted(Recusal.objects.filter(case=case).values_list("member_id", "reason")),
        "seats": sorted(
            BallotSeat.objects.filter(ballot__case=case).values_list("voter_id", "recused_at")
        ),
        "event_count": CaseEvent.objects.filter(case=case).count(),
        "vote_count": Vote.objects.filter(ballot__case=case).count(),
    }


def _board_rep(c):
    """A board member who is also a representative of the respondent from the start:
    given the respondent's access at the notice, recused automatically at referral."""
    member = c.board[0]
    RepresentativeFactory(user=member, organization=c.organization, is_primary=False)
    return member


def _seated_then_rep(c):
    """A board member seated at referral who then became a representative of the
    respondent (made one while the ballot is open)."""
    return c.board[0]


def _staff_rep(c):
    """Ethics staff who is also a representative of the respondent."""
    user = staff_user("sam.staff", first_name="Sam", last_name="Twohats")
    RepresentativeFactory(user=user, organization=c.organization, is_primary=False)
    return user


DUAL_ROLES = {"board_rep": _board_rep, "seated_then_rep": _seated_then_rep, "staff_rep": _staff_rep}


@pytest.fixture(params=sorted(DUAL_ROLES))
def dual(request, c):
    """(who, the case at the board vote) for each kind of person with two roles."""
    kind = request.param
    who = DUAL_ROLES[kind](c)
    case = case_with_exhibits(c.staff, c.organization)
    case = complete_review(
        open_review(case, c.staff), c.staff, rep=c.rep, reply_attachments=[our_reply()]
    )
    case = refer(case, c.staff)
    if kind == "seated_then_rep":
        assert BallotSeat.objects.filter(ballot__case=case, voter=who).exists()
        RepresentativeFactory(user=who, organization=c.organization, is_primary=False)
        # what the post_save receiver runs after the commit
        services.representative_access_sync(user=who, organization=c.organization)
    if kind == "board_rep":
        assert Recusal.objects.filter(case=case, member=who).exists()
    for member in c.board[1:]:
        vote(case, member, "violation", "censure", reason="The advert misled buyers.")
    return kind, who, fresh(case)


@pytest.mark.parametrize("key", sorted(CASE_ROUTES))
def test_two_roles_get_exactly_the_respondents_answer_on_every_route(client, c, dual, key):
    """On every case route a board member or staff who represents the respondent gets
    what the respondent's own representative gets, and a refused request (403, 404,
    or a refused form) writes nothing."""
    kind, who, case = dual
    before = record_snapshot(case)
    client.force_login(who)
    theirs = _request(client, key, case, c)
    after = record_snapshot(case)
    client.force_login(c.rep)
    respondents = _request(client, key, case, c)
    if respondents.status_code in (400, 403):
        # refused too; a representative made one during the board vote was never given
        # respond_to_case, so a response is refused as “who” (403) rather than “when” (400)
        assert theirs.status_code in (400, 403), (kind, key)
    else:
        assert theirs.status_code == respondents.status_code, (kind, key)
    if theirs.status_code != 200 or CASE_ROUTES[key][1] == "post":
        # nothing a respondent may do at the board vote: every such request is refused
        assert after == before, (kind, key)
    if key == "case_detail":
        assert "cases/case_respondent.html" in [t.name for t in theirs.templates]
        assert "cases/case_board.html" not in [t.name for t in theirs.templates]
        assert "cases/case_staff.html" not in [t.name for t in theirs.templates]


def test_two_roles_see_the_respondents_page_and_nothing_more(client, c, dual):
    kind, who, case = dual
    client.force_login(c.rep)
    respondents = client.get(case.get_absolute_url())
    client.force_login(who)
    theirs = client.get(case.get_absolute_url())
    assert theirs.status_code == 200
    assert [t.name for t in theirs.templates][0] == "cases/case_respondent.html"
    assert [e.pk for e in theirs.context["evidence"]] == [
        e.pk for e in respondents.context["evidence"]
    ]
    assert [x.pk for x in theirs.context["letter_list"]] == [
        x.pk for x in respondents.context["letter_list"]
    ]
    html = theirs.content.decode()
    assert UNDISCLOSED_TITLE not in html  # withheld evidence
    assert COMPLAINANT_NAME not in html  # the complainant's identity, not disclosed
    for member in c.board[1:]:  # the voters' names
        assert member.last_name not in html
    assert "Cast my vote" not in html
    assert set(theirs.context["offered"]) == set(respondents.context["offered"])


def test_two_roles_get_the_respondents_files_only(client, c, dual):
    kind, who, case = dual
    client.force_login(c.rep)
    respondents = _downloads(client, case)
    client.force_login(who)
    theirs = _downloads(client, case)
    assert theirs == respondents
    assert theirs[UNDISCLOSED_TITLE] == 404
    assert theirs["letter acknowledgement to complainant"] == 404


def test_two_roles_are_refused_the_ballot_and_change_nothing(client, c, dual):
    kind, who, case = dual
    before = record_snapshot(case)
    client.force_login(who)
    voted = client.post(reverse("cases:vote_cast", args=[case.number]), {"choice": "abstain"})
    conflict = client.post(
        reverse("cases:conflict_declare", args=[case.number]),
        {"conflict-reason": "I act for the respondent."},
    )
    closed = _step(client, case, "close_ballot")
    extended = client.post(
        reverse("cases:ballot_extend", args=[case.number]),
        {"extend-until": _until(), "extend-reason": "More time."},
    )
    assert (voted.status_code, conflict.status_code, closed.status_code) == (403, 403, 403)
    assert extended.status_code == 403
    assert record_snapshot(case) == before
    if kind != "staff_rep":
        listed = client.get(reverse("cases:my_ballots"))
        assert case.number not in listed.content.decode()


def test_a_board_member_who_represents_the_respondent_declares_nothing(client, c):
    """The issue's write: a board member who joined the board after the referral (not
    seated, so not recused) and represents the respondent posted “declare a conflict”:
    a recusal row and two events were written and their respondent's view_case was
    removed. Now they are the respondent on this case: 403, nothing written."""
    case = case_with_exhibits(c.staff, c.organization)
    case = refer(
        complete_review(
            open_review(case, c.staff), c.staff, rep=c.rep, reply_attachments=[our_reply()]
        ),
        c.staff,
    )
    latecomer = board_user("board.latecomer", first_name="Lena", last_name="Latecomer")
    RepresentativeFactory(user=latecomer, organization=c.organization, is_primary=False)
    services.grant(
        case, latecomer, ["view_case", "respond_to_case"], actor=None, why="Test: notice."
    )
    case = fresh(case)
    before = record_snapshot(case)
    client.force_login(latecomer)
    response = client.post(
        reverse("cases:conflict_declare", args=[case.number]),
        {"conflict-reason": "I act for the respondent."},
    )
    assert response.status_code == 403
    assert record_snapshot(case) == before
    assert client.get(case.get_absolute_url()).status_code == 200  # still the respondent


def test_staff_recording_a_conflict_on_a_seated_representative_keeps_their_respondent_view(c):
    """A seated board member who became the respondent's representative: staff record
    the conflict; the seat and vote go, the respondent's view stays."""
    member = c.board[0]
    case = case_with_exhibits(c.staff, c.organization)
    case = refer(
        complete_review(
            open_review(case, c.staff), c.staff, rep=c.rep, reply_attachments=[our_reply()]
        ),
        c.staff,
    )
    RepresentativeFactory(user=member, organization=c.organization, is_primary=False)
    services.conflict_declare(
        case=fresh(case), member=member, reason="A party raised it.", by=c.staff
    )
    held = set(
        CaseUserObjectPermission.objects.filter(content_object=case, user=member).values_list(
            "permission__codename", flat=True
        )
    )
    assert "vote_on_case" not in held
    assert "view_case" in held
    assert access.relation_to(member, fresh(case)) == access.RESPONDENT_VIEW


def test_staff_who_represent_the_respondent_see_nothing_before_the_notice(client, c):
    user = _staff_rep(c)
    case = case_with_exhibits(c.staff, c.organization)
    other = case_with_exhibits(c.staff, c.other_organization)
    before = record_snapshot(case)
    client.force_login(user)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert set(_downloads(client, case).values()) == {404}
    assert _step(client, case, "dismiss").status_code == 404
    listed = [x.number for x in client.get(reverse("cases:case_list")).context["page"]]
    assert case.number not in listed and other.number in listed
    assert record_snapshot(case) == before
    # and a case they have nothing to do with is staff's as usual
    assert "cases/case_staff.html" in [
        t.name for t in client.get(other.get_absolute_url()).templates
    ]


def test_a_representative_of_the_complainants_organization_gets_only_the_complainants_page(
    client, c
):
    """A board member and a staff member who act for the member that complained: the
    complainant's page (docs/decisions/0021), never the staff's or the board's view."""
    complainer = c.other_organization
    member = c.board[0]
    RepresentativeFactory(user=member, organization=complainer, is_primary=False)
    colleague = _staff_rep(c)
    Representative.objects.filter(user=colleague).update(organization=complainer)
    bc = setup_board_case(c.staff, board=c.board, rep=c.rep, complainant_org=complainer)
    case = fresh(bc.case)
    assert Recusal.objects.filter(case=case, member=member).exists()
    for user in (member, colleague):
        client.force_login(user)
        assert client.get(case.get_absolute_url()).status_code == 404
        assert set(_downloads(client, case).values()) == {404}
        page = client.get(reverse("cases:complainant_page", args=[case.number]))
        assert page.status_code == 200
        assert "cases/case_complainant.html" in [t.name for t in page.templates]


def test_group_membership_alone_grants_nothing_on_a_case(client, c, board_vote):
    """A board member not seated (joined after the referral) sees nothing, even when
    the board group itself holds view_case on the case."""
    latecomer = board_user("board.latecomer")
    assign_perm("view_case", Group.objects.get(name=BOARD), board_vote)
    client.force_login(latecomer)
    assert client.get(board_vote.get_absolute_url()).status_code == 404
    assert set(_downloads(client, board_vote).values()) == {404}
    assert board_vote.number not in [
        x.number for x in client.get(reverse("cases:case_list")).context["page"]
    ]
    # a seated member still sees the dossier
    client.force_login(c.board[0])
    assert "cases/case_board.html" in [
        t.name for t in client.get(board_vote.get_absolute_url()).templates
    ]


def test_relation_to_names_each_view(c, board_vote):
    case = fresh(board_vote)
    assert access.relation_to(c.staff, case) == access.STAFF_VIEW
    assert access.relation_to(c.board[0], case) == access.DECIDER_VIEW
    assert access.relation_to(c.rep, case) == access.RESPONDENT_VIEW
    assert access.relation_to(c.other_rep, case) == access.NO_VIEW
    assert access.relation_to(c.superuser, case) == access.NO_VIEW
    services.conflict_declare(case=case, member=c.board[1], reason="I advised them.", by=c.board[1])
    assert access.relation_to(c.board[1], fresh(case)) == access.NO_VIEW


def test_the_dashboard_of_staff_who_represent_a_member_leaves_out_its_cases(client, c):
    user = _staff_rep(c)
    theirs = case_with_exhibits(c.staff, c.organization)  # not notified: not theirs to see
    other = case_with_exhibits(c.staff, c.other_organization)
    client.force_login(user)
    counts = {
        state: n for state, _, n in client.get(reverse("cases:dashboard")).context["by_state"]
    }
    assert counts["filed"] == 1
    client.force_login(c.staff)
    counts = {
        state: n for state, _, n in client.get(reverse("cases:dashboard")).context["by_state"]
    }
    assert counts["filed"] == 2
    assert {theirs.state, other.state} == {"filed"}


def test_a_panel_member_who_represents_the_respondent_gets_the_respondents_view(client, c):
    """Under appeal: recused automatically when the panel's ballot opened; the page,
    the files and the ballot are the respondent's, and refusals write nothing."""
    member = panel_user("panel.twohats", first_name="Pat", last_name="Twohats")
    RepresentativeFactory(user=member, organization=c.organization, is_primary=False)
    others = [panel_user() for _ in range(3)]
    case = case_with_exhibits(c.staff, c.organization)
    case = refer(
        complete_review(
            open_review(case, c.staff), c.staff, rep=c.rep, reply_attachments=[our_reply()]
        ),
        c.staff,
    )
    for board_member in c.board:
        vote(case, board_member, "violation", "censure")
    case = close_ballot(case, c.staff)
    services.representative_access_sync(user=member, organization=c.organization)
    case = step(case, "file_appeal", c.rep, "The board misread the register.")
    for panelist in others:
        vote(case, panelist, "uphold")
    case = fresh(case)
    assert Recusal.objects.filter(case=case, member=member).exists()
    before = record_snapshot(case)
    client.force_login(member)
    page = client.get(case.get_absolute_url())
    assert [t.name for t in page.templates][0] == "cases/case_respondent.html"
    assert others[0].last_name not in page.content.decode()
    assert _downloads(client, case)[UNDISCLOSED_TITLE] == 404
    assert (
        client.post(
            reverse("cases:vote_cast", args=[case.number]), {"choice": "overturn"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("cases:conflict_declare", args=[case.number]), {"conflict-reason": "Me."}
        ).status_code
        == 403
    )
    assert record_snapshot(case) == before
