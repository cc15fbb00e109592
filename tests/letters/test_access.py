"""Downloads and previews (issue 5): a letter is served only to whoever holds the
object permission for it (the respondent's representatives for the letters addressed
to the respondent; staff and the board with access to the case for all), with a file
name built from the case number and the kind; staff preview a letter as a draft."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Letter, LetterKind, VoteChoice
from tests.factories.letters import decided_case, referred_case, sha256
from tests.factories.people import board_user
from tests.factories.scenes import vote_all


def url_of(letter: Letter) -> str:
    return reverse("cases:letter_download", args=[letter.case.number, letter.pk])


def download(client, user, letter: Letter):
    client.force_login(user)
    return client.get(url_of(letter))


def body(response) -> bytes:
    """The streamed file (the test client closes the file once it is consumed)."""
    return b"".join(response.streaming_content)


@pytest.fixture
def decided(world):
    case = decided_case(world)
    return case, {x.kind: x for x in Letter.objects.filter(case=case)}


def test_the_url_is_the_letters_absolute_url(decided):
    _, issued = decided
    decision = issued[LetterKind.DECISION]
    assert decision.get_absolute_url() == url_of(decision)


def test_the_respondents_representative_downloads_the_decision(world, client, decided):
    case, issued = decided
    decision = issued[LetterKind.DECISION]
    response = download(client, world.rep, decision)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{case.number}-decision.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert sha256(body(response)) == decision.sha256
    # The other representative of the respondent too.
    response = download(client, world.deputy, decision)
    assert response.status_code == 200
    body(response)


def test_the_notice_downloads_with_its_kind_in_the_file_name(world, client, decided):
    case, issued = decided
    response = download(client, world.rep, issued[LetterKind.NOTICE_OF_COMPLAINT])
    assert response.status_code == 200
    assert f'filename="{case.number}-notice-of-complaint.pdf"' in response["Content-Disposition"]
    body(response)


def test_the_respondent_does_not_get_the_complainants_letters(world, client, decided):
    _, issued = decided
    for kind in (LetterKind.ACKNOWLEDGEMENT, LetterKind.OUTCOME_NOTICE):
        assert issued[kind].addressee == "complainant"
        assert download(client, world.rep, issued[kind]).status_code == 404, kind


def test_a_representative_of_another_organization_gets_404(world, client, decided):
    _, issued = decided
    for issued_letter in issued.values():
        assert download(client, world.other_rep, issued_letter).status_code == 404


def test_a_letter_id_under_another_case_number_is_404(world, client, decided):
    case, issued = decided
    decision = issued[LetterKind.DECISION]
    wrong = reverse("cases:letter_download", args=["2026-9999", decision.pk])
    client.force_login(world.staff)
    assert client.get(wrong).status_code == 404


def test_staff_download_every_letter(world, client, decided):
    _, issued = decided
    assert set(issued) == {
        LetterKind.ACKNOWLEDGEMENT,
        LetterKind.NOTICE_OF_COMPLAINT,
        LetterKind.DECISION,
        LetterKind.OUTCOME_NOTICE,
    }
    for issued_letter in issued.values():
        response = download(client, world.staff, issued_letter)
        assert response.status_code == 200
        assert sha256(body(response)) == issued_letter.sha256


def test_a_board_member_with_access_gets_the_cases_letters(world, client, decided):
    _, issued = decided
    voter = world.board[0]
    for kind in (LetterKind.DECISION, LetterKind.ACKNOWLEDGEMENT):
        response = download(client, voter, issued[kind])
        assert response.status_code == 200, kind
        assert sha256(body(response)) == issued[kind].sha256


def test_a_board_member_without_access_to_the_case_gets_404(client, decided):
    _, issued = decided
    newcomer = board_user(username="board.newcomer")  # joined after the referral: not seated
    assert download(client, newcomer, issued[LetterKind.DECISION]).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, decided):
    _, issued = decided
    response = client.get(url_of(issued[LetterKind.DECISION]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# ---------------------------------------------------------------------------
# Preview
# ---------------------------------------------------------------------------


@pytest.fixture
def open_ballot_case(world):
    """Two of three board members have voted for a six-month suspension; the ballot is open."""
    case = referred_case(world)
    vote_all(case, world.board[:2], VoteChoice.VIOLATION, "suspension", 6)
    return case


def preview_url(case, kind: str) -> str:
    return reverse("cases:letter_preview", args=[case.number, kind])


def test_staff_preview_the_decision_as_a_draft_while_the_ballot_is_open(
    world, client, open_ballot_case
):
    case = open_ballot_case
    letters_before = Letter.objects.filter(case=case).count()
    client.force_login(world.staff)
    response = client.get(preview_url(case, LetterKind.DECISION))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<div class="draft">DRAFT</div>' in html
    assert "Draft: not issued" in html
    assert case.number in html
    assert "Suspension (6 months)" in html  # the projected outcome
    assert "2 of 2 votes cast found a violation" in html
    assert "2 of 3 eligible board members took part" in html
    # Nothing was issued by looking.
    assert Letter.objects.filter(case=case).count() == letters_before
    assert not Letter.objects.filter(case=case, kind=LetterKind.DECISION).exists()


def test_preview_never_names_a_voter(world, client, open_ballot_case):
    client.force_login(world.staff)
    html = client.get(preview_url(open_ballot_case, LetterKind.DECISION)).content.decode()
    for voter in world.board[:2]:
        assert voter.last_name not in html and voter.username not in html


def test_a_representative_cannot_preview(world, client, open_ballot_case):
    client.force_login(world.rep)
    response = client.get(preview_url(open_ballot_case, LetterKind.DECISION))
    assert response.status_code in (403, 404)
    assert b"DRAFT" not in response.content


def test_a_board_member_cannot_preview(world, client, open_ballot_case):
    client.force_login(world.board[0])
    response = client.get(preview_url(open_ballot_case, LetterKind.DECISION))
    assert response.status_code in (403, 404)


def test_an_unknown_letter_kind_is_404(world, client, open_ballot_case):
    client.force_login(world.staff)
    assert client.get(preview_url(open_ballot_case, "ransom_note")).status_code == 404


# ---------------------------------------------------------------------------
# The representative's portal page lists the letters addressed to them
# ---------------------------------------------------------------------------


def test_the_portal_lists_the_respondents_letters_only(world, client, decided):
    _, issued = decided
    client.force_login(world.rep)
    page = client.get(reverse("portal")).content.decode()
    assert url_of(issued[LetterKind.NOTICE_OF_COMPLAINT]) in page
    assert url_of(issued[LetterKind.DECISION]) in page
    assert url_of(issued[LetterKind.ACKNOWLEDGEMENT]) not in page
    client.force_login(world.other_rep)
    page = client.get(reverse("portal")).content.decode()
    assert all(url_of(x) not in page for x in issued.values())
