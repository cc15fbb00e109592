"""The board's and the panel's page reads top to bottom as the file, then the vote:
the deadline in days and how many have voted; the panel sees the decision under
appeal and the grounds before voting; "My ballots" leads with what awaits a vote."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import VoteChoice
from tests.factories.cases import fresh, step
from tests.factories.language import said, said_n, shown_to_client
from tests.factories.letters import decided_case, referred_case
from tests.factories.pages import squeezed, text_of
from tests.factories.scenes import vote

pytestmark = pytest.mark.django_db

GROUNDS = "The board misread the laboratory's own test records."
REASON = "The relay rating was plainly misstated in the advert."


def _html(client, user, case) -> str:
    client.force_login(user)
    return client.get(fresh(case).get_absolute_url()).content.decode()


def _positions(html: str, *ids: str) -> list[int]:
    return [html.index(f'id="{i}"') for i in ids]


def test_the_board_reads_the_file_before_the_vote_form(client, world):
    case = referred_case(world)
    html = _html(client, world.board[0], case)
    order = _positions(
        html, "facts-h", "allegations-h", "report-h", "response-h", "evidence-h", "vote-h"
    )
    assert order == sorted(order)


def test_the_vote_form_gives_the_deadline_in_days_and_how_many_have_voted(client, world):
    case = referred_case(world)
    vote(case, world.board[0], VoteChoice.VIOLATION, "censure")
    closes = case.ballots.get(kind="board").closes_on
    seated = len(world.board)

    client.force_login(world.board[1])
    text = text_of(client.get(fresh(case).get_absolute_url()))

    days_left = (closes - fresh(case).state_changed_at.date()).days
    closes_in = said(
        "closes %(distance)s, %(day)s",
        distance=said_n("in %(n)s day", "in %(n)s days", days_left, n=days_left),
        day=shown_to_client(closes, "DATE_FORMAT"),
    )
    assert said("The ballot %(closes)s.", closes=closes_in) in text
    assert squeezed(said_n(
        "%(voted)s of %(seated)s seated voter have voted.",
        "%(voted)s of %(seated)s seated voters have voted.",
        seated,
        voted=1,
        seated=seated,
    )) in text


def test_board_vote_choices_put_abstain_last(client, world):
    html = _html(client, world.board[0], referred_case(world))
    choices = re.findall(r'name="choice" value="(\w+)"', html)
    assert choices == ["violation", "no_violation", "abstain"]


def test_the_panel_sees_the_decision_under_appeal_and_the_grounds_before_voting(client, world):
    case = decided_case(world, "censure", None)
    case = step(case, "file_appeal", world.rep, reason=GROUNDS)

    html = _html(client, world.panel[0], case)

    under_appeal, grounds, form = _positions(html, "under-appeal-h", "appeal-h", "vote-h")
    assert under_appeal < grounds < form
    decision = html[under_appeal:grounds]
    found = said(
        "On %(day)s the board found that %(name)s breached the code of ethics and decided on:",
        day=shown_to_client(timezone.localtime(fresh(case).decided_at), "DATE_FORMAT"),
        name=case.respondent.name,
    )
    assert said("Censure") in decision and found in decision
    assert "laboratory&#x27;s own test records" in html[grounds:form]
    choices = re.findall(r'name="choice" value="(\w+)"', html)
    assert choices == ["uphold", "modify", "overturn", "abstain"]


def test_sanction_fields_are_enhanced_by_a_script_that_works_without_it(client, world):
    html = _html(client, world.board[0], referred_case(world))
    assert "data-vote-form" in html and "probity/vote-form.js" in html
    # Without the script every field is there: nothing is hidden in the markup.
    assert 'name="sanction"' in html and 'name="suspension_months"' in html
    form = html[html.index("data-vote-form") : html.index("</form>", html.index("data-vote-form"))]
    assert "hidden" not in form.replace('type="hidden"', "")


def _without_own_form(html: str) -> str:
    """The page but the voter's own (empty) vote form, whose options name every choice."""
    start = html.rindex("<form", 0, html.index("data-vote-form"))
    return html[:start] + html[html.index("</form>", start) :]


def test_no_page_a_voter_sees_shows_anothers_choice_while_open(client, world):
    case = referred_case(world)
    first = world.board[0]
    vote(case, first, VoteChoice.VIOLATION, "suspension", 7, reason=REASON)
    other = world.board[1]

    case_page = _html(client, other, case)
    assert REASON not in case_page and "Projected outcome" not in case_page
    pages = [_without_own_form(case_page)]
    pages.append(client.get(reverse("cases:my_ballots")).content.decode())

    for page in pages:
        for secret in (
            "Violation found",
            f"{first.get_full_name()}:",
            "7 months",
            REASON,
            "Projected outcome",
        ):
            assert secret not in page, secret
    assert first.get_full_name() in pages[0]  # who has voted, never how


def test_my_ballots_leads_with_the_ballot_awaiting_a_vote(client, world):
    case = fresh(referred_case(world))
    client.force_login(world.board[0])

    text = text_of(client.get(reverse("cases:my_ballots")))

    assert said_n("%(n)s ballot awaits your vote.", "%(n)s ballots await your vote.", 1, n=1) in text
    assert said("Read case %(number)s and vote", number=case.number) in text

    vote(case, world.board[0], VoteChoice.ABSTAIN)
    text = text_of(client.get(reverse("cases:my_ballots")))
    assert said("No ballot awaits your vote.") in text
