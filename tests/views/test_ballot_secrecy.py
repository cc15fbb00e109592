"""Votes are secret until the ballot closes: while it is open, a voter's page shows
who has voted, never how (no choice, sanction, reason or projected outcome), unless
the procedure says the association votes openly; staff see the tally."""

import pytest

from cases.models import Procedure, VoteChoice
from tests.factories.cases import fresh, step
from tests.factories.language import said
from tests.factories.letters import referred_case
from tests.factories.scenes import vote

pytestmark = pytest.mark.django_db

REASON = "The advert plainly misled buyers about the relay rating."


def _page(client, user, case) -> str:
    client.force_login(user)
    return client.get(fresh(case).get_absolute_url()).content.decode()


def _ballot_section(page: str) -> str:
    return page.split('id="ballots-h"')[1]


def test_an_open_ballot_shows_other_voters_who_voted_not_how(client, world):
    case = referred_case(world)
    first, second = world.board[0], world.board[1]
    vote(case, first, VoteChoice.VIOLATION, "expulsion", reason=REASON)

    ballot = _ballot_section(_page(client, second, case))

    assert first.get_full_name() in ballot
    shown = (said("Violation found"), said("Expulsion"), said("Projected outcome:"))
    for secret in (*shown, "expulsion", REASON):
        assert secret not in ballot, secret
    assert said("Votes stay secret until the ballot closes: you see who has voted, not how.") in ballot


def test_staff_see_the_tally_while_the_ballot_is_open(client, world):
    case = referred_case(world)
    vote(case, world.board[0], VoteChoice.VIOLATION, "expulsion", reason=REASON)

    page = _page(client, world.staff, case)

    assert said("Violation found") in page and REASON in page


def test_an_association_that_votes_openly_shows_the_votes(client, world):
    Procedure.objects.update(votes_visible_to_voters=True)
    case = referred_case(world)
    vote(case, world.board[0], VoteChoice.VIOLATION, "censure", reason=REASON)

    ballot = _ballot_section(_page(client, world.board[1], case))

    assert said("Violation found") in ballot and REASON in ballot


def test_after_closing_the_board_sees_how_each_voted(client, world):
    case = referred_case(world)
    for member in world.board:
        vote(case, member, VoteChoice.VIOLATION, "censure", reason=REASON)
    case = step(case, "close_ballot", world.staff)

    ballot = _ballot_section(_page(client, world.board[1], case))

    assert said("Violation found") in ballot and said("Votes stay secret until the ballot closes: you see who has voted, not how.") not in ballot


# ---------------------------------------------------------------------------
# "My ballots" stays the same size of work however many ballots a member sat on
# ---------------------------------------------------------------------------


def _queries_for_my_ballots(client, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client.force_login(member)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:my_ballots"))
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_my_ballots_runs_the_same_queries_for_two_ballots_and_for_many(client, world):
    from cases.models import Ballot
    from cases.services.ballots import close_ballots

    def close(n):
        close_ballots(Ballot.objects.filter(pk__in=Ballot.objects.order_by("pk").values("pk")[:n]))

    member = world.board[0]
    referred_case(world), referred_case(world)
    close(1)
    few, _ = _queries_for_my_ballots(client, member)
    for _ in range(12):
        referred_case(world)
    close(8)
    many, page = _queries_for_my_ballots(client, member)

    assert many == few
    assert page.count(said("Not yet voted")) == 6  # the open ones
