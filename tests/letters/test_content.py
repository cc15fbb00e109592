"""What each letter says (issue 5, "How we will check it"): every kind, issued by the
workflow step that issues it, extracted with pdftotext, names the case number, the
addressee, the principles and the outcome, and where it applies the appeal deadline;
the decision letters never name a voter. Each stored PDF matches its SHA-256 (on the
Letter and in the letter_issued event), passes `qpdf --check` and declares PDF/A-3b."""

from __future__ import annotations

import calendar
import datetime

import pytest

from cases import services
from cases.models import (
    Addressee,
    EvidenceSource,
    Letter,
    LetterKind,
    Principle,
    Procedure,
    Vote,
    VoteChoice,
)
from cases.services import AllegationInput, EvidenceInput, ballots
from tests.factories import hearings
from tests.factories.cases import (
    COMPLAINANT_NAME,
    COMPLAINANT_ORG,
    CONDUCT,
    fresh,
    open_review,
    pdf,
    step,
)
from tests.factories.compliance import in_default_case
from tests.factories.dates import days, shown, today
from tests.factories.letters import (
    APPEAL_REASONS,
    DISMISSAL_REASONS,
    PDFA_CONFORMANCE_B,
    PDFA_PART_3,
    PRINCIPLE_TEXT,
    PRINCIPLE_TITLE,
    RESPONDENT_NAME,
    WITHDRAWAL_REASONS,
    appeal_decided_case,
    complainant_appeal_decided_case,
    consent_accepted_case,
    consent_offered_case,
    decided_case,
    dismissed_case,
    interim_imposed_case,
    interim_lifted_case,
    letter,
    letter_issued_event,
    no_violation_case,
    pdf_text,
    qdf,
    qpdf_check,
    sha256,
    stored_bytes,
    withdrawn_case,
    world_case,
)
from tests.factories.scenes import FINDING_REASONING, vote_all

PRINCIPLE_LINE = f"Principle 3, {PRINCIPLE_TITLE}"
RESPONDENT_ATTENTION = "For the attention of Rowena Quist"  # the primary representative


def text_of(case, kind, addressee=Addressee.RESPONDENT) -> str:
    return pdf_text(letter(case, kind, addressee).file.path)


def assert_names_respondent(text: str) -> None:
    assert RESPONDENT_NAME in text
    assert RESPONDENT_ATTENTION in text


def assert_names_no_voter(text: str, case) -> None:
    voters = {v.voter for v in Vote.objects.filter(ballot__case_id=case.pk)}
    assert voters, "the case had no votes: the check would prove nothing"
    for voter in voters:
        for name in (voter.first_name, voter.last_name, voter.username, voter.get_full_name()):
            assert name and name not in text, f"{name!r} appears in the letter"


# ---------------------------------------------------------------------------
# Each kind
# ---------------------------------------------------------------------------


@pytest.mark.real_pdf
def test_acknowledgement_to_the_complainant(world):
    case = world_case(world)
    text = text_of(case, LetterKind.ACKNOWLEDGEMENT, Addressee.COMPLAINANT)
    assert case.number in text
    assert COMPLAINANT_ORG in text and f"Dear {COMPLAINANT_NAME}" in text
    assert PRINCIPLE_LINE in text
    assert "Acknowledgement of your complaint" in text
    assert f"(received on {shown(today())}) and registered it as case {case.number}" in text
    assert "21 days to respond" in text  # the procedure's response window
    assert "appeal" not in text.lower()
    assert not Letter.objects.filter(case=case, addressee=Addressee.RESPONDENT).exists()


