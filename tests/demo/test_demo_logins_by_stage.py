"""README's table of demo logins holds: each representative it names finds their case
at the stage it says (and the filed case's respondent finds none), and each board and
panel member it names finds the ballot awaiting their vote."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from cases.models import Case
from cases.selectors import my_ballots, portal_case_summary
from members.models import Organization

pytestmark = pytest.mark.django_db

# README, "What each login finds": the representative's organization and the stages of
# the cases they see.
REPRESENTATIVES = {
    "cobalt-motion-systems": [],
    "redfern-automation": ["under_review"],
    "westcott-partners": ["under_review"],
    "kestrel-integration": ["board_vote"],
    "larchmont-systems": ["sanctioned"],
    "saltmarsh-integration": ["under_appeal"],
    "quarry-hill-controls": ["closed"],
    "elmstead-supply": ["no_violation"],
}
AWAITING_A_VOTE = {
    "board.evans": ["board_vote"],
    "board.fisher": ["board_vote"],
    "board.gupta": ["board_vote"],
    "panel.ito": ["under_appeal"],
    # the complainant's appeal (panel.ito has voted on it)
    "panel.jones": ["complainant_appeal", "under_appeal"],
    "panel.hughes": ["complainant_appeal"],
}


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())


def test_each_representative_sees_the_case_and_stage_readme_names(demo):
    for slug, stages in REPRESENTATIVES.items():
        rep = User.objects.get(username=f"rep.{slug}")
        organization = Organization.objects.get(slug=slug)
        cases = portal_case_summary(organization=organization, user=rep)
        assert sorted(c.state for c in cases) == stages, slug


def test_each_voter_readme_names_has_a_ballot_awaiting_their_vote(demo):
    for username, states in AWAITING_A_VOTE.items():
        mine = my_ballots(user=User.objects.get(username=username))
        waiting = [row for row in mine["open"] if not row.voted]
        stage = dict(Case.objects.values_list("number", "state"))
        assert sorted(stage[row.number] for row in waiting) == states, username
        assert mine["first_to_vote"] == waiting[0] and mine["to_vote_count"] == len(waiting)
    mine = my_ballots(user=User.objects.get(username="board.adams"))
    assert mine["first_to_vote"] is None and mine["to_vote_count"] == 0
