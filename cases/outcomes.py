"""Reading ballots and sanctions: who sat and voted, the count so far, the sanction
in force, the appeal's result. Pure reads over the models and the tally, used by the
letters, the pages and the services alike."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from association.prefetch import load_together
from cases import tally, workflow
from cases.models import (
    COMPLIANCE_KINDS,
    SANCTION_SEVERITY,
    Allegation,
    AppealOutcome,
    Ballot,
    BallotKind,
    BallotSeat,
    Case,
    Sanction,
    Vote,
)


def ballots_with_votes():
    return Ballot.objects.prefetch_related(
        Prefetch("seats", queryset=BallotSeat.objects.select_related("voter")),
        Prefetch("votes", queryset=Vote.objects.select_related("voter")),
    )


def attach_seats_and_votes(ballots: list[Ballot], *, among: QuerySet[Ballot]) -> list[Ballot]:
    """Give each of `ballots` its seats and votes, with their voters, as
    `ballots_with_votes()` does, in two queries that run even when `ballots` is empty.

    `among` is a queryset of the same ballots; the seats and votes are selected by it
    as a subquery. A nested `prefetch_related` runs no query for an empty list, so a
    page that shows ballots would run two queries more when there is one (the case
    page, the dashboard): its query count would depend on the case, not only the code.
    """
    ids = among.values("pk")
    seats: dict[int, list[BallotSeat]] = defaultdict(list)
    for seat in BallotSeat.objects.filter(ballot__in=ids).select_related("voter"):
        seats[seat.ballot_id].append(seat)
    votes: dict[int, list[Vote]] = defaultdict(list)
    for v in Vote.objects.filter(ballot__in=ids).select_related("voter"):
        votes[v.ballot_id].append(v)
    for ballot in ballots:
        for row in seats[ballot.pk] + votes[ballot.pk]:
            row.ballot = ballot
        _store_prefetched(ballot, "seats", seats[ballot.pk])
        _store_prefetched(ballot, "votes", votes[ballot.pk])
    return ballots


def _store_prefetched(instance, related_name: str, rows: list) -> None:
    """What `prefetch_related` leaves on an instance: its related manager's queryset,
    already evaluated, so `instance.<related_name>.all()` runs no query."""
    queryset = getattr(instance, related_name).all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[related_name] = queryset


def open_ballot(case: Case, kind: str) -> Ballot | None:
    return ballots_with_votes().filter(case=case, kind=kind, closed_at__isnull=True).first()


def eligible_votes(ballot: Ballot) -> list[Vote]:
    seated = {s.voter_id for s in ballot.seats.all() if s.recused_at is None}
    return [v for v in ballot.votes.all() if v.voter_id in seated]


def ballot_outcome(ballot: Ballot, procedure, original_sanction: str = "") -> tally.Outcome:
    votes = [
        tally.CastVote(v.choice, v.sanction, v.suspension_months, v.compliance or {})
        for v in eligible_votes(ballot)
    ]
    eligible = sum(1 for s in ballot.seats.all() if s.recused_at is None)
    if ballot.kind == BallotKind.COMPLAINANT_APPEAL:
        return tally.count_complainant_appeal(votes, eligible=eligible, procedure=procedure)
    return tally.count(
        votes, eligible=eligible, procedure=procedure, original_sanction=original_sanction
    )


def ballot_status(ballot: Ballot, procedure, original_sanction: str = "") -> dict:
    """Who has voted, who has not, who is recused, quorum, and the projected outcome."""
    votes = {v.voter_id: v for v in eligible_votes(ballot)}
    seats = list(ballot.seats.all())
    outcome = ballot_outcome(ballot, procedure, original_sanction)
    return {
        "ballot": ballot,
        "voted": [
            (s.voter, votes[s.voter_id])
            for s in seats
            if s.recused_at is None and s.voter_id in votes
        ],
        "not_voted": [s.voter for s in seats if s.recused_at is None and s.voter_id not in votes],
        "recused": [s.voter for s in seats if s.recused_at is not None],
        "outcome": outcome,
        "projection": (
            tally.describe_complainant_appeal(outcome)
            if ballot.kind == BallotKind.COMPLAINANT_APPEAL
            else tally.describe(outcome, procedure)
        )
        if outcome.quorum_met
        else "",
    }


def current_sanction(case: Case) -> Sanction | None:
    """The ladder's sanction in force (warning to expulsion): the one an appeal is about.
    The compliance sanctions beside it are `compliance_sanctions`."""
    return (
        Sanction.objects.filter(case=case, rescinded_at__isnull=True, kind__in=SANCTION_SEVERITY)
        .order_by("-decided_at", "-pk")
        .first()
    )


def compliance_sanctions(case: Case) -> list[Sanction]:
    """The fines, education and conditions decided in the case and not rescinded, with
    their compliance records."""
    return list(
        Sanction.objects.filter(case=case, rescinded_at__isnull=True, kind__in=COMPLIANCE_KINDS)
        .select_related("compliance")
        .order_by("pk")
    )


def appeal_result(case: Case) -> tuple[str, str, int | None]:
    """(outcome, sanction kind kept, suspension months) from the closed appeal ballot."""
    ballot = (
        Ballot.objects.filter(case=case, kind=BallotKind.APPEAL, closed_at__isnull=False)
        .order_by("-closed_at")
        .first()
    )
    original = current_sanction(case)
    if not ballot.violation_found or not ballot.sanction_kind:
        return AppealOutcome.OVERTURNED, "", None
    if original and ballot.sanction_kind == original.kind:
        return AppealOutcome.UPHELD, original.kind, None
    return AppealOutcome.MODIFIED, ballot.sanction_kind, ballot.suspension_months


def case_officers(case: Case) -> set[int]:
    """Everyone who acted as case officer, from the record: the current one and any
    earlier one the case was handed over from."""
    usernames = set()
    for kind, payload in case.events.filter(
        kind__in=["filed", "case_officer_assigned"]
    ).values_list("kind", "payload"):
        usernames.update(
            [payload.get("case_officer")]
            if kind == "filed"
            else [payload.get("from"), payload.get("to")]
        )
    ids = set(
        User.objects.filter(username__in=[u for u in usernames if u]).values_list("pk", flat=True)
    )
    return ids | {case.case_officer_id}


OVERDUE_BALLOTS_LIMIT = 100


def overdue_ballot_parts(
    today: datetime.date, limit: int = OVERDUE_BALLOTS_LIMIT
) -> dict[str, QuerySet]:
    """The rows `overdue_ballots` reads, for association.prefetch.load_together (the
    dashboard reads them with its other lists, in its one query): the `limit` longest
    overdue, the same ones in the ballots and in their seats' and votes' subquery."""
    overdue = Ballot.objects.filter(closed_at__isnull=True, closes_on__lt=today).order_by(
        "closes_on", "pk"
    )
    ids = overdue.values("pk")[:limit]
    return {
        "overdue_ballots": overdue.select_related("case", "case__respondent", "case__procedure")[
            :limit
        ],
        "overdue_seats": BallotSeat.objects.filter(ballot__in=ids).select_related("voter"),
        "overdue_votes": Vote.objects.filter(ballot__in=ids).select_related("voter"),
    }


def overdue_from(rows: dict[str, list]) -> list[Ballot]:
    """The overdue ballots without quorum, from the rows of `overdue_ballot_parts`."""
    ballots = rows["overdue_ballots"]
    # Grouped once by ballot (not a scan of every seat per ballot).
    seats_of: dict[int, list] = {}
    votes_of: dict[int, list] = {}
    for seat in rows["overdue_seats"]:
        seats_of.setdefault(seat.ballot_id, []).append(seat)
    for vote in rows["overdue_votes"]:
        votes_of.setdefault(vote.ballot_id, []).append(vote)
    for ballot in ballots:
        seats = seats_of.get(ballot.pk, [])
        votes = votes_of.get(ballot.pk, [])
        for item in seats + votes:
            item.ballot = ballot
        _store_prefetched(ballot, "seats", seats)
        _store_prefetched(ballot, "votes", votes)
    return [b for b in ballots if not workflow.ballot_quorum(b, b.case.procedure).holds]


def overdue_ballots(today: datetime.date | None = None) -> list[Ballot]:
    """Open ballots past their closing date without quorum: flagged on the dashboard.
    One query whether or not a ballot is overdue: the dashboard's count is fixed."""
    return overdue_from(load_together(overdue_ballot_parts(today or timezone.localdate())))