@pytest.mark.real_pdf
def test_notice_of_complaint_to_the_respondent(world):
    case = open_review(world_case(world), world.staff)
    notice = letter(case, LetterKind.NOTICE_OF_COMPLAINT)
    text = pdf_text(notice.file.path)
    assert case.number in text
    assert_names_respondent(text)
    assert f"principle 3, {PRINCIPLE_TITLE}" in text
    assert PRINCIPLE_TEXT in text
    assert CONDUCT in text
    evidence = case.evidence.get()
    assert evidence.sha256 in text  # the evidence disclosed, listed with its SHA-256
    assert f"Your response is due by {shown(fresh(case).response_due_on)}" in text
    assert f"appealed within {case.procedure.appeal_window_days} days" in text
    # The complainant did not consent and the procedure discloses only with consent.
    assert COMPLAINANT_NAME not in text and COMPLAINANT_ORG not in text


@pytest.mark.real_pdf
def test_the_notice_states_the_deadline_on_its_first_page(world):
    case = open_review(world_case(world), world.staff)
    first_page = pdf_text(
        letter(case, LetterKind.NOTICE_OF_COMPLAINT).file.path, first_page_only=True
    )
    assert f"Your response is due by {shown(fresh(case).response_due_on)}" in first_page


@pytest.mark.real_pdf
def test_the_notice_lists_only_the_evidence_disclosed_to_the_respondent(world):
    case = world_case(world)
    withheld = services.evidence_add(
        case=fresh(case),
        by=world.staff,
        evidence=EvidenceInput(
            file=pdf("witness.pdf", b"A witness statement, not disclosed."),
            title="Witness statement",
            source=EvidenceSource.STAFF,
            disclosed_to_respondent=False,
        ),
    )
    case = open_review(case, world.staff)
    text = text_of(case, LetterKind.NOTICE_OF_COMPLAINT)
    disclosed = case.evidence.get(disclosed_to_respondent=True)
    assert disclosed.sha256 in text and "The advert" in text
    assert withheld.sha256 not in text and "Witness statement" not in text


@pytest.mark.real_pdf
def test_amended_notice_names_the_amendment_and_the_new_principle(world):
    case = open_review(world_case(world), world.staff)
    extra = Principle.objects.create(
        code=world.principle.code,
        number="5",
        title="Fair competition",
        text="Members do not disparage competitors falsely.",
        effective_on=world.principle.effective_on,
    )
    services.complaint_amend(
        case=fresh(case),
        by=world.staff,
        reason="The complainant sent a second advert.",
        allegations=[
            AllegationInput(
                principle=extra,
                conduct="Called a competitor's robot unsafe without evidence.",
                conduct_from=today() - days(100),
                conduct_to=today() - days(95),
            )
        ],
    )
    services.amended_notice_issue(case=fresh(case), by=world.staff)
    notices = list(
        Letter.objects.filter(case=case, kind=LetterKind.NOTICE_OF_COMPLAINT).order_by("pk")
    )
    assert len(notices) == 2
    text = pdf_text(notices[1].file.path)
    assert case.number in text
    assert "Amended notice of complaint" in text
    assert "The complainant sent a second advert." in text
    assert f"principle 3, {PRINCIPLE_TITLE}" in text and "principle 5, Fair competition" in text
    assert f"Your response is due by {shown(fresh(case).response_due_on)}" in text
    assert "Amended notice" not in pdf_text(notices[0].file.path)  # the first stays as it was


@pytest.mark.real_pdf
def test_dismissal_to_both_parties(world):
    case = dismissed_case(world)
    to_respondent = text_of(case, LetterKind.DISMISSAL)
    to_complainant = text_of(case, LetterKind.DISMISSAL, Addressee.COMPLAINANT)
    for text in (to_respondent, to_complainant):
        assert case.number in text
        assert "Dismissal of the complaint" in text
        assert "the complaint is dismissed" in text
        assert DISMISSAL_REASONS in text
        assert PRINCIPLE_LINE in text
    assert_names_respondent(to_respondent)
    assert COMPLAINANT_NAME not in to_respondent
    assert COMPLAINANT_ORG in to_complainant and f"Dear {COMPLAINANT_NAME}" in to_complainant


