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

Compliance sanctions (a fine, required education, conditions) are not on the ladder:
a vote for a violation may support any of them besides its ladder sanction, each is
imposed when its own supporters reach the sanction threshold, and never alongside an
expulsion. Their terms are the lower median of the numbers proposed (amount, days,
months) and the text proposed by most supporters, ties going to the text that sorts
first, so the order of the votes never matters (docs/decisions/0018).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median_low

from django.utils import translation
from django.utils.translation import gettext as _

from cases.models import (
    COMPLIANCE_KINDS,
    SANCTION_SEVERITY,
    SanctionKind,
    VoteChoice,
    VoteDenominator,
)
from cases.thresholds import describe_threshold, threshold_met

DEFAULT_SUSPENSION_MONTHS = 6

# An outcome's rule is stored with the ballot (Ballot.outcome_rule): always in English,
# whatever the language of the person who closed it.
STORED_LANGUAGE = "en"


@dataclass(frozen=True)
class CastVote:
    choice: str
    sanction: str = ""
    suspension_months: int | None = None
    # The compliance sanctions supported besides `sanction`, each with its proposed
    # terms: {"fine": {"amount": "500.00", "due_days": 30}, ...}.
    compliance: dict = field(default_factory=dict, hash=False)


# The terms each compliance sanction takes: the numbers (counted by their lower
# median) and the texts (the one most supporters proposed).
COMPLIANCE_NUMBERS = {
    SanctionKind.FINE: ("amount", "due_days"),
    SanctionKind.EDUCATION: ("due_days",),
    SanctionKind.CONDITIONS: ("months",),
}
COMPLIANCE_TEXTS = {
    SanctionKind.FINE: ("currency",),
    SanctionKind.EDUCATION: ("what",),
    SanctionKind.CONDITIONS: ("terms", "checked_by"),
}


@dataclass(frozen=True)
class Outcome:
    quorum_met: bool
    violation_found: bool
    sanction: str  # "" when none
    suspension_months: int | None
    counts: dict = field(default_factory=dict)
    rule: str = ""
    # The compliance sanctions imposed, with their terms (see COMPLIANCE_NUMBERS).
    compliance: dict = field(default_factory=dict)

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
    with translation.override(STORED_LANGUAGE):
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
    compliance_support = {
        kind.value: sum(1 for v in supporting if kind in (v.compliance or {}))
        for kind in COMPLIANCE_KINDS
    }
    compliance = {}
    if sanction and sanction != SanctionKind.EXPULSION and not appeal:
        for kind in COMPLIANCE_KINDS:
            if threshold_met(procedure.sanction_rule, compliance_support[kind], denominator):
                proposals = [v.compliance[kind] for v in supporting if kind in (v.compliance or {})]
                compliance[kind.value] = compliance_terms(kind, proposals)
    counts["compliance_support"] = compliance_support
    rule = (
        f"Quorum: {rules['quorum']}. Violation: {rules['violation']}. "
        f"Expulsion: {rules['expulsion']}; other sanctions: {rules['sanction']}. "
        "The most severe sanction reaching its threshold is imposed; a vote for a more severe "
        "sanction supports each lesser one. A fine, required education and conditions are "
        "each imposed besides it when their own supporters reach the threshold for other "
        "sanctions, never with an expulsion; their terms are the lower median of the numbers "
        "proposed and the text most supporters proposed."
    )
    return Outcome(quorum_met, violation, sanction, months, counts, rule, compliance)


def compliance_terms(kind: str, proposals: list[dict]) -> dict:
    """The terms of a compliance sanction from its supporters' proposals: for each
    number the lower median, for each text the one proposed most often (ties: the one
    that sorts first). Independent of the order of the proposals."""
    terms: dict = {}
    for name in COMPLIANCE_NUMBERS[kind]:
        values = sorted(Decimal(str(p[name])) for p in proposals if p.get(name) not in (None, ""))
        if values:
            value = median_low(values)
            terms[name] = f"{value:.2f}" if name == "amount" else int(value)
    for name in COMPLIANCE_TEXTS[kind]:
        texts = Counter(str(p[name]).strip() for p in proposals if str(p.get(name, "")).strip())
        if texts:
            terms[name] = min(texts, key=lambda t: (-texts[t], t.casefold(), t))
    return terms


