"""The one table (cases/workflow.py) is what the state machine, the services and the
pages follow: the FSM on Case is generated from STEPS (a system check fails if they
ever differ), every in-state action is authorized by cases.access from ACTIONS, and
each page offers an action's form exactly when the table allows it to that user."""

import dataclasses

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases import access, checks, workflow
from cases.models import Amendment, Case, CaseEvent, Recusal, _fsm_transition
from cases.services import complaint_amend, conflict_declare
from cases.workflow import ACTIONS, STEPS, CaseState, TransitionRefused
from tests.factories.cases import allegation, fresh, open_review, step
from tests.factories.letters import (
    decided_case,
    dismissed_case,
    referred_case,
    world_case,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# The FSM follows the table
# ---------------------------------------------------------------------------


def test_the_fsm_on_case_is_exactly_the_tables_steps():
    assert checks.fsm_differences() == []
    assert checks.probity_state_machine(None) == []


def test_every_step_leads_to_real_states():
    for name, step_ in STEPS.items():
        assert step_.targets, name
        assert set(step_.targets) <= set(CaseState.values), name
    assert set(STEPS["close_ballot"].targets) == {CaseState.SANCTIONED, CaseState.NO_VIOLATION}


def test_a_changed_target_in_the_table_makes_the_system_check_fail(monkeypatch):
    changed = dataclasses.replace(STEPS["finalize"], targets=(CaseState.FILED,))
    monkeypatch.setitem(workflow.STEPS, "finalize", changed)

    errors = checks.probity_state_machine(None)

    assert [e.id for e in errors] == ["probity.E002"]
    assert "finalize" in errors[0].msg and "filed" in errors[0].msg


def test_a_changed_source_or_a_step_missing_from_case_makes_the_system_check_fail(monkeypatch):
    monkeypatch.setitem(
        workflow.STEPS, "dismiss", dataclasses.replace(STEPS["dismiss"], sources=("filed",))
    )
    monkeypatch.setitem(
        workflow.STEPS,
        "suspend_interim",
        dataclasses.replace(STEPS["reopen"], name="suspend_interim"),
    )

    messages = " ".join(e.msg for e in checks.probity_state_machine(None))

    assert "“dismiss”: the table's sources" in messages
    assert "“suspend_interim” has no transition on Case" in messages


def test_the_generated_transition_follows_a_changed_target():
    changed = dataclasses.replace(STEPS["finalize"], targets=(CaseState.FILED,))

    method = _fsm_transition(changed)

    meta = method._django_fsm
    assert {t.target for t in meta.transitions.values()} == {CaseState.FILED}
    assert set(meta.transitions) == set(changed.sources)


def test_a_name_is_a_step_or_an_action_never_both():
    assert not set(STEPS) & set(ACTIONS)
    for action in ACTIONS.values():
        assert action.states and set(action.states) <= set(CaseState.values), action.name
        for rule in action.rules:
            assert rule in workflow.RULES, (action.name, rule)


# ---------------------------------------------------------------------------
# The two disagreements the table fixed
# ---------------------------------------------------------------------------


def test_declaring_a_conflict_is_refused_outside_a_vote_and_changes_nothing(world):
    """The pages offered "declare a conflict" only during a vote, but the service took
    it in any state: a board member could be recused from a decided case."""
    case = decided_case(world)
    member = world.board[0]
    assert "view_case" in access.case_permissions(member, fresh(case))
    events = CaseEvent.objects.filter(case=case).count()

    with pytest.raises(TransitionRefused) as refused:
        conflict_declare(case=fresh(case), member=member, reason="I know them.", by=member)

    assert "declare a conflict of interest while the case is sanctioned" in str(refused.value)
    assert not Recusal.objects.filter(case=case, member=member).exists()
    assert CaseEvent.objects.filter(case=case).count() == events
    assert "declare_conflict" not in access.offered(member, fresh(case))


def test_declaring_a_conflict_during_the_vote_is_offered_and_accepted(world):
    case = referred_case(world)
    member = world.board[0]
    assert "declare_conflict" in access.offered(member, fresh(case))

    conflict_declare(case=fresh(case), member=member, reason="I know them.", by=member)

    assert Recusal.objects.filter(case=case, member=member).exists()


def test_the_amended_notice_is_not_offered_after_a_dismissal(client, world):
    """The staff page showed "issue amended notice" whenever amendments awaited a
    notice, but the service refuses it outside review (after a dismissal or a reopen)."""
    case = dismissed_case(world)
    complaint_amend(
        case=fresh(case),
        by=world.staff,
        reason="A second advert came to light.",
        allegations=[allegation(world.principle)],
    )
    assert Amendment.objects.filter(case=case, needs_notice=True, noticed_at__isnull=True)
    client.force_login(world.staff)

    page = client.get(fresh(case).get_absolute_url()).content.decode()

    assert reverse("cases:amended_notice_issue", args=[case.number]) not in page
    assert "issue_amended_notice" not in access.offered(world.staff, fresh(case))
    response = client.post(reverse("cases:amended_notice_issue", args=[case.number]))
    assert response.status_code == 302
    assert Amendment.objects.filter(case=case, noticed_at__isnull=True).exists()


def test_the_amended_notice_is_offered_under_review_when_an_amendment_waits(client, world):
    case = open_review(world_case(world), world.staff)
    url = reverse("cases:amended_notice_issue", args=[case.number])
    client.force_login(world.staff)
    assert url not in client.get(case.get_absolute_url()).content.decode()

    complaint_amend(
        case=fresh(case),
        by=world.staff,
        reason="A second advert came to light.",
        allegations=[allegation(world.principle)],
    )

    assert access.offered(world.staff, fresh(case))["issue_amended_notice"].ready
    assert url in client.get(case.get_absolute_url()).content.decode()


# ---------------------------------------------------------------------------
# Each page offers an action's form exactly when the table allows it
# ---------------------------------------------------------------------------

# The form (or link) by which each page offers an action, by its URL.
ACTION_URLS = {
    "amend": "cases:complaint_amend",
    "add_evidence": "cases:evidence_add",
    "accept_late_filing": None,  # offered only for a late complaint (its own test)
    "reopen_response_window": "cases:response_window_reopen",
    "write_review_report": "cases:review_report_save",
    "respond": None,  # offered while the response window is open (its own test)
    "vote": "cases:vote_cast",
    "declare_conflict": "cases:conflict_declare",
    "record_party_conflict": "cases:conflict_record",
}


def _cases_in_each_state(world):
    filed = world_case(world)
    under_review = open_review(world_case(world), world.staff)
    board_vote = referred_case(world)
    sanctioned = decided_case(world)
    dismissed = step(
        open_review(world_case(world), world.staff),
        "dismiss",
        world.staff,
        reason="Outside the code.",
    )
    return [filed, under_review, board_vote, sanctioned, dismissed]


@pytest.mark.parametrize("who", ["staff", "rep", "board"])
def test_each_page_offers_a_form_exactly_when_the_table_allows_it(client, world, who):
    user = {"staff": world.staff, "rep": world.rep, "board": world.board[0]}[who]
    client.force_login(user)
    checked = 0
    for case in _cases_in_each_state(world):
        case = fresh(case)
        response = client.get(case.get_absolute_url())
        if response.status_code == 404:  # this user may not see the case at all
            assert not access.can_view_case(user, case)
            continue
        page = response.content.decode()
        offered = access.offered(user, case)
        for name, url_name in ACTION_URLS.items():
            if url_name is None:
                continue
            url = f'"{reverse(url_name, args=[case.number])}"'  # a form's action or a link
            assert (url in page) == (name in offered), (who, case.state, name)
            checked += 1
        for name in STEPS:
            url = f'"{reverse("cases:case_step", args=[case.number, name])}"'
            shown = url in page
            assert shown == (name in offered), (who, case.state, name)
    assert checked


def test_the_response_form_is_offered_exactly_while_the_window_is_open(client, world):
    case = open_review(world_case(world), world.staff)
    url = reverse("cases:response_submit", args=[case.number])
    client.force_login(world.rep)
    assert access.offered(world.rep, fresh(case))["respond"].ready
    assert url in client.get(case.get_absolute_url()).content.decode()

    Case.objects.filter(pk=case.pk).update(response_due_on=case.response_due_on.replace(year=2000))

    assert not access.offered(world.rep, fresh(case))["respond"].ready
    assert url not in client.get(case.get_absolute_url()).content.decode()


def test_who_is_refused_before_the_state(world):
    case = fresh(decided_case(world))
    with pytest.raises(PermissionDenied):
        access.authorize(world.rep, case, "write_review_report")
    with pytest.raises(TransitionRefused):
        access.authorize(world.staff, case, "write_review_report")