@pytest.mark.real_pdf
def test_withdrawal_to_both_parties(world):
    case = withdrawn_case(world)
    to_respondent = text_of(case, LetterKind.WITHDRAWAL)
    to_complainant = text_of(case, LetterKind.WITHDRAWAL, Addressee.COMPLAINANT)
    for text in (to_respondent, to_complainant):
        assert case.number in text
        assert "Withdrawal of the complaint" in text
        assert "the complaint was withdrawn" in text
        assert WITHDRAWAL_REASONS in text
        assert PRINCIPLE_LINE in text
        assert "dismissed" not in text
    assert_names_respondent(to_respondent)
    assert COMPLAINANT_ORG in to_complainant and f"Dear {COMPLAINANT_NAME}" in to_complainant


def test_withdrawal_before_notice_is_written_to_the_complainant_only(world):
    case = services.case_transition(
        case=world_case(world), name="withdraw", by=world.staff, reason=WITHDRAWAL_REASONS
    )
    kinds = set(Letter.objects.filter(case=case).values_list("kind", "addressee"))
    assert kinds == {
        (LetterKind.ACKNOWLEDGEMENT, Addressee.COMPLAINANT),
        (LetterKind.WITHDRAWAL, Addressee.COMPLAINANT),
    }


@pytest.mark.real_pdf
def test_decision_letter_names_breach_sanction_and_appeal_deadline(world):
    case = fresh(decided_case(world, "suspension", 6))
    sanction = case.sanctions.get()
    text = text_of(case, LetterKind.DECISION)
    assert case.number in text
    assert_names_respondent(text)
    assert "Principles found breached" in text
    assert PRINCIPLE_LINE in text
    assert FINDING_REASONING in text  # the findings of fact
    assert (
        f"Suspension: membership is suspended from {shown(sanction.effective_on)} "
        f"until {shown(sanction.ends_on)}" in text
    )
    assert "3 of 3 votes cast found a violation" in text
    assert case.appeal_deadline == today() + days(30)
    assert f"You may appeal this decision until {shown(case.appeal_deadline)}" in text


@pytest.mark.real_pdf
def test_decision_letter_never_names_a_voter(world):
    case = decided_case(world, "censure", None)
    text = text_of(case, LetterKind.DECISION)
    assert "Censure" in text
    assert_names_no_voter(text, case)


