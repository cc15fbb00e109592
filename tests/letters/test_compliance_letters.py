"""What the letters say about sanctions a member complies with (docs/decisions/0018),
read with pdftotext: the decision letter states each sanction with its terms and
dates; the notice of non-compliance states what is overdue and the consequence."""

from __future__ import annotations

import pytest

from cases.models import LetterKind, SanctionKind, VoteChoice
from cases.services import ballots
from tests.factories.cases import fresh, step
from tests.factories.compliance import FINE, compliance_of, fined_case, in_default_case
from tests.factories.dates import shown
from tests.factories.letters import letter, pdf_text
from tests.factories.scenes import vote_all

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]


def squeezed(text: str) -> str:
    return " ".join(text.split())


def test_the_decision_letter_states_each_sanction_with_its_terms_and_dates(world, tmp_path):
    case = fined_case(world)
    text = squeezed(pdf_text(letter(case, LetterKind.DECISION).file.path, tmp_path))
    fine = compliance_of(case, SanctionKind.FINE)
    course = compliance_of(case, SanctionKind.EDUCATION)
    assert "Censure" in text
    assert f"Fine: EUR 500.00, to be paid by {shown(fine.due_on)}" in text
    assert "honest advertising, to be completed by " + shown(course.due_on) in text
    assert "suspended until it is met" in text


def test_the_notice_of_non_compliance_states_the_default_and_the_suspension(world, tmp_path):
    case = in_default_case(world)
    text = squeezed(pdf_text(letter(case, LetterKind.NON_COMPLIANCE).file.path, tmp_path))
    fine = compliance_of(case, SanctionKind.FINE)
    assert case.number in text
    assert f"due by {shown(fine.due_on)}" in text and "EUR 500.00" in text
    assert "is suspended until every requirement above is met" in text


def test_an_upheld_appeal_states_the_fine_still_owed(world, tmp_path):
    case = fined_case(world, FINE)
    case = step(case, "file_appeal", world.rep, reason="The fine is too high.")
    vote_all(case, world.panel, VoteChoice.UPHOLD)
    ballots.appeal_ballot_close(case=fresh(case), by=world.staff)
    case = step(case, "decide_appeal", world.staff, reason="The fine stands.")
    text = squeezed(pdf_text(letter(case, LetterKind.APPEAL_DECISION).file.path, tmp_path))
    fine = compliance_of(case, SanctionKind.FINE)
    assert f"Fine: EUR 500.00, to be paid by {shown(fine.due_on)}" in text
