"""The table's entries for resolution by consent, interim suspension and consolidation
(docs/decisions/0020), from every state for every role: offered and allowed exactly
where the table and the case's procedure allow them, refused with the named reason
elsewhere (who: 403; the procedure's path off: named; the state: named)."""

import pytest
from django.core.exceptions import PermissionDenied

from cases import access, workflow
from cases.models import Case, Procedure
from cases.workflow import CaseState, TransitionRefused
from tests.factories.cases import fresh, messages_of
from tests.factories.members import OrganizationFactory, representative_of
from tests.factories.people import staff_user
from tests.factories.scenes import seated_voters, setup_board_case

pytestmark = pytest.mark.django_db

NEW = [
    "accept_consent",
    "offer_consent",
    "offer_consent_as_board",
    "refuse_consent",
    "lapse_consent",
    "propose_interim_suspension",
    "request_interim_lifting",
    "vote_interim",
    "close_interim_ballot",
    "consolidate_case",
]
ROLE_OF_WHO = {"staff": "staff", "respondent": "respondent", "voter": "voter"}
STATES = list(CaseState.values)


@pytest.fixture
def people_and_case():
    """A case before the board: staff, the respondent's representative (notified, so
    holding respond_to_case), a seated board member, and another member's rep."""
    staff = staff_user()
    bc = setup_board_case(staff, board=3)
    outsider = representative_of(OrganizationFactory())
    people = {
        "staff": staff,
        "respondent": bc.rep,
        "voter": seated_voters(bc.case)[0],
        "outsider": outsider,
    }
    return people, bc.case


def _in(case: Case, state: str, *, paths_on: bool) -> Case:
    Case.objects.filter(pk=case.pk).update(state=state)
    Procedure.objects.filter(pk=case.procedure_id).update(
        consent_resolution=paths_on, interim_suspension=paths_on, consolidation=paths_on
    )
    return fresh(case)


def _expected(name: str, role: str, state: str, paths_on: bool) -> str:
    item = workflow.entry(name)
    if ROLE_OF_WHO.get(item.who.key) != role:
        return "who"
    if not paths_on:
        return "path"
    if state not in item.states:
        return "state"
    return "allowed"  # its own rules may still wait (listed as reasons)


def _outcome(user, case, name: str) -> str:
    try:
        access.authorize(user, case, name)
    except PermissionDenied:
        return "who"
    except TransitionRefused as exc:
        text = " ".join(messages_of(exc))
        if text == workflow.path_refusal(name, case.procedure):
            return "path"
        if text == workflow.entry(name).refusal(case):
            return "state"
        return "allowed"  # refused by one of its rules, named
    return "allowed"


@pytest.mark.parametrize("paths_on", [True, False], ids=["paths on", "paths off"])
@pytest.mark.parametrize("state", STATES)
def test_every_new_entry_for_every_role_from_every_state(people_and_case, state, paths_on):
    people, case = people_and_case
    for name in NEW:
        for role, user in people.items():
            case = _in(case, state, paths_on=paths_on)
            expected = _expected(name, role, state, paths_on)
            assert _outcome(user, case, name) == expected, (name, role, state)
            offered = name in access.offered(user, fresh(case))
            assert offered == (expected == "allowed"), (name, role, state)


def test_with_the_paths_off_nothing_new_is_offered_to_anyone(people_and_case):
    people, case = people_and_case
    for state in STATES:
        case = _in(case, state, paths_on=False)
        for user in people.values():
            assert not set(NEW) & set(access.offered(user, fresh(case))), state


def test_the_deadline_job_may_lapse_offers_and_close_interim_ballots_only():
    assert {n for n in NEW if workflow.entry(n).system_may} == {
        "lapse_consent",
        "close_interim_ballot",
    }


def test_an_open_consent_offer_holds_referral_and_the_decision():
    assert "consent_answered_before_referral" in workflow.STEPS["refer_to_board"].rules
    assert "consent_answered_before_decision" in workflow.STEPS["close_ballot"].rules
