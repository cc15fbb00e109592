"""Counting a ballot (cases.tally.count): the rules of DESIGN.md "Ballots", on the
procedure's defaults, and a property-based check over random ballots.

The default procedure: quorum more than half of the eligible voters; a violation needs
more than half of the votes cast (abstentions are not votes cast); expulsion at least
two thirds; other sanctions more than half."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from cases.models import (
    SANCTION_SEVERITY,
    Procedure,
    SanctionKind,
    VoteChoice,
    VoteDenominator,
)
from cases.tally import DEFAULT_SUSPENSION_MONTHS, CastVote, count, describe
from cases.thresholds import stricter, threshold_met

V = VoteChoice
S = SanctionKind


def for_(sanction: str, months: int | None = None) -> CastVote:
    if sanction == S.SUSPENSION and months is None:
        months = 6
    return CastVote(V.VIOLATION, sanction, months)


AGAINST = CastVote(V.NO_VIOLATION)
ABSTAIN = CastVote(V.ABSTAIN)


def defaults() -> Procedure:
    return Procedure()  # unsaved: the model's defaults


# ---------------------------------------------------------------------------
# The domain's examples
# ---------------------------------------------------------------------------


def test_the_default_procedure_is_the_one_the_design_describes():
    p = defaults()
    assert (p.quorum_rule, p.violation_rule, p.sanction_rule, p.expulsion_rule) == (
        ">1/2", ">1/2", ">1/2", ">=2/3",
    )
    assert p.vote_denominator == VoteDenominator.VOTES_CAST


def test_expulsion_with_five_of_seven_votes_cast_passes():
    votes = [for_(S.EXPULSION)] * 5 + [AGAINST] * 2
    outcome = count(votes, eligible=7, procedure=defaults())
    assert outcome.quorum_met and outcome.violation_found
    assert outcome.sanction == S.EXPULSION  # 5/7 >= 2/3
    assert outcome.counts["support"][S.EXPULSION] == 5
    assert outcome.suspension_months is None


def test_expulsion_with_four_of_seven_falls_back_to_the_most_severe_sanction_with_a_majority():
    votes = [for_(S.EXPULSION)] * 4 + [for_(S.CENSURE)] + [AGAINST] * 2
    outcome = count(votes, eligible=7, procedure=defaults())
    assert outcome.violation_found  # 5 of 7 found a violation
    # 4/7 < 2/3 for expulsion; the four expulsion votes support suspension: 4/7 > 1/2.
    assert outcome.sanction == S.SUSPENSION
    assert outcome.counts["support"] == {
        S.WARNING: 5, S.CENSURE: 5, S.SUSPENSION: 4, S.EXPULSION: 4,
    }
    # Nobody proposed a length: the default length applies.
    assert outcome.suspension_months == DEFAULT_SUSPENSION_MONTHS


def test_abstentions_take_part_but_are_not_votes_cast():
    votes = [for_(S.CENSURE)] * 3 + [AGAINST] * 2 + [ABSTAIN] * 2
    outcome = count(votes, eligible=7, procedure=defaults())
    assert outcome.counts["took_part"] == 7
    assert outcome.counts["cast"] == 5
    assert outcome.counts["abstained"] == 2
    # 3 of 5 cast is a majority; 3 of 7 would not be.
    assert outcome.violation_found
    assert outcome.sanction == S.CENSURE


def test_abstentions_count_towards_quorum():
    outcome = count([for_(S.WARNING)] + [ABSTAIN] * 3, eligible=7, procedure=defaults())
    assert outcome.quorum_met  # 4 of 7 took part
    assert outcome.violation_found and outcome.sanction == S.WARNING  # 1 of 1 cast


def test_quorum_not_met_decides_no_violation():
    votes = [for_(S.EXPULSION)] * 3
    outcome = count(votes, eligible=7, procedure=defaults())
    assert not outcome.quorum_met
    assert not outcome.decided
    assert not outcome.violation_found
    assert outcome.sanction == ""
    assert describe(outcome, defaults()).startswith("Quorum not reached: 3 of 7")


def test_exactly_half_is_not_a_quorum_or_a_majority_by_default():
    assert not count([for_(S.WARNING)] * 2, eligible=4, procedure=defaults()).quorum_met
    outcome = count([for_(S.WARNING)] * 2 + [AGAINST] * 2, eligible=4, procedure=defaults())
    assert outcome.quorum_met and not outcome.violation_found


def test_a_more_severe_vote_supports_each_lesser_sanction():
    votes = [
        for_(S.EXPULSION), for_(S.EXPULSION),
        for_(S.SUSPENSION, 12),
        for_(S.CENSURE),
        for_(S.WARNING),
    ]
    outcome = count(votes, eligible=5, procedure=defaults())
    assert outcome.counts["support"] == {
        S.WARNING: 5, S.CENSURE: 4, S.SUSPENSION: 3, S.EXPULSION: 2,
    }
    # No single kind has a majority of its own, but suspension is supported by 3 of 5.
    assert outcome.sanction == S.SUSPENSION
    assert outcome.suspension_months == 12  # the one length proposed


def test_the_suspension_length_is_the_lower_median_of_the_lengths_proposed():
    votes = [for_(S.SUSPENSION, 3), for_(S.SUSPENSION, 12), for_(S.SUSPENSION, 6),
             for_(S.SUSPENSION, 24)]
    outcome = count(votes, eligible=4, procedure=defaults())
    assert outcome.sanction == S.SUSPENSION
    assert outcome.suspension_months == 6


def test_the_eligible_denominator_counts_absent_voters_against():
    votes = [for_(S.CENSURE)] * 4 + [AGAINST] + [ABSTAIN] * 2
    cast = count(votes, eligible=9, procedure=defaults())
    eligible = count(
        votes, eligible=9, procedure=Procedure(vote_denominator=VoteDenominator.ELIGIBLE)
    )
    assert cast.quorum_met and eligible.quorum_met  # 7 of 9 took part
    assert cast.violation_found and cast.sanction == S.CENSURE  # 4 of 5 cast
    assert not eligible.violation_found and eligible.sanction == ""  # 4 of 9 eligible


def test_the_eligible_denominator_can_deny_expulsion_that_votes_cast_would_grant():
    votes = [for_(S.EXPULSION)] * 4 + [AGAINST] + [ABSTAIN]  # one of 7 did not vote
    cast = count(votes, eligible=7, procedure=defaults())
    eligible = count(
        votes, eligible=7, procedure=Procedure(vote_denominator=VoteDenominator.ELIGIBLE)
    )
    assert cast.sanction == S.EXPULSION  # 4 of 5 cast >= 2/3
    assert eligible.violation_found  # 4 of 7 eligible > 1/2
    assert eligible.sanction == S.SUSPENSION  # 4 of 7 eligible < 2/3 for expulsion


def test_the_stored_rule_names_the_thresholds_applied():
    outcome = count([for_(S.WARNING)], eligible=1, procedure=defaults())
    assert "at least two thirds of votes cast" in outcome.rule
    assert "more than half of eligible voters must vote" in outcome.rule


# ---------------------------------------------------------------------------
# Appeal ballots
# ---------------------------------------------------------------------------


def appeal(votes, original=S.SUSPENSION, eligible=None):
    return count(
        votes, eligible=eligible or len(votes), procedure=defaults(), original_sanction=original
    )


UPHOLD = CastVote(V.UPHOLD)
OVERTURN = CastVote(V.OVERTURN)


def modify(sanction: str, months: int | None = None) -> CastVote:
    return CastVote(V.MODIFY, sanction, months)


def test_an_appeal_upheld_keeps_the_original_sanction():
    outcome = appeal([UPHOLD] * 3 + [OVERTURN])
    assert outcome.violation_found
    assert outcome.sanction == S.SUSPENSION  # == original: upheld


def test_an_appeal_modified_imposes_the_lesser_sanction_with_support():
    outcome = appeal([modify(S.CENSURE)] * 3 + [UPHOLD], original=S.EXPULSION)
    # Uphold (expulsion) supports censure too: 4 of 4 for censure, 1 of 4 for more.
    assert outcome.violation_found
    assert outcome.sanction == S.CENSURE  # lesser than the original: modified


def test_an_appeal_overturned_imposes_nothing():
    outcome = appeal([OVERTURN] * 3 + [UPHOLD])
    assert not outcome.violation_found
    assert outcome.sanction == ""  # overturned


def test_an_appeal_never_imposes_more_than_the_original():
    # A "modify" vote naming a more severe sanction cannot raise the sanction above it.
    outcome = appeal([modify(S.EXPULSION)] * 4, original=S.CENSURE)
    assert outcome.sanction == S.CENSURE


# ---------------------------------------------------------------------------
# Property: over random ballots and random valid procedures
# ---------------------------------------------------------------------------

RULES = [">1/2", ">=1/2", ">=2/3", ">=3/5", ">2/3"]


@st.composite
def procedures(draw) -> Procedure:
    violation = draw(st.sampled_from(RULES))
    sanction = draw(st.sampled_from([r for r in RULES if not stricter(r, violation)]))
    p = Procedure(
        quorum_rule=draw(st.sampled_from(RULES)),
        violation_rule=violation,
        sanction_rule=sanction,
        expulsion_rule=draw(st.sampled_from(RULES)),
        vote_denominator=draw(st.sampled_from(VoteDenominator.values)),
    )
    assert not p.problems(), p.problems()
    return p


def board_votes(n: int):
    vote = st.one_of(
        st.just(AGAINST),
        st.just(ABSTAIN),
        st.builds(
            CastVote,
            st.just(V.VIOLATION),
            st.sampled_from(SANCTION_SEVERITY),
            st.integers(min_value=1, max_value=36),
        ),
    )
    return st.lists(vote, min_size=0, max_size=n)


@st.composite
def ballots(draw):
    eligible = draw(st.integers(min_value=1, max_value=25))
    votes = draw(board_votes(eligible))
    return eligible, votes, draw(procedures())


def rule_for(procedure: Procedure, kind: str) -> str:
    return procedure.expulsion_rule if kind == S.EXPULSION else procedure.sanction_rule


def support(votes, kind: str) -> int:
    """Counted here independently of the code under test."""
    rank = SANCTION_SEVERITY.index(kind)
    return sum(
        1 for v in votes
        if v.choice == V.VIOLATION and SANCTION_SEVERITY.index(v.sanction or S.WARNING) >= rank
    )


@settings(max_examples=200, deadline=None)
@given(ballot=ballots(), data=st.data())
def test_property_the_outcome_follows_the_thresholds_and_ignores_order(ballot, data):
    eligible, votes, procedure = ballot
    outcome = count(votes, eligible=eligible, procedure=procedure)

    cast = sum(1 for v in votes if v.choice != V.ABSTAIN)
    denominator = cast if procedure.vote_denominator == VoteDenominator.VOTES_CAST else eligible
    violation_votes = sum(1 for v in votes if v.choice == V.VIOLATION)

    assert outcome.quorum_met == threshold_met(procedure.quorum_rule, len(votes), eligible)
    assert outcome.violation_found == (
        outcome.quorum_met and threshold_met(procedure.violation_rule, violation_votes, denominator)
    )
    if outcome.sanction:
        # Never a sanction whose support is below its threshold ...
        assert outcome.violation_found
        assert threshold_met(
            rule_for(procedure, outcome.sanction), support(votes, outcome.sanction), denominator
        )
        # ... and the most severe one that reaches it.
        rank = SANCTION_SEVERITY.index(outcome.sanction)
        for harsher in SANCTION_SEVERITY[rank + 1 :]:
            assert not threshold_met(
                rule_for(procedure, harsher), support(votes, harsher), denominator
            )
    else:
        # With a sanction rule no stricter than the violation rule, a violation always
        # carries at least a warning.
        assert not outcome.violation_found
    if outcome.sanction == S.SUSPENSION:
        proposed = {v.suspension_months for v in votes
                    if v.choice == V.VIOLATION and v.sanction == S.SUSPENSION}
        assert outcome.suspension_months in proposed | {DEFAULT_SUSPENSION_MONTHS}

    # The order the votes come in never matters.
    reordered = data.draw(st.permutations(votes), label="reordered")
    assert count(reordered, eligible=eligible, procedure=procedure) == outcome
    shuffled = list(votes)
    random.Random(data.draw(st.integers(), label="seed")).shuffle(shuffled)
    assert count(shuffled, eligible=eligible, procedure=procedure) == outcome


def appeal_votes(n: int):
    vote = st.one_of(
        st.just(UPHOLD),
        st.just(OVERTURN),
        st.just(ABSTAIN),
        st.builds(
            CastVote,
            st.just(V.MODIFY),
            st.sampled_from(SANCTION_SEVERITY[:3]),
            st.integers(min_value=1, max_value=36),
        ),
    )
    return st.lists(vote, min_size=0, max_size=n)


@settings(max_examples=100, deadline=None)
@given(
    eligible=st.integers(min_value=1, max_value=15),
    original=st.sampled_from(SANCTION_SEVERITY[1:]),
    procedure=procedures(),
    data=st.data(),
)
def test_property_an_appeal_never_worsens_the_sanction_and_ignores_order(
    eligible, original, procedure, data
):
    votes = data.draw(appeal_votes(eligible))
    # A valid "modify" names a sanction less severe than the original (the form enforces it).
    votes = [
        v for v in votes
        if v.choice != V.MODIFY
        or SANCTION_SEVERITY.index(v.sanction) < SANCTION_SEVERITY.index(original)
    ]
    outcome = count(votes, eligible=eligible, procedure=procedure, original_sanction=original)
    if outcome.sanction:
        assert SANCTION_SEVERITY.index(outcome.sanction) <= SANCTION_SEVERITY.index(original)
    if not any(v.choice in (V.UPHOLD, V.MODIFY) for v in votes):
        assert outcome.sanction == ""
    reordered = data.draw(st.permutations(votes))
    assert count(
        reordered, eligible=eligible, procedure=procedure, original_sanction=original
    ) == outcome