def prior_record(case: Case) -> list[dict]:
    """The respondent's earlier violations, for the deciders: each earlier case of the
    same respondent in which a violation was found, with its date, the principles
    found breached and the sanction (and whether an appeal lifted it)."""
    earlier = (
        Case.objects.filter(respondent_id=case.respondent_id, decided_at__isnull=False)
        .exclude(pk=case.pk)
        # A violation found by the board, or a sanction accepted by consent.
        .filter(
            Q(ballots__kind=BallotKind.BOARD, ballots__violation_found=True)
            | Q(consent_offers__status="accepted")
        )
        .distinct()
        .prefetch_related(
            "sanctions",
            Prefetch("allegations", Allegation.objects.select_related("principle", "finding")),
        )
        .order_by("-decided_at")
    )
    if case.decided_at is not None:
        earlier = earlier.filter(decided_at__lt=case.decided_at)
    record = []
    for other in earlier[:50]:
        breached = sorted(
            {
                a.principle.number
                for a in other.allegations.all()
                if getattr(a, "finding", None) and a.finding.conclusion == "substantiated"
            }
        )
        sanctions = [s for s in other.sanctions.all() if s.replaces_id is None]
        record.append(
            {
                "case": other,
                "decided_on": timezone.localtime(other.decided_at).date(),
                "principles": breached,
                "sanction": sanctions[0] if sanctions else None,
            }
        )
    return record


def dissents(ballot: Ballot) -> list[Vote]:
    """The votes on the losing side of a closed board ballot that carry a dissent."""
    if ballot is None or ballot.closed_at is None:
        return []
    losing = "no_violation" if ballot.violation_found else "violation"
    return [v for v in eligible_votes(ballot) if v.choice == losing and v.dissent.strip()]
