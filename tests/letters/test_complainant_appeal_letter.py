"""The decision on the complainant's appeal (docs/decisions/0021): one letter to each
party, in the same PDF/A form as the others; the complainant's letter to the
respondent names no one the procedure keeps back; the acknowledgement tells a
complainant without an account how to follow the case, without the code."""

import pytest

from cases import services
from cases.access import CodeHolder
from cases.models import Addressee, ComplainantAccess, LetterKind, Procedure, VoteChoice
from tests.factories.cases import COMPLAINANT_NAME, COMPLAINANT_ORG, fresh, step
from tests.factories.letters import (
    PDFA_CONFORMANCE_B,
    PDFA_PART_3,
    dismissed_case,
    letter,
    no_violation_case,
    pdf_text,
    qdf,
    world_case,
)
from tests.factories.scenes import vote_all

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]

REASONS = "The brochure's rating was never considered against the current model."


def _appeal(world, case, choice):
    Procedure.objects.filter(pk=world.procedure.pk).update(complainant_appeal=True)
    code = ComplainantAccess.objects.get(case=case, revoked_at__isnull=True)
    holder = CodeHolder(case_id=case.pk, access_id=code.pk)
    step(case, "file_complainant_appeal", holder, reason="Please look at the current model.")
    vote_all(case, world.panel, choice)
    services.complainant_appeal_ballot_close(case=fresh(case), by=world.staff)
    return step(case, "decide_complainant_appeal", world.staff, reason=REASONS)


def test_a_dismissal_sent_back_to_review_is_written_to_both_parties(world, tmp_path):
    case = _appeal(world, dismissed_case(world), VoteChoice.SEND_TO_REVIEW)
    to_complainant = pdf_text(
        letter(case, LetterKind.COMPLAINANT_APPEAL_DECISION, "complainant").file.path
    )
    to_respondent = pdf_text(letter(case, LetterKind.COMPLAINANT_APPEAL_DECISION).file.path)
    for text in (to_complainant, to_respondent):
        assert "Decision on the complainant's appeal" in text
        assert case.number in text and REASONS in text
        assert "Outcome: Sent back to review" in text
        assert "dismissal of the complaint" in text
    assert "you appealed" in to_complainant
    assert "the complainant appealed" in to_respondent
    assert 'send a further response through Probity, "Our cases"' in to_respondent
    # the complainant did not consent to be named, and the procedure asks consent
    assert COMPLAINANT_NAME not in to_respondent and COMPLAINANT_ORG not in to_respondent
    pdfa = qdf(letter(case, LetterKind.COMPLAINANT_APPEAL_DECISION).file.path, tmp_path / "q.pdf")
    assert PDFA_PART_3.search(pdfa) and PDFA_CONFORMANCE_B.search(pdfa)


def test_an_upheld_finding_of_no_violation_is_final(world):
    case = _appeal(world, no_violation_case(world), VoteChoice.UPHOLD)
    text = pdf_text(letter(case, LetterKind.COMPLAINANT_APPEAL_DECISION, "complainant").file.path)
    assert "finding that no violation was established" in text
    assert "The decision is upheld" in text and "the case is closed" in text


def test_the_acknowledgement_tells_of_the_code_but_never_holds_it(world):
    case = world_case(world)
    text = pdf_text(letter(case, LetterKind.ACKNOWLEDGEMENT, Addressee.COMPLAINANT).file.path)
    assert "access code we have sent you separately" in text
    assert case.new_access_code not in text
    assert case.new_access_code.replace("-", "") not in text.replace("-", "")
