"""Counting combined sanctions (cases.tally.count, docs/decisions/0018): a fine,
required education and conditions beside the ladder's sanction. Each is imposed when
its own supporters reach the threshold for other sanctions, never with an expulsion;
its terms are the lower median of the numbers proposed and the text most supporters
proposed. Examples, then properties over random ballots like the ladder's."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cases.models import (
    COMPLIANCE_KINDS,
    SANCTION_SEVERITY,
    SanctionKind,
    VoteChoice,
    VoteDenominator,
)
from cases.tally import CastVote, compliance_terms, count, describe
from cases.thresholds import threshold_met
from tests.services.test_tally import ABSTAIN, AGAINST, defaults, procedures

V = VoteChoice
S = SanctionKind


def for_(sanction: str, **compliance) -> CastVote:
    return CastVote(V.VIOLATION, sanction, 6 if sanction == S.SUSPENSION else None, compliance)


def fine(amount, due_days=30) -> dict:
    return {"amount": str(amount), "due_days": due_days}


# ---------------------------------------------------------------------------
# Examples
# ---------------------------------------------------------------------------


def test_a_fine_with_a_majority_of_votes_cast_goes_with_the_censure():
    votes = [for_(S.CENSURE, fine=fine(500))] * 3 + [for_(S.CENSURE)] + [AGAINST]
    outcome = count(votes, eligible=5, procedure=defaults())
    assert outcome.sanction == S.CENSURE
    assert outcome.compliance == {"fine": {"amount": "500.00", "due_days": 30}}
    assert outcome.counts["compliance_support"] == {"fine": 3, "education": 0, "conditions": 0}
    assert "fine, supported by 3" in describe(outcome, defaults())


def test_a_fine_short_of_its_threshold_is_not_imposed_though_the_violation_is_found():
    votes = [for_(S.WARNING, fine=fine(100))] * 2 + [for_(S.WARNING)] * 2 + [AGAINST]
    outcome = count(votes, eligible=5, procedure=defaults())
    assert outcome.violation_found and outcome.sanction == S.WARNING
    assert outcome.compliance == {}  # 2 of 5 votes cast is not more than half


def test_each_compliance_sanction_is_counted_on_its_own():
    course = {"what": "Ethics course", "due_days": 90}
    votes = [for_(S.CENSURE, fine=fine(200), education=course)] * 2 + [
        for_(S.CENSURE, education=course)
    ] * 2
    outcome = count(votes, eligible=4, procedure=defaults())
    assert set(outcome.compliance) == {"education"}  # the fine has 2 of 4, not more than half


def test_no_compliance_sanction_goes_with_an_expulsion():
    votes = [for_(S.EXPULSION, fine=fine(1000))] * 3
    outcome = count(votes, eligible=3, procedure=defaults())
    assert outcome.sanction == S.EXPULSION and outcome.compliance == {}


def test_a_failed_expulsion_keeps_the_fine_its_voters_supported():
    votes = [for_(S.EXPULSION, fine=fine(1000))] * 3 + [for_(S.SUSPENSION, fine=fine(400))] * 2
    outcome = count(votes, eligible=6, procedure=defaults())
    assert outcome.sanction == S.SUSPENSION  # 3 of 5 is short of two thirds
    assert outcome.compliance["fine"]["amount"] == "1000.00"  # lower median of 400,400,1000x3


def test_the_terms_are_the_lower_median_and_the_text_most_proposed():
    terms = compliance_terms(
        S.CONDITIONS,
        [
            {"terms": "B: adverts cleared first", "months": 6, "checked_by": "Staff"},
            {"terms": "A: monthly report", "months": 24, "checked_by": "Staff"},
            {"terms": "B: adverts cleared first", "months": 12, "checked_by": "The board"},
            {"terms": "A: monthly report", "months": 18},
        ],
    )
    # Two each: the tie goes to the text that sorts first.
    assert terms == {"months": 12, "terms": "A: monthly report", "checked_by": "Staff"}
    assert compliance_terms(S.FINE, [fine(100), fine(300), fine(200), fine(250)]) == {
        "amount": "200.00",
        "due_days": 30,
    }


def test_an_appeal_ballot_counts_no_compliance_sanction():
    votes = [CastVote(V.UPHOLD, "", None, {"fine": fine(10)})] * 3
    outcome = count(votes, eligible=3, procedure=defaults(), original_sanction=S.CENSURE)
    assert outcome.sanction == S.CENSURE and outcome.compliance == {}


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

TEXTS = ["Ethics course", "Advertising course", "Clear every advert", "Monthly report"]

proposal = {
    S.FINE: st.builds(
        lambda a, d: {"amount": str(a), "due_days": d},
        st.integers(min_value=1, max_value=5000),
        st.integers(min_value=1, max_value=365),
    ),
    S.EDUCATION: st.builds(
        lambda w, d: {"what": w, "due_days": d},
        st.sampled_from(TEXTS),
        st.integers(min_value=1, max_value=365),
    ),
    S.CONDITIONS: st.builds(
        lambda t, m, c: {"terms": t, "months": m, "checked_by": c},
        st.sampled_from(TEXTS),
        st.integers(min_value=1, max_value=60),
        st.sampled_from(["Staff", "The case officer"]),
    ),
}


@st.composite
def combined_vote(draw) -> CastVote:
    kinds = draw(st.lists(st.sampled_from(COMPLIANCE_KINDS), unique=True))
    return CastVote(
        V.VIOLATION,
        draw(st.sampled_from(SANCTION_SEVERITY)),
        draw(st.integers(min_value=1, max_value=36)),
        {str(k.value): draw(proposal[k]) for k in kinds},
    )


@st.composite
def combined_ballots(draw):
    eligible = draw(st.integers(min_value=1, max_value=25))
    votes = draw(
        st.lists(st.one_of(st.just(AGAINST), st.just(ABSTAIN), combined_vote()), max_size=eligible)
    )
    return eligible, votes, draw(procedures())


@settings(max_examples=200, deadline=None)
@given(ballot=combined_ballots(), data=st.data())
def test_property_no_compliance_sanction_without_its_threshold_and_order_never_matters(
    ballot, data
):
    eligible, votes, procedure = ballot
    outcome = count(votes, eligible=eligible, procedure=procedure)
    cast = sum(1 for v in votes if v.choice != V.ABSTAIN)
    denominator = cast if procedure.vote_denominator == VoteDenominator.VOTES_CAST else eligible

    for kind in COMPLIANCE_KINDS:
        # Counted here independently of the code under test.
        supporters = [v for v in votes if v.choice == V.VIOLATION and kind in v.compliance]
        reached = threshold_met(procedure.sanction_rule, len(supporters), denominator)
        if kind in outcome.compliance:
            # Never imposed with fewer supporters than its threshold, never alone, never
            # with an expulsion ...
            assert outcome.violation_found and reached
            assert outcome.sanction and outcome.sanction != S.EXPULSION
            terms = outcome.compliance[kind]
            # ... and its terms are ones its supporters proposed.
            for name, value in terms.items():
                proposed = {str(v.compliance[kind].get(name)) for v in supporters}
                if name == "amount":
                    proposed = {f"{Decimal(p):.2f}" for p in proposed}
                assert str(value) in proposed
        else:
            assert not (outcome.violation_found and reached and outcome.sanction != S.EXPULSION)

    # The order the votes come in never changes the outcome, terms included.
    reordered = data.draw(st.permutations(votes), label="reordered")
    assert count(reordered, eligible=eligible, procedure=procedure) == outcome
    shuffled = list(votes)
    random.Random(data.draw(st.integers(), label="seed")).shuffle(shuffled)
    assert count(shuffled, eligible=eligible, procedure=procedure) == outcome
