"""A seeded year for the annual report and the precedents: cases built through the
services, then moved in time by queryset updates of their stored dates (as the other
scenes do), so every figure of the 2025 report is known in advance.

| case | received | what happened (2025 unless said)                 | days to decision | days to closing |
|------|----------|--------------------------------------------------|------------------|-----------------|
| A    | 1 Feb    | dismissed 11 Feb                                 | 10               | 10              |
| B    | 1 Mar    | withdrawn 21 Mar                                 | 20               | 20              |
| C    | 1 Apr    | warning 1 May; closed 31 May                     | 30               | 60              |
| D    | 1 Jun    | censure 11 Jul; appeal 20 Jul, overturned 20 Aug | 40               | 80              |
| E    | 1 Sep    | no violation 21 Oct (principles 3 and 5)         | 50               | 50              |
| F    | 1 Dec    | still filed                                      |                  |                 |
| G    | 15 Dec 2024 | dismissed 5 Jan                               | 21               | 21              |
| H    | 1 Nov    | dismissed 10 Jan 2026                            |                  |                 |

Complainants: A and B are a person's, E a member's representative's, the rest an
outside organization's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from cases.models import Appeal, Case, Complainant, ComplainantKind, SanctionKind, VoteChoice
from cases.workflow import CaseState
from tests.factories.cases import PrincipleFactory, ensure_principle, file_case, fresh
from tests.factories.members import OrganizationFactory
from tests.factories.scenes import (
    close_ballot,
    decide_appeal,
    run_appeal,
    sanctioned_case,
    seated_voters,
    setup_board_case,
    transition,
    vote_all,
)


def at(year: int, month: int, day: int) -> datetime.datetime:
    """Noon that day in the association's time zone."""
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


def move(case: Case, *, received, changed=None, decided=None, state=None) -> Case:
    values = {"received_on": datetime.date(*received)}
    if changed:
        values["state_changed_at"] = at(*changed)
    if decided:
        values["decided_at"] = at(*decided)
    if state:
        values["state"] = state
    Case.objects.filter(pk=case.pk).update(**values)
    return fresh(case)


def kind_of_complainant(case: Case, kind: str) -> None:
    Complainant.objects.filter(cases=case).update(kind=kind)


@dataclass
class SeededYear:
    a: Case
    b: Case
    c: Case
    d: Case
    e: Case
    f: Case
    g: Case
    h: Case
    principle: object
    other_principle: object


def seeded_year(staff) -> SeededYear:
    principle = ensure_principle()
    other = PrincipleFactory(number="5", title="Fair dealing", code=principle.code)

    a = transition(file_case(by=staff), "dismiss", staff, reason="Outside the code.")
    a = move(a, received=(2025, 2, 1), changed=(2025, 2, 11))
    kind_of_complainant(a, ComplainantKind.PERSON)

    b = transition(file_case(by=staff), "withdraw", staff, reason="The complainant withdrew.")
    b = move(b, received=(2025, 3, 1), changed=(2025, 3, 21))
    kind_of_complainant(b, ComplainantKind.PERSON)

    c = sanctioned_case(staff, SanctionKind.WARNING).case
    c = move(
        c,
        received=(2025, 4, 1),
        decided=(2025, 5, 1),
        changed=(2025, 5, 31),
        state=CaseState.CLOSED,
    )

    bc = sanctioned_case(staff, SanctionKind.CENSURE)
    run_appeal(bc, VoteChoice.OVERTURN)
    d = decide_appeal(bc.case, staff)
    d = move(d, received=(2025, 6, 1), decided=(2025, 7, 11), changed=(2025, 8, 20))
    Appeal.objects.filter(case=d).update(filed_at=at(2025, 7, 20), decided_at=at(2025, 8, 20))

    be = setup_board_case(staff, board=3, organization=OrganizationFactory())
    vote_all(be.case, seated_voters(be.case), VoteChoice.NO_VIOLATION)
    e = close_ballot(be.case, staff)
    e = move(e, received=(2025, 9, 1), decided=(2025, 10, 21), changed=(2025, 10, 21))
    kind_of_complainant(e, ComplainantKind.MEMBER_REPRESENTATIVE)
    # E cites principle 5 too (an allegation added as setup, beside the filed one).
    e.allegations.create(
        principle=other,
        conduct="Unfair terms.",
        conduct_from=datetime.date(2025, 1, 1),
        conduct_to=datetime.date(2025, 2, 1),
    )

    f = move(file_case(by=staff), received=(2025, 12, 1))

    g = transition(file_case(by=staff), "dismiss", staff, reason="Outside the code.")
    g = move(g, received=(2024, 12, 15), changed=(2025, 1, 5))

    h = transition(file_case(by=staff), "dismiss", staff, reason="Outside the code.")
    h = move(h, received=(2025, 11, 1), changed=(2026, 1, 10))

    return SeededYear(a, b, c, d, e, f, g, h, principle, other)