def describe(outcome: Outcome, procedure) -> str:
    """The result in words, without names: for the case page and the letters."""
    c = outcome.counts
    if not outcome.quorum_met:
        return _quorum_not_reached(c)
    base = _("%(for)s of %(cast)s votes cast found a violation (%(abstained)s abstained)") % c
    if not outcome.violation_found:
        message = _("No violation found: %(base)s; %(needed)s was needed.")
        return message % {"base": base, "needed": describe_threshold(procedure.violation_rule)}
    labels = dict(SanctionKind.choices)
    label = labels.get(outcome.sanction) or _("no sanction")
    text = _("Violation found: %(base)s. Sanction: %(sanction)s, supported by %(support)s") % {
        "base": base,
        "sanction": str(label).lower(),
        "support": c["support"].get(outcome.sanction, 0),
    }
    besides = [
        _("%(sanction)s, supported by %(support)s")
        % {
            "sanction": str(labels[kind]).lower(),
            "support": c.get("compliance_support", {}).get(kind, 0),
        }
        for kind in outcome.compliance
    ]
    if besides:
        return _("%(text)s; with %(besides)s.") % {"text": text, "besides": "; ".join(besides)}
    return _("%(text)s.") % {"text": text}


def _quorum_not_reached(c: dict) -> str:
    return _("Quorum not reached: %(took_part)s of %(eligible)s eligible voters took part.") % c


@dataclass(frozen=True)
class InterimOutcome:
    quorum_met: bool
    passed: bool
    counts: dict
    rule: str


def count_interim(votes: list[CastVote], *, eligible: int, procedure) -> InterimOutcome:
    """An interim suspension ballot (to impose one, or to lift it): it passes when quorum
    is met and the votes in favour reach the procedure's interim threshold, out of its
    denominator (votes cast, abstentions not counted; or eligible voters)."""
    took_part = len(votes)
    in_favour = sum(1 for v in votes if v.choice == VoteChoice.FOR)
    against = sum(1 for v in votes if v.choice == VoteChoice.AGAINST)
    cast = in_favour + against
    denominator = cast if procedure.vote_denominator == VoteDenominator.VOTES_CAST else eligible
    quorum_met = threshold_met(procedure.quorum_rule, took_part, eligible)
    passed = quorum_met and threshold_met(procedure.interim_suspension_rule, in_favour, denominator)
    counts = {
        "eligible": eligible,
        "took_part": took_part,
        "abstained": took_part - cast,
        "cast": cast,
        "for": in_favour,
        "against": against,
    }
    with translation.override(STORED_LANGUAGE):
        rules = procedure.describe_rules()
        rule = (
            f"Quorum: {rules['quorum']}. Passes with "
            f"{describe_threshold(procedure.interim_suspension_rule)} of "
            f"{procedure.get_vote_denominator_display()} in favour."
        )
    return InterimOutcome(quorum_met, passed, counts, rule)


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
    with translation.override(STORED_LANGUAGE):
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
        return _quorum_not_reached(c)
    base = (
        _(
            "%(against)s of %(cast)s votes cast to uphold the decision, %(to_review)s to "
            "send the case back to review, %(to_vote)s to a new vote (%(abstained)s abstained)"
        )
        % c
    )
    words = {
        UPHELD: _("The decision is upheld"),
        TO_REVIEW: _("Sent back to review"),
        TO_VOTE: _("Sent to a new board vote"),
    }
    return _("%(outcome)s: %(base)s.") % {"outcome": words[c["outcome"]], "base": base}
