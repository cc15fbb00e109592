"""The letters of resolution by consent and interim suspension (docs/decisions/0020),
read from the issued PDF: the offer (sanction, terms, reply-by date, what refusing
means), its acceptance (who, the sanction, no appeal), the interim suspension imposed
(reasons, the vote, how to ask for lifting) and lifted. That each is a stored,
hashed PDF/A-3b is checked with every other kind (test_content.py)."""

import pytest

from cases.models import LetterKind
from tests.factories.cases import fresh
from tests.factories.dates import days, shown, today
from tests.factories.letters import (
    CONSENT_TERMS,
    INTERIM_REASONS,
    consent_accepted_case,
    consent_offered_case,
    interim_imposed_case,
    interim_lifted_case,
    letter,
    pdf_text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]


def _text(case, kind) -> str:
    return " ".join(pdf_text(letter(case, kind).file.path).split())


def test_the_consent_offer(world):
    case = consent_offered_case(world)
    text = _text(case, LetterKind.CONSENT_OFFER)
    assert case.number in text and "Suspension for 3 months" in text and CONSENT_TERMS in text
    assert f"until {shown(today() + days(14))}" in text
    assert "will not be shown to those who decide the case" in text


def test_the_consent_accepted(world):
    case = consent_accepted_case(world)
    text = _text(case, LetterKind.CONSENT_ACCEPTED)
    assert "Rowena Quist" in text and CONSENT_TERMS in text
    assert f"until {shown(fresh(case).sanctions.get().ends_on)}" in text
    assert "there is no appeal from a sanction accepted by consent" in text


def test_the_interim_suspension_imposed(world):
    imposed = _text(interim_imposed_case(world), LetterKind.INTERIM_IMPOSED)
    assert INTERIM_REASONS in imposed and "No finding has been made against you" in imposed
    assert "3 of 3 votes cast were in favour" in imposed


def test_the_interim_suspension_lifted(world):
    lifted = _text(interim_lifted_case(world), LetterKind.INTERIM_LIFTED)
    assert "has lifted the interim suspension" in lifted and "now: active" in lifted