@pytest.mark.real_pdf
def test_upheld_deferred_suspension_letter_gives_six_months(world):
    Procedure.objects.filter(pk=world.procedure.pk).update(
        sanction_takes_effect="after_appeal_window"
    )
    case = decided_case(world, "suspension", 6)
    case = step(case, "file_appeal", world.rep, reason="The board misread the evidence.")
    vote_all(case, world.panel, VoteChoice.UPHOLD)
    ballots.appeal_ballot_close(case=fresh(case), by=world.staff)
    case = step(case, "decide_appeal", world.staff, reason=APPEAL_REASONS)
    text = text_of(case, LetterKind.APPEAL_DECISION)
    assert "Outcome: Upheld" in text
    start = today()
    end = datetime.date(start.year + (start.month + 5) // 12, (start.month + 5) % 12 + 1, 1)
    end = end.replace(day=min(start.day, calendar.monthrange(end.year, end.month)[1]))
    assert f"suspended from {shown(start)} until {shown(end)}" in text


@pytest.mark.real_pdf
def test_no_violation_letter(world):
    case = no_violation_case(world)
    text = text_of(case, LetterKind.NO_VIOLATION)
    assert case.number in text
    assert_names_respondent(text)
    assert PRINCIPLE_LINE.lower() in text.lower()
    assert "found no violation" in text
    assert "no sanction is imposed" in text
    assert "0 of 3 votes cast found a violation" in text
    assert "appeal this decision" not in text  # nothing to appeal
    assert_names_no_voter(text, case)
    assert not Letter.objects.filter(case=case, kind=LetterKind.DECISION).exists()


@pytest.mark.real_pdf
def test_appeal_decision_letter(world):
    case = appeal_decided_case(world)
    text = text_of(case, LetterKind.APPEAL_DECISION)
    assert case.number in text
    assert_names_respondent(text)
    assert f"principle 3 ({PRINCIPLE_TITLE})" in text
    assert "Outcome: Overturned" in text
    assert APPEAL_REASONS in text
    assert "The sanction is rescinded" in text
    assert "final" in text
    assert_names_no_voter(text, case)  # neither the board nor the panel is named


# ---------------------------------------------------------------------------
# Every kind: hash, qpdf --check, PDF/A-3b, nothing embedded
# ---------------------------------------------------------------------------


def _hearing_set(w):
    hearings.hearing_procedure()
    case = hearings.case_at_hearing(w)
    hearings.set_hearing(case, w.staff)
    return case


BUILDERS = {
    LetterKind.ACKNOWLEDGEMENT: (world_case, Addressee.COMPLAINANT),
    LetterKind.NOTICE_OF_COMPLAINT: (
        lambda w: open_review(world_case(w), w.staff),
        Addressee.RESPONDENT,
    ),
    LetterKind.DISMISSAL: (dismissed_case, Addressee.COMPLAINANT),
    LetterKind.WITHDRAWAL: (withdrawn_case, Addressee.RESPONDENT),
    LetterKind.DECISION: (decided_case, Addressee.RESPONDENT),
    LetterKind.NO_VIOLATION: (no_violation_case, Addressee.RESPONDENT),
    LetterKind.APPEAL_DECISION: (appeal_decided_case, Addressee.RESPONDENT),
    LetterKind.OUTCOME_NOTICE: (decided_case, Addressee.COMPLAINANT),
    LetterKind.COMPLAINANT_APPEAL_DECISION: (complainant_appeal_decided_case, Addressee.COMPLAINANT),
    LetterKind.NON_COMPLIANCE: (in_default_case, Addressee.RESPONDENT),
    LetterKind.NOTICE_OF_HEARING: (_hearing_set, Addressee.RESPONDENT),
    LetterKind.CONSENT_OFFER: (consent_offered_case, Addressee.RESPONDENT),
    LetterKind.CONSENT_ACCEPTED: (consent_accepted_case, Addressee.RESPONDENT),
    LetterKind.INTERIM_IMPOSED: (interim_imposed_case, Addressee.RESPONDENT),
    LetterKind.INTERIM_LIFTED: (interim_lifted_case, Addressee.RESPONDENT),
}


def test_every_kind_has_a_builder():
    assert set(BUILDERS) == set(LetterKind.values)


@pytest.mark.real_pdf
@pytest.mark.parametrize("kind", list(BUILDERS))
def test_stored_letter_matches_its_hash_passes_qpdf_and_is_pdfa3b(world, kind, tmp_path):
    build, addressee = BUILDERS[kind]
    case = build(world)
    issued = letter(case, kind, addressee)
    data = stored_bytes(issued)
    assert data.startswith(b"%PDF-")
    assert sha256(data) == issued.sha256
    assert issued.size == len(data)
    event = letter_issued_event(issued)
    assert event.payload["sha256"] == issued.sha256
    assert event.payload["kind"] == kind and event.payload["version"] == 1
    assert issued.download_name == f"{case.number}-{kind.replace('_', '-')}.pdf"

    check = qpdf_check(issued.file.path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors" in check.stdout

    expanded = qdf(issued.file.path, tmp_path / "expanded.pdf")
    assert PDFA_PART_3.search(expanded), "no pdfaid:part=3 in the XMP metadata"
    assert PDFA_CONFORMANCE_B.search(expanded), "no pdfaid:conformance=B in the XMP metadata"
    assert "/OutputIntents" in expanded
    assert "/EmbeddedFile" not in expanded and "/Filespec" not in expanded
