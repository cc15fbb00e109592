"""Counting a ballot. Pure functions over votes, so they are easy to test exhaustively.

The rules (DESIGN.md, "Ballots"), with thresholds from the case's procedure version:
- quorum: enough of the eligible voters took part (an abstention is taking part);
- a violation is found when the votes for it reach the violation threshold, out of
  the procedure's denominator (votes cast, where abstentions are not votes cast;
  or eligible voters);
- the sanction is the most severe one whose support reaches its threshold, where a
  vote for a more severe sanction also supports each lesser one.
An appeal ballot counts the same way: "uphold" supports the original sanction (and
every lesser one), "modify" supports the lesser sanction named, "overturn" none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median_low

from cases.models import (
    SANCTION_SEVERITY,
    SanctionKind,
    VoteChoice,
    VoteDenominator,
)
from cases.thresholds import describe_threshold, threshold_met

DEFAULT_SUSPENSION_MONTHS = 6


@dataclass(frozen=True)
class CastVote:
    choice: str
    sanction: str = ""
    suspension_months: int | None = None


@dataclass(frozen=True)
class Outcome:
    quorum_met: bool
    violation_found: bool
    sanction: str  # "" when none
    suspension_months: int | None
    counts: dict = field(default_factory=dict)
    rule: str = ""

    @property
    def decided(self) -> bool:
        return self.quorum_met


def _severity(kind: str) -> int:
    return SANCTION_SEVERITY.index(kind) if kind else -1


def count(
    votes: list[CastVote], *, eligible: int, procedure, original_sanction: str = ""
) -> Outcome:
    """The outcome of a ballot. With `original_sanction`, this is an appeal ballot."""
    appeal = bool(original_sanction)
    took_part = len(votes)
    if appeal:
        supporting = [v for v in votes if v.choice in (VoteChoice.UPHOLD, VoteChoice.MODIFY)]
        against = [v for v in votes if v.choice == VoteChoice.OVERTURN]
    else:
        supporting = [v for v in votes if v.choice == VoteChoice.VIOLATION]
        against = [v for v in votes if v.choice == VoteChoice.NO_VIOLATION]
    cast = len(supporting) + len(against)
    denominator = cast if procedure.vote_denominator == VoteDenominator.VOTES_CAST else eligible
    rules = procedure.describe_rules()
    quorum_met = threshold_met(procedure.quorum_rule, took_part, eligible)

    def supported_kind(v: CastVote) -> str:
        if appeal and v.choice == VoteChoice.UPHOLD:
            return original_sanction
        return v.sanction or SanctionKind.WARNING

    support = {
        kind: sum(1 for v in supporting if _severity(supported_kind(v)) >= _severity(kind))
        for kind in SANCTION_SEVERITY
    }
    counts = {
        "eligible": eligible,
        "took_part": took_part,
        "abstained": took_part - cast,
        "cast": cast,
        "for": len(supporting),
        "against": len(against),
        "support": support,
    }
    violation = quorum_met and threshold_met(procedure.violation_rule, len(supporting), denominator)
    sanction = ""
    if violation:
        ceiling = _severity(original_sanction) if appeal else len(SANCTION_SEVERITY) - 1
        for kind in reversed(SANCTION_SEVERITY[: ceiling + 1]):
            rule = (
                procedure.expulsion_rule
                if kind == SanctionKind.EXPULSION
                else procedure.sanction_rule
            )
            if threshold_met(rule, support[kind], denominator):
                sanction = kind
                break
    months = None
    if sanction == SanctionKind.SUSPENSION:
        proposals = sorted(
            v.suspension_months
            for v in supporting
            if supported_kind(v) == SanctionKind.SUSPENSION and v.suspension_months
        )
        months = median_low(proposals) if proposals else DEFAULT_SUSPENSION_MONTHS
    rule = (
        f"Quorum: {rules['quorum']}. Violation: {rules['violation']}. "
        f"Expulsion: {rules['expulsion']}; other sanctions: {rules['sanction']}. "
        "The most severe sanction reaching its threshold is imposed; a vote for a more severe "
        "sanction supports each lesser one."
    )
    return Outcome(quorum_met, violation, sanction, months, counts, rule)


def describe(outcome: Outcome, procedure) -> str:
    """The result in words, without names: for the case page and the letters."""
    c = outcome.counts
    if not outcome.quorum_met:
        return f"Quorum not reached: {c['took_part']} of {c['eligible']} eligible voters took part."
    base = f"{c['for']} of {c['cast']} votes cast found a violation ({c['abstained']} abstained)"
    if not outcome.violation_found:
        return f"No violation found: {base}; {describe_threshold(procedure.violation_rule)} was needed."
    label = dict(SanctionKind.choices).get(outcome.sanction, "no sanction")
    return f"Violation found: {base}. Sanction: {label.lower()}, supported by {c['support'].get(outcome.sanction, 0)}."


# The complainant's appeal (docs/decisions/0021): "uphold" keeps the dismissal or the
# finding of no violation; the votes to send the case back (to review or to a new
# vote) together must reach the violation threshold, and the destination is the one
# with more of them (a tie: back to review, the fuller process).
UPHELD, TO_REVIEW, TO_VOTE = "upheld", "to_review", "to_vote"


def count_complainant_appeal(votes: list[CastVote], *, eligible: int, procedure) -> Outcome:
    took_part = len(votes)
    upholding = sum(1 for v in votes if v.choice == VoteChoice.UPHOLD)
    to_review = sum(1 for v in votes if v.choice == VoteChoice.SEND_TO_REVIEW)
    to_vote = sum(1 for v in votes if v.choice == VoteChoice.SEND_TO_VOTE)
    sending_back = to_review + to_vote
    cast = upholding + sending_back
    denominator = cast if procedure.vote_denominator == VoteDenominator.VOTES_CAST else eligible
    quorum_met = threshold_met(procedure.quorum_rule, took_part, eligible)
    sent_back = quorum_met and threshold_met(procedure.violation_rule, sending_back, denominator)
    outcome = (TO_VOTE if to_vote > to_review else TO_REVIEW) if sent_back else UPHELD
    rules = procedure.describe_rules()
    counts = {
        "eligible": eligible,
        "took_part": took_part,
        "abstained": took_part - cast,
        "cast": cast,
        "for": sending_back,
        "against": upholding,
        "to_review": to_review,
        "to_vote": to_vote,
        "outcome": outcome,
    }
    rule = (
        f"Quorum: {rules['quorum']}. Sending the case back (to review or to a new vote) "
        f"needs {rules['violation']}; otherwise the decision is upheld. Between the two, "
        "the one with more votes (a tie: back to review)."
    )
    return Outcome(quorum_met, sent_back, "", None, counts, rule)


def describe_complainant_appeal(outcome: Outcome) -> str:
    c = outcome.counts
    if not outcome.quorum_met:
        return f"Quorum not reached: {c['took_part']} of {c['eligible']} eligible voters took part."
    base = (
        f"{c['against']} of {c['cast']} votes cast to uphold the decision, {c['to_review']} to "
        f"send the case back to review, {c['to_vote']} to a new vote ({c['abstained']} abstained)"
    )
    words = {
        UPHELD: "The decision is upheld",
        TO_REVIEW: "Sent back to review",
        TO_VOTE: "Sent to a new board vote",
    }
    return f"{words[c['outcome']]}: {base}."
