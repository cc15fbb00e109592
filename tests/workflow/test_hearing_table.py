"""Issue 10's steps and actions (the hearing, the comment on the review), from every
state, for every role: offered and allowed exactly where the table says, refused
elsewhere with the table's named reason; with the procedure's path off, never
offered and refused in the procedure's name. The diagram draws them only when on."""

import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import PermissionDenied

from cases import access, diagram, workflow
from cases.workflow import CaseState, TransitionRefused
from tests.factories.cases import force_state, messages_of, open_review
from tests.factories.hearings import hearing_procedure
from tests.factories.letters import world_case

pytestmark = pytest.mark.django_db

NEW = [
    name
    for name in [*workflow.STEPS, *workflow.ACTIONS]
    if workflow.entry(name).path in ("hearing", "review_comment")
]
ROLES = ["staff", "rep", "board", "other_rep"]
# Which role each `Who` of the new entries is.
WHO_ROLE = {workflow.STAFF.key: "staff", workflow.RESPONDENT.key: "rep"}


def _user(world, role):
    return {
        "staff": world.staff,
        "rep": world.rep,
        "board": world.board[0],
        "other_rep": world.other_rep,
    }[role]


def test_the_new_entries_are_in_the_table_with_their_paths():
    assert {"refer_to_hearing", "refer_after_hearing"} <= set(NEW)
    assert {
        "disclose_review",
        "comment_on_review",
        "request_hearing",
        "record_hearing_request",
        "schedule_hearing",
        "postpone_hearing",
        "name_hearing_participants",
        "record_hearing_participants",
        "record_hearing",
    } <= set(NEW)
    assert {workflow.entry(n).who.key for n in NEW} == set(WHO_ROLE)


def test_every_new_entry_from_every_state_for_every_role_follows_the_table(world):
    hearing_procedure("always", respondent_comments_on_review=True)
    base = open_review(world_case(world), world.staff)
    checked = 0
    for state in CaseState.values:
        case = force_state(base, state)
        for role in ROLES:
            user = _user(world, role)
            offered = access.offered(user, case)
            for name in NEW:
                item = workflow.entry(name)
                who = WHO_ROLE[item.who.key] == role
                here = state in item.states
                assert (name in offered) == (who and here), (name, state, role)
                if not who:
                    with pytest.raises(PermissionDenied) as refused:
                        access.authorize(user, case, name)
                    assert str(refused.value) == access.refusal_for_who(user, case, name)
                elif not here:
                    with pytest.raises(TransitionRefused) as refused:
                        access.authorize(user, case, name)
                    assert messages_of(refused.value) == [item.refusal(case)]
                else:
                    unmet = [c.reason for c in item.unmet(case)]
                    assert offered[name].unmet == item.unmet(case)
                    if unmet:
                        with pytest.raises(TransitionRefused) as refused:
                            access.authorize(user, case, name)
                        assert messages_of(refused.value) == unmet
                    else:
                        assert access.authorize(user, case, name) is item
                checked += 1
    assert checked == len(CaseState.values) * len(ROLES) * len(NEW)


def test_with_the_paths_off_nothing_new_is_offered_and_all_is_refused_by_the_procedure(world):
    base = open_review(world_case(world), world.staff)  # the world's procedure: both off
    assert not workflow.open_paths(base.procedure) & {"hearing", "review_comment"}
    for state in CaseState.values:
        case = force_state(base, state)
        for role in ROLES:
            user = _user(world, role)
            offered = access.offered(user, case)
            for name in NEW:
                item = workflow.entry(name)
                assert name not in offered, (name, state, role)
                if WHO_ROLE[item.who.key] != role:
                    with pytest.raises(PermissionDenied):
                        access.authorize(user, case, name)
                    continue
                with pytest.raises(TransitionRefused) as refused:
                    access.authorize(user, case, name)
                assert messages_of(refused.value) == [
                    workflow.path_refusal(name, case.procedure)
                ], (name, state)
    assert not workflow.rules_hold("refer_to_hearing")(force_state(base, CaseState.UNDER_REVIEW))


def test_each_path_turns_on_only_its_own_entries(world):
    hearing_procedure("on_request", respondent_comments_on_review=False)
    case = open_review(world_case(world), world.staff)
    staff, rep = access.offered(world.staff, case), access.offered(world.rep, case)
    assert "record_hearing_request" in staff and "request_hearing" in rep
    assert "disclose_review" not in staff and "comment_on_review" not in rep

    hearing_procedure("off", respondent_comments_on_review=True)
    case = open_review(world_case(world), world.staff)
    staff, rep = access.offered(world.staff, case), access.offered(world.rep, case)
    assert "disclose_review" in staff and "comment_on_review" in rep
    assert "record_hearing_request" not in staff and "request_hearing" not in rep


def _drawn(paths):
    """The steps drawn, and the ids of the SVG's states and edges."""
    steps = {e.step for e in diagram.edges(paths=paths)}
    root = ET.fromstring(diagram.workflow_svg(paths=paths))
    ids = {g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("id")}
    return steps, ids


def test_the_diagram_shows_the_hearing_only_when_the_path_is_on(world):
    off = workflow.open_paths(world.procedure)
    steps, ids = _drawn(off)
    assert not steps & {"refer_to_hearing", "refer_after_hearing"}
    assert "state-hearing" not in ids
    assert not [i for i in ids if "hearing" in i]
    assert "state-board_vote" in ids and "step-dismiss-under_review-dismissed" in ids

    on = workflow.open_paths(hearing_procedure("always"))
    steps, ids = _drawn(on)
    assert {"refer_to_hearing", "refer_after_hearing"} <= steps
    assert {
        "state-hearing",
        "step-refer_to_hearing-under_review-hearing",
        "step-refer_after_hearing-hearing-board_vote",
        "step-dismiss-hearing-dismissed",
    } <= ids
    words = diagram.text_alternative(paths=on)
    assert any(w["label"] == "Refer to a hearing before the board" for w in words)
    assert not any(
        w["label"] == "Refer to a hearing before the board"
        for w in diagram.text_alternative(paths=off)
    )
