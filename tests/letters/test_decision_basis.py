"""A decision shows its basis: the response and the findings that answer it, each
principle once, the factors weighed, the prior record considered, and any dissent
(named only where the procedure says so)."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases import rendering, services
from cases.models import LetterKind, Procedure, VoteChoice
from tests.factories.cases import allegation, file_case, fresh, open_review, step
from tests.factories.language import said
from tests.factories.letters import (
    decided_case,
    letter,
    pdf_text,
    review,
    world_case,
)
from tests.factories.scenes import vote

pytestmark = pytest.mark.django_db

AGGRAVATING = "The advert ran for a year after the first warning."
MITIGATING = "The member withdrew the advert the day the complaint arrived."
DISSENT = "The advert was ambiguous, not misleading; I would have found no violation."


def _decision_html(case) -> str:
    """The decision letter's HTML as issued: in its recipient's language, whatever
    language a page read earlier in the test left active."""
    case = fresh(case)
    recipient = rendering.respondent_recipient(case)
    with translation.override(rendering.letter_language(recipient.language)):
        return rendering.render_html(case, LetterKind.DECISION, recipient)


def _to_the_board_with_factors(world, *, allegations=None):
    case = (
        world_case(world)
        if allegations is None
        else file_case(by=world.staff, respondent=world.organization, allegations=allegations)
    )
    case = review(world, open_review(case, world.staff))
    services.review_report_save(
        case=fresh(case),
        by=world.staff,
        text="The advert misled buyers.",
        rests_on_single_source=False,
        aggravating=[AGGRAVATING, "  "],
        mitigating=[MITIGATING],
    )
    return step(case, "refer_to_board", world.staff)


def test_the_review_report_keeps_its_factors_and_the_record_says_so(world):
    case = fresh(_to_the_board_with_factors(world))

    assert case.review_aggravating == [AGGRAVATING]
    assert case.review_mitigating == [MITIGATING]
    event = case.events.filter(kind="review_report_saved").last()
    assert event.payload["aggravating"] == [AGGRAVATING]


def test_a_minority_dissent_is_in_the_decision_without_the_name(world):
    case = _to_the_board_with_factors(world)
    majority, minority = world.board[:2], world.board[2]
    for member in majority:
        vote(case, member, VoteChoice.VIOLATION, "censure")
    services.vote_cast(
        case=fresh(case), voter=minority, choice=VoteChoice.NO_VIOLATION, dissent=DISSENT
    )
    case = step(case, "close_ballot", world.staff)

    html = _decision_html(case)

    assert "A member of the board dissented" in html and DISSENT in html
    assert minority.last_name not in html
    assert AGGRAVATING in html and MITIGATING in html


def test_the_dissent_names_its_author_where_the_procedure_says_so(world):
    Procedure.objects.update(dissent_names_shown=True)
    case = _to_the_board_with_factors(world)
    for member in world.board[:2]:
        vote(case, member, VoteChoice.VIOLATION, "censure")
    services.vote_cast(
        case=fresh(case), voter=world.board[2], choice=VoteChoice.NO_VIOLATION, dissent=DISSENT
    )
    case = step(case, "close_ballot", world.staff)

    assert world.board[2].get_full_name() in _decision_html(case)


def test_a_majority_voters_dissent_text_is_not_a_dissent(world):
    case = _to_the_board_with_factors(world)
    for member in world.board:
        services.vote_cast(
            case=fresh(case),
            voter=member,
            choice=VoteChoice.VIOLATION,
            sanction="censure",
            dissent="I would have gone further.",
        )
    case = step(case, "close_ballot", world.staff)

    assert "dissented" not in _decision_html(case)


def test_each_principle_is_listed_once_with_its_allegations(world):
    two = [allegation(world.principle), allegation(world.principle, conduct="A second advert.")]
    case = _to_the_board_with_factors(world, allegations=two)
    for member in world.board:
        vote(case, member, VoteChoice.VIOLATION, "warning")
    case = step(case, "close_ballot", world.staff)

    html = _decision_html(case)
    breached = html.split("Principles found breached")[1].split("</ul>")[0]

    assert breached.count(f"Principle {world.principle.number},") == 1
    assert "allegations 1, 2" in breached


def test_the_decision_quotes_the_response_it_answers(world):
    case = decided_case(world, "censure", None)

    html = _decision_html(case)

    response = fresh(case).responses.get()
    assert "responded on" in html and response.text[:40] in html


def test_the_prior_record_is_shown_to_the_deciders_and_considered_in_the_letter(client, world):
    earlier = decided_case(world, "censure", None)
    later = referred_case_again(world)
    client.force_login(world.board[0])

    page = client.get(later.get_absolute_url()).content.decode()

    assert said("The respondent's prior record") in page and earlier.number in page
    for member in world.board:
        vote(later, member, VoteChoice.VIOLATION, "warning")
    later = step(later, "close_ballot", world.staff)
    html = _decision_html(later)
    assert "Prior record considered" in html and earlier.number in html


def test_the_prior_record_is_not_shown_where_the_procedure_withholds_it(client, world):
    Procedure.objects.update(deciders_see_prior_record=False)
    decided_case(world, "censure", None)
    later = referred_case_again(world)
    client.force_login(world.board[0])

    page = client.get(later.get_absolute_url()).content.decode()

    assert "prior record" not in page.lower()


def referred_case_again(world):
    case = review(world, open_review(world_case(world), world.staff))
    return step(case, "refer_to_board", world.staff)


@pytest.mark.real_pdf
def test_dissent_and_factors_are_in_the_issued_letter(world, tmp_path):
    case = _to_the_board_with_factors(world)
    for member in world.board[:2]:
        vote(case, member, VoteChoice.VIOLATION, "censure")
    services.vote_cast(
        case=fresh(case), voter=world.board[2], choice=VoteChoice.NO_VIOLATION, dissent=DISSENT
    )
    case = step(case, "close_ballot", world.staff)

    text = " ".join(pdf_text(letter(case, LetterKind.DECISION).file.path).split())

    assert "Dissent" in text and "would have found no violation" in text
    assert "Factors considered" in text and "withdrew the advert" in text


def test_the_vote_form_offers_a_dissent_and_keeps_it(client, world):
    case = _to_the_board_with_factors(world)
    member = world.board[0]
    client.force_login(member)
    client.post(
        reverse("cases:vote_cast", args=[case.number]),
        {"choice": "no_violation", "dissent": DISSENT},
    )

    page = client.get(case.get_absolute_url()).content.decode()

    assert 'name="dissent"' in page and DISSENT in page
