"""The letters of resolution by consent and interim suspension (docs/decisions/0020),
read from the issued PDF/A: the offer (sanction, terms, reply-by date, what refusing
means), its acceptance (who and when, the sanction, no appeal), the interim suspension
imposed (reasons, the vote, how to ask for lifting) and lifted."""

import pytest

from cases import services
from cases.models import LetterKind, Procedure
from tests.factories.cases import fresh, open_review, step
from tests.factories.dates import days, shown, today
from tests.factories.letters import (
    PDFA_PART_3,
    letter,
    pdf_text,
    qdf,
    qpdf_check,
    world_case,
)

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]

TERMS = "Acme withdraws the advert within 14 days and writes to every buyer."
REASONS = "Uncertified guards are still being fitted at customers' plants."


@pytest.fixture
def case(world):
    Procedure.objects.filter(pk=world.procedure.pk).update(
        consent_resolution=True, interim_suspension=True
    )
    return open_review(world_case(world), world.staff)


def test_the_consent_offer_and_its_acceptance(world, case, tmp_path):
    services.consent_offer(
        case=fresh(case),
        by=world.staff,
        sanction="suspension",
        suspension_months=3,
        terms=TERMS,
        reply_by=today() + days(14),
    )
    offer = letter(case, LetterKind.CONSENT_OFFER)
    text = " ".join(pdf_text(offer.file.path).split())
    assert case.number in text and "Suspension for 3 months" in text and TERMS in text
    assert f"until {shown(today() + days(14))}" in text
    assert "will not be shown to those who decide the case" in text
    assert qpdf_check(offer.file.path).returncode == 0
    assert PDFA_PART_3.search(qdf(offer.file.path, tmp_path / "expanded.pdf"))

    step(case, "accept_consent", world.rep)
    accepted = letter(case, LetterKind.CONSENT_ACCEPTED)
    text = " ".join(pdf_text(accepted.file.path).split())
    assert "Rowena Quist" in text and TERMS in text
    assert f"until {shown(fresh(case).sanctions.get().ends_on)}" in text
    assert "there is no appeal from a sanction accepted by consent" in text


def test_the_interim_suspension_imposed_and_lifted(world, case):
    services.interim_propose(case=fresh(case), by=world.staff, reasons=REASONS)
    for member in world.board:
        services.interim_vote_cast(case=fresh(case), voter=member, choice="for")
    services.interim_ballot_close(case=fresh(case), by=world.staff)
    imposed = " ".join(pdf_text(letter(case, LetterKind.INTERIM_IMPOSED).file.path).split())
    assert REASONS in imposed and "No finding has been made against you" in imposed
    assert "3 of 3 votes cast were in favour" in imposed

    services.interim_lifting_request(
        case=fresh(case), by=world.rep, grounds="Every guard is now certified."
    )
    for member in world.board:
        services.interim_vote_cast(case=fresh(case), voter=member, choice="for")
    services.interim_ballot_close(case=fresh(case), by=world.staff)
    lifted = " ".join(pdf_text(letter(case, LetterKind.INTERIM_LIFTED).file.path).split())
    assert "has lifted the interim suspension" in lifted and "now: active" in lifted
