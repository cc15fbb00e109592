"""The complainant's steps and actions in the table (docs/decisions/0021), from every
state for every kind of person: offered and allowed exactly where the table, and for
the complainant's appeal the procedure, allow them; refused elsewhere with the
table's reason, changing nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from cases import access, workflow
from cases.access import CodeHolder
from cases.models import ComplainantAccess, Procedure
from cases.services import lock_case
from cases.workflow import ACTIONS, STEPS, CaseState, TransitionRefused
from tests.factories.cases import case_snapshot, force_state, fresh, member_complainant
from tests.factories.letters import world_case

pytestmark = pytest.mark.django_db

NAMES = [
    "file_complainant_appeal",
    "decide_complainant_appeal",
    "message_staff",
    "message_complainant",
    "submit_complainant_evidence",
    "accept_complainant_evidence",
    "decline_complainant_evidence",
    "reissue_access_code",
    "revoke_access_code",
    "close_complainant_appeal_ballot",
]
WHO = {name: workflow.entry(name).who for name in NAMES}


def test_the_names_are_the_tables():
    assert set(NAMES) <= set(STEPS) | set(ACTIONS)
    assert {n for n, w in WHO.items() if w is workflow.COMPLAINANT} == {
        "file_complainant_appeal",
        "message_staff",
        "submit_complainant_evidence",
    }
    assert {n for n in NAMES if workflow.entry(n).path} == {
        "file_complainant_appeal",
        "decide_complainant_appeal",
        "close_complainant_appeal_ballot",
    }


@pytest.fixture
def people(world):
    """One case, its code holder, the holder of another case's code, a member
    complainant's representative (on a second case), staff, the respondent's
    representative, a board member and a panel member."""
    Procedure.objects.filter(pk=world.procedure.pk).update(complainant_appeal=True)
    case, other = world_case(world), world_case(world)
    member_case = world_case(
        world, complainant=member_complainant(world.other_rep.representative.organization)
    )

    def holder(c):
        code = ComplainantAccess.objects.get(case=c, revoked_at__isnull=True)
        return CodeHolder(case_id=c.pk, access_id=code.pk)

    return {
        "case": case,
        "member_case": member_case,
        "holder": holder(case),
        "other_holder": holder(other),
        "member_rep": world.other_rep,
        "staff": world.staff,
        "rep": world.rep,
        "board": world.board[0],
        "panel": world.panel[0],
    }


def _allowed_who(who_key, name, on_member_case):
    """Whether this kind of person is the table's `Who` for the name."""
    who = WHO[name]
    if who is workflow.STAFF:
        return who_key == "staff"
    assert who is workflow.COMPLAINANT
    return who_key == ("member_rep" if on_member_case else "holder")


@pytest.mark.parametrize("state", CaseState.values)
@pytest.mark.parametrize(
    "who_key", ["holder", "other_holder", "member_rep", "staff", "rep", "board", "panel"]
)
def test_each_new_entry_from_every_state_for_every_person(people, state, who_key):
    user = people[who_key]
    for case_key in ("case", "member_case"):
        case = force_state(people[case_key], state)
        offered = access.offered(user, case)
        for name in NAMES:
            item = workflow.entry(name)
            who_ok = _allowed_who(who_key, name, case_key == "member_case")
            expected = who_ok and state in item.states
            assert (name in offered) == expected, (case_key, who_key, state, name)
            before = case_snapshot(fresh(case))
            locked = lock_case(fresh(case))
            try:
                access.authorize(user, locked, name)
            except PermissionDenied:
                assert not who_ok, (who_key, state, name)
            except TransitionRefused as exc:
                # the state first, then the rules: the table's own words
                if state not in item.states:
                    assert item.refusal(locked) in exc.messages, (who_key, state, name)
                else:
                    assert set(exc.messages) == {c.reason for c in item.unmet(locked)}
            else:
                assert expected and not item.unmet(locked), (who_key, state, name)
            assert case_snapshot(fresh(case)) == before


@pytest.mark.parametrize("name", [n for n in NAMES if workflow.entry(n).path])
def test_with_the_path_off_the_complainants_appeal_is_never_offered(world, name):
    case = world_case(world)
    code = ComplainantAccess.objects.get(case=case, revoked_at__isnull=True)
    holder = CodeHolder(case_id=case.pk, access_id=code.pk)
    for state in workflow.entry(name).states:
        case = force_state(case, state)
        for user in (holder, world.staff):
            assert name not in access.offered(user, case)
            if workflow.who_may(user, case, name, access.relation_to(user, case)):
                with pytest.raises(TransitionRefused, match="does not provide for an appeal"):
                    access.authorize(user, lock_case(fresh(case)), name)


def test_the_fsm_refuses_the_complainants_step_to_anyone_whose_relation_it_was_not_told(world):
    """The generated FSM permission reads the relation cases.access found; a relation-
    only `Who` grants nothing without it."""
    case = world_case(world)
    code = ComplainantAccess.objects.get(case=case)
    holder = CodeHolder(case_id=case.pk, access_id=code.pk)
    assert not workflow.who_may(holder, case, "file_complainant_appeal")
    assert workflow.who_may(
        holder, case, "file_complainant_appeal", access.relation_to(holder, case)
    )
