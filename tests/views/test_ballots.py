"""The board's pages: voting (and changing a vote) from the dossier, no vote once the
ballot is closed, and "My ballots"."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Ballot, CaseEvent, Vote
from tests.factories.cases import case_snapshot, fresh, open_review
from tests.factories.dates import shown
from tests.factories.language import said
from tests.factories.pages import section, squeezed, text_of
from tests.factories.people import board_user, panel_user
from tests.factories.scenes import (
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


@pytest.fixture
def referred(c):
    case = case_with_exhibits(c.staff, c.organization)
    return refer(
        complete_review(
            open_review(case, c.staff), c.staff, rep=c.rep, reply_attachments=[our_reply()]
        ),
        c.staff,
    )


def _vote(client, case, **data):
    return client.post(reverse("cases:vote_cast", args=[case.number]), data)


def test_board_member_votes_from_the_dossier(client, c, referred):
    member = c.board[0]
    client.force_login(member)
    response = _vote(
        client, referred, choice="violation", sanction="censure", reason="Clear breach."
    )
    assert response.status_code == 302
    assert response["Location"] == referred.get_absolute_url()
    cast_vote = Vote.objects.get(ballot__case=referred, voter=member)
    assert (cast_vote.choice, cast_vote.sanction, cast_vote.reason) == (
        "violation",
        "censure",
        "Clear breach.",
    )
    page = client.get(referred.get_absolute_url())
    assert squeezed(
        said("Your vote is recorded. You may change it until the ballot closes.")
    ) in text_of(page)
    assert said("Change my vote") in page.content.decode()


def test_board_member_changes_their_vote(client, c, referred):
    member = c.board[0]
    client.force_login(member)
    assert _vote(client, referred, choice="violation", sanction="censure").status_code == 302
    response = _vote(client, referred, choice="no_violation", reason="On reflection, no.")
    assert response.status_code == 302
    votes = Vote.objects.filter(ballot__case=referred, voter=member)
    assert votes.count() == 1
    assert (votes.get().choice, votes.get().sanction) == ("no_violation", "")
    kinds = list(
        CaseEvent.objects.filter(case=referred, kind__startswith="vote_").values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["vote_cast", "vote_changed"]
    # the form shows the vote as it now stands
    form = client.get(referred.get_absolute_url()).context["vote_form"]
    assert form.initial["choice"] == "no_violation"


def test_violation_without_a_sanction_is_refused_with_the_reason(client, c, referred):
    client.force_login(c.board[0])
    before = case_snapshot(referred)
    response = _vote(client, referred, choice="violation")
    assert response.status_code == 400
    assert squeezed(
        said("With “violation found”, choose the sanction you support.")
    ) in text_of(response)
    assert case_snapshot(referred) == before


def test_vote_after_the_ballot_closed_is_403(client, c, referred):
    for member in c.board:
        vote(referred, member, "violation", "warning")
    case = close_ballot(referred, c.staff)
    assert case.state == "sanctioned"
    before = case_snapshot(case)
    client.force_login(c.board[0])
    # the dossier is still open to them, with no vote form
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    assert said("Cast my vote") not in page.content.decode()
    assert said("Change my vote") not in page.content.decode()

    response = _vote(client, case, choice="no_violation")

    assert response.status_code == 403
    assert case_snapshot(case) == before


def test_my_ballots_lists_open_ballots_for_the_member(client, c, referred):
    member = c.board[0]
    closes_on = Ballot.objects.get(case=referred).closes_on
    other = case_with_exhibits(c.staff, c.other_organization, summary="Another complaint")
    other = complete_review(
        open_review(other, c.staff), c.staff, rep=c.other_rep, reply_attachments=[our_reply()]
    )
    late_member = board_user("board.late")  # seated only on the second referral
    other = refer(other, c.staff)
    client.force_login(member)

    response = client.get(reverse("cases:my_ballots"))

    assert response.status_code == 200
    open_section = section(response, "open-h")
    assert referred.number in open_section
    assert other.number in open_section
    assert "Acme Robotics" in open_section
    assert shown(closes_on) in open_section
    assert said("Not yet voted") in open_section
    assert [r.number for r in response.context["open"]] == [referred.number, other.number]

    vote(referred, member, "abstain")
    after = client.get(reverse("cases:my_ballots"))
    assert {r.number: r.voted for r in after.context["open"]} == {
        referred.number: True,
        other.number: False,
    }

    client.force_login(late_member)
    theirs = client.get(reverse("cases:my_ballots"))
    assert [r.number for r in theirs.context["open"]] == [other.number]
    assert referred.number not in section(theirs, "open-h")


def test_my_ballots_moves_closed_ballots_and_drops_recusals(client, c, referred):
    for member in c.board:
        vote(referred, member, "no_violation")
    decided = close_ballot(referred, c.staff)
    assert decided.state == "no_violation"
    second = case_with_exhibits(c.staff, c.other_organization, summary="Another complaint")
    second = refer(complete_review(open_review(second, c.staff), c.staff), c.staff)
    member = c.board[0]
    client.force_login(member)
    conflict = client.post(
        reverse("cases:conflict_declare", args=[second.number]),
        {"conflict-reason": "My brother runs Globex."},
    )
    assert conflict.status_code == 302

    response = client.get(reverse("cases:my_ballots"))

    assert response.context["open"] == []
    assert [r.number for r in response.context["closed"]] == [decided.number]
    assert decided.number in section(response, "closed-h")
    assert second.number not in response.content.decode().split('id="open-h"')[1]
    assert fresh(second).state == "board_vote"


def test_my_ballots_is_for_board_and_panel_only(client, c):
    client.force_login(c.rep)
    assert client.get(reverse("cases:my_ballots")).status_code == 403
    client.force_login(c.staff)
    assert client.get(reverse("cases:my_ballots")).status_code == 403


# ---------------------------------------------------------------------------
# The appeals panel
# ---------------------------------------------------------------------------


def test_appeals_panel_sees_the_case_once_the_appeal_is_filed(client, c, referred):
    member = panel_user("panel.hughes", first_name="Imogen", last_name="Hughes")
    client.force_login(member)
    assert client.get(referred.get_absolute_url()).status_code == 404
    for board in c.board:
        vote(referred, board, "violation", "censure", reason=f"Reason of {board.last_name}.")
    decided = close_ballot(referred, c.staff)
    assert client.get(decided.get_absolute_url()).status_code == 404

    rep = Client()
    rep.force_login(c.rep)
    filed = rep.post(
        reverse("cases:case_step", args=[decided.number, "file_appeal"]),
        {"expected_state": "sanctioned", "reason": "The register extract was out of date."},
    )
    assert filed.status_code == 302
    assert fresh(decided).state == "under_appeal"

    page = client.get(decided.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "The register extract was out of date." in html
    assert said("Uphold the decision") in html
    # the panel sees its own ballot, not who on the board voted how
    for board in c.board:
        assert board.last_name not in html
        assert f"Reason of {board.last_name}." not in html

    response = _vote(client, decided, choice="uphold")
    assert response.status_code == 302
    assert Vote.objects.get(voter=member).choice == "uphold"


def test_board_member_who_joined_after_the_referral_gets_404(client, c, referred):
    newcomer = board_user("board.newcomer")
    client.force_login(newcomer)
    assert client.get(referred.get_absolute_url()).status_code == 404
    assert _vote(client, referred, choice="abstain").status_code == 404
