"""What the respondent's representative sees of their case: the evidence disclosed to
them and nothing else, the complainant only as the procedure or the complainant allows,
and never who voted how (DESIGN.md, "Roles and what they may see")."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Evidence, IdentityDisclosure, Letter
from tests.factories.cases import (
    COMPLAINANT_EMAIL,
    COMPLAINANT_NAME,
    COMPLAINANT_ORG,
    adopt_procedure,
    fresh,
    open_review,
)
from tests.factories.language import said
from tests.factories.pages import text_of
from tests.factories.scenes import (
    DISCLOSED_TITLE,
    UNDISCLOSED_TITLE,
    case_with_exhibits,
    cast,
    close_ballot,
    complete_review,
    our_reply,
    refer,
    vote,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(db):
    return cast(board=3)


def _download(client, case, evidence):
    return client.get(reverse("cases:evidence_download", args=[case.number, evidence.pk]))


# ---------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------


def test_representative_sees_and_downloads_disclosed_evidence(client, c):
    case = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    disclosed = Evidence.objects.get(case=case, title=DISCLOSED_TITLE)
    client.force_login(c.rep)

    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    assert DISCLOSED_TITLE in page.content.decode()
    assert reverse("cases:evidence_download", args=[case.number, disclosed.pk]) in (
        page.content.decode()
    )

    response = _download(client, case, disclosed)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="disclosed-0.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_representative_never_sees_undisclosed_evidence(client, c):
    case = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    withheld = Evidence.objects.get(case=case, title=UNDISCLOSED_TITLE)
    client.force_login(c.rep)

    page = client.get(case.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert UNDISCLOSED_TITLE not in html
    assert withheld.sha256 not in html
    assert reverse("cases:evidence_download", args=[case.number, withheld.pk]) not in html
    assert _download(client, case, withheld).status_code == 404

    # staff see and download it: the file exists
    client.force_login(c.staff)
    assert UNDISCLOSED_TITLE in client.get(case.get_absolute_url()).content.decode()
    assert _download(client, case, withheld).status_code == 200


def test_withholding_evidence_later_takes_it_from_the_representative(client, c):
    case = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    disclosed = Evidence.objects.get(case=case, title=DISCLOSED_TITLE)
    client.force_login(c.staff)
    response = client.post(
        reverse("cases:evidence_disclosure", args=[case.number, disclosed.pk]), {"disclosed": "0"}
    )
    assert response.status_code == 302

    rep = Client()  # the representative's own browser (staff's flash message is in theirs)
    rep.force_login(c.rep)
    assert DISCLOSED_TITLE not in rep.get(case.get_absolute_url()).content.decode()
    assert _download(rep, case, disclosed).status_code == 404


def test_evidence_of_another_case_is_404_under_this_case_number(client, c):
    mine = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    theirs = open_review(case_with_exhibits(c.staff, c.other_organization), c.staff)
    foreign = Evidence.objects.get(case=theirs, title=DISCLOSED_TITLE)
    client.force_login(c.rep)
    url = reverse("cases:evidence_download", args=[mine.number, foreign.pk])
    assert client.get(url).status_code == 404


def test_representative_gets_their_letters_but_not_the_complainants(client, c):
    case = open_review(case_with_exhibits(c.staff, c.organization), c.staff)
    notice = Letter.objects.get(case=case, kind="notice_of_complaint")
    acknowledgement = Letter.objects.get(case=case, kind="acknowledgement")
    assert acknowledgement.addressee == "complainant"
    client.force_login(c.rep)

    html = client.get(case.get_absolute_url()).content.decode()
    assert reverse("cases:letter_download", args=[case.number, notice.pk]) in html
    assert reverse("cases:letter_download", args=[case.number, acknowledgement.pk]) not in html
    got = client.get(reverse("cases:letter_download", args=[case.number, notice.pk]))
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith("attachment;")
    refused = client.get(reverse("cases:letter_download", args=[case.number, acknowledgement.pk]))
    assert refused.status_code == 404


# ---------------------------------------------------------------------------
# The complainant's identity
# ---------------------------------------------------------------------------


def _respondent_page(client, c, *, consents: bool, rule: str = IdentityDisclosure.WITH_CONSENT):
    adopt_procedure(complainant_identity=rule)
    case = open_review(case_with_exhibits(c.staff, c.organization, consents=consents), c.staff)
    assert fresh(case).procedure.complainant_identity == rule
    client.force_login(c.rep)
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    return page.content.decode()


def test_complainant_is_not_named_to_the_respondent_without_consent(client, c):
    html = _respondent_page(client, c, consents=False)
    assert COMPLAINANT_NAME not in html
    assert COMPLAINANT_EMAIL not in html
    assert COMPLAINANT_ORG not in html
    assert said("Not disclosed under the association's procedure") in html


def test_complainant_is_named_to_the_respondent_with_consent(client, c):
    html = _respondent_page(client, c, consents=True)
    assert COMPLAINANT_NAME in html
    assert COMPLAINANT_ORG in html


def test_procedure_that_never_discloses_wins_over_consent(client, c):
    html = _respondent_page(client, c, consents=True, rule=IdentityDisclosure.NEVER)
    assert COMPLAINANT_NAME not in html
    assert COMPLAINANT_EMAIL not in html


def test_procedure_that_always_discloses_names_the_complainant(client, c):
    html = _respondent_page(client, c, consents=False, rule=IdentityDisclosure.ALWAYS)
    assert COMPLAINANT_NAME in html


def test_staff_always_see_the_complainant(client, c):
    adopt_procedure(complainant_identity=IdentityDisclosure.WITH_CONSENT)
    case = case_with_exhibits(c.staff, c.organization, consents=False)
    client.force_login(c.staff)
    html = client.get(case.get_absolute_url()).content.decode()
    assert COMPLAINANT_NAME in html
    assert COMPLAINANT_EMAIL in html


# ---------------------------------------------------------------------------
# Votes after the decision
# ---------------------------------------------------------------------------


@pytest.fixture
def decided(c):
    """Three board members voted, with reasons; the ballot is closed: censure."""
    case = case_with_exhibits(c.staff, c.organization)
    case = refer(complete_review(open_review(case, c.staff), c.staff, rep=c.rep, reply_attachments=[our_reply()]), c.staff)
    vote(case, c.board[0], "violation", "expulsion", reason="Egregious and repeated deceit.")
    vote(case, c.board[1], "violation", "censure", reason="Serious but a first offence.")
    vote(case, c.board[2], "no_violation", reason="The advert was ambiguous at worst.")
    case = close_ballot(case, c.staff)
    assert case.state == "sanctioned"
    return case


def test_representative_never_sees_votes_or_voters(client, c, decided):
    client.force_login(c.rep)
    page = client.get(decided.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    text = text_of(page)
    assert "censure" in text.lower()  # the decision itself is shown
    for member in c.board:
        assert member.last_name not in html
        assert member.first_name not in html
        assert member.username not in html
    for reason in (
        "Egregious and repeated deceit.",
        "Serious but a first offence.",
        "The advert was ambiguous at worst.",
    ):
        assert reason not in html
    assert "Violation found" not in text
    assert "No violation found" not in text
    assert "Expulsion" not in text
    # the portal's list of cases names nobody either
    portal = client.get(reverse("cases:portal_cases")).content.decode()
    assert all(m.last_name not in portal for m in c.board)


def test_staff_and_board_see_the_individual_votes(client, c, decided):
    """The control for the test above: the page does carry the votes for those who may."""
    for user in (c.staff, c.board[2]):
        client.force_login(user)
        html = client.get(decided.get_absolute_url()).content.decode()
        assert "Quartermaine" in html
        assert "Egregious and repeated deceit." in html
