"""Individual votes are visible to staff and the board, never to the respondent
(DESIGN.md "Ballots"): the representative's case page names no voter."""

from __future__ import annotations

import re

import pytest

from cases import rendering
from cases.models import LetterKind, VoteChoice
from cases.services import ballots
from tests.factories.cases import fresh
from tests.factories.members import RepresentativeFactory
from tests.factories.people import board_members, panel_members
from tests.factories.scenes import (
    decide_appeal,
    file_appeal,
    sanctioned_case,
    setup_board_case,
    vote,
)

V = VoteChoice

VOTE_ATTRIBUTION = re.compile(
    r"\b(voted (for|against|to|violation|no violation|abstain|uphold|overturn|modify)|"
    r"has voted|their vote|vote cast by)\b",
    re.IGNORECASE,
)
VOTER_NAMES = [("Zebulon", "Quillfeather"), ("Ottoline", "Marchbanks"), ("Peregrine", "Ashdown")]


def named_board():
    members = board_members(3, prefix="voter.")
    for member, (first, last) in zip(members, VOTER_NAMES, strict=True):
        member.first_name, member.last_name = first, last
        member.save()
    return members


def assert_no_voter_named(html: str, voters) -> None:
    for member in voters:
        assert member.username not in html
        assert member.first_name not in html
        assert member.last_name not in html
    # The page may explain the appeal ("nobody who voted on the decision sits on it"),
    # but never says who voted how.
    assert not VOTE_ATTRIBUTION.search(html), VOTE_ATTRIBUTION.search(html).group(0)


def rep_page(client, bc):
    client.force_login(bc.rep)
    response = client.get(fresh(bc.case).get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert bc.case.number in html
    return html


def test_the_representative_sees_the_decision_but_no_voter(client, staff):
    board = named_board()
    bc = sanctioned_case(staff, "suspension", months=3, board=board)
    ballots.conflict_declare(case=fresh(bc.case), member=board[0], by=staff,
                             reason="Raised after the decision, for the record.")
    html = rep_page(client, bc)
    assert_no_voter_named(html, board)


def test_the_representative_sees_no_voter_while_the_appeal_is_decided(client, staff):
    board = named_board()
    bc = sanctioned_case(staff, "censure", board=board)
    panel = panel_members(2, prefix="panelist.")
    for member, name in zip(panel, ("Isadora", "Fennimore"), strict=True):
        member.first_name = member.last_name = name
        member.save()
    file_appeal(bc.case, bc.rep)
    vote(bc.case, panel[0], V.UPHOLD, reason="The censure is proportionate.")
    html = rep_page(client, bc)
    assert_no_voter_named(html, [*board, *panel])
    assert "proportionate" not in html


def test_the_representative_sees_no_voter_on_an_open_ballot(client, staff):
    board = named_board()
    bc = setup_board_case(staff, board=board)
    vote(bc.case, board[0], V.VIOLATION, "expulsion", reason="Deliberate and repeated.")
    html = rep_page(client, bc)
    assert_no_voter_named(html, board)
    assert "Deliberate and repeated" not in html


@pytest.mark.parametrize("who", ["other_rep", "anonymous"])
def test_no_one_outside_the_case_sees_the_page(client, staff, who):
    bc = sanctioned_case(staff, "censure", board=named_board())
    if who == "other_rep":
        client.force_login(RepresentativeFactory(user__username="stranger.rep").user)
    response = client.get(fresh(bc.case).get_absolute_url())
    assert response.status_code in (302, 404)
    assert "Quillfeather" not in response.content.decode()


def letter_html(case, kind) -> str:
    case = fresh(case)
    return rendering.render_html(case, kind, rendering.respondent_recipient(case))


def test_the_decision_letter_states_the_sanction_but_names_no_voter(staff):
    board = named_board()
    bc = sanctioned_case(staff, "suspension", months=3, board=board)
    html = letter_html(bc.case, LetterKind.DECISION)
    assert bc.case.number in html
    assert "suspen" in html.lower()
    assert_no_voter_named(html, board)


def test_the_appeal_decision_letter_names_no_voter(staff):
    board = named_board()
    bc = sanctioned_case(staff, "censure", board=board)
    panel = panel_members(2, prefix="panelist.")
    for member, name in zip(panel, ("Isadora", "Fennimore"), strict=True):
        member.first_name = member.last_name = name
        member.save()
    file_appeal(bc.case, bc.rep)
    for member in panel:
        vote(bc.case, member, V.OVERTURN, reason="Secret deliberation text.")
    ballots.appeal_ballot_close(case=fresh(bc.case), by=staff)
    decide_appeal(bc.case, staff, "The conduct was outside the code.")
    html = letter_html(bc.case, LetterKind.APPEAL_DECISION)
    assert "The conduct was outside the code." in html
    assert_no_voter_named(html, [*board, *panel])
    assert "Secret deliberation text." not in html
