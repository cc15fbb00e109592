"""Paths the procedure turns on or off: a step or action on a path that the case's
procedure turns off is not offered, is refused in the procedure's name, is not drawn,
and fails the FSM's condition; on, it is all of these as usual."""

import dataclasses
import xml.etree.ElementTree as ET

import pytest

from cases import access, diagram, workflow
from cases.checks import path_problems
from cases.workflow import TransitionRefused
from tests.factories.cases import file_case, messages_of
from tests.factories.people import staff_user


@pytest.fixture
def on_a_path(monkeypatch):
    """'link_case' and 'withdraw' moved onto a path that is on when the procedure's
    notes say "paths: on"."""
    monkeypatch.setitem(
        workflow.PATHS,
        "trial",
        workflow.Path("trial", "a trial path", lambda p: p.notes == "paths: on"),
    )
    for table, name in ((workflow.ACTIONS, "link_case"), (workflow.STEPS, "withdraw")):
        monkeypatch.setitem(table, name, dataclasses.replace(table[name], path="trial"))
    diagram.workflow_svg.cache_clear()
    yield
    diagram.workflow_svg.cache_clear()


@pytest.mark.django_db
def test_off_the_path_is_neither_offered_nor_allowed(on_a_path):
    staff = staff_user()
    case = file_case()
    offered = access.offered(staff, case)
    assert "link_case" not in offered and "withdraw" not in offered
    with pytest.raises(TransitionRefused) as refused:
        access.authorize(staff, case, "link_case")
    assert messages_of(refused.value) == [
        f"The procedure this case follows (version {case.procedure.version}) "
        "does not provide for a trial path."
    ]
    assert not workflow.rules_hold("withdraw")(case)


@pytest.mark.django_db
def test_on_the_path_it_is_offered_and_allowed(on_a_path):
    staff = staff_user()
    case = file_case()
    case.procedure.notes = "paths: on"
    offered = access.offered(staff, case)
    assert "link_case" in offered and "withdraw" in offered
    assert access.authorize(staff, case, "link_case").name == "link_case"
    assert workflow.rules_hold("withdraw")(case)


def _drawn_steps(svg: str) -> set[str]:
    root = ET.fromstring(svg)
    return {
        g.get("id").split("-")[1]
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if (g.get("id") or "").startswith("step-")
    }


@pytest.mark.django_db
def test_the_diagram_draws_a_path_only_when_the_procedure_turns_it_on(on_a_path):
    case = file_case()
    off = workflow.open_paths(case.procedure)
    assert "withdraw" not in {e.step for e in diagram.edges(paths=off)}
    assert "withdraw" not in _drawn_steps(diagram.workflow_svg(paths=off))
    case.procedure.notes = "paths: on"
    on = workflow.open_paths(case.procedure)
    assert on == {"trial"}
    assert "withdraw" in {e.step for e in diagram.edges(paths=on)}
    assert "withdraw" in _drawn_steps(diagram.workflow_svg(paths=on))


def test_a_path_the_table_does_not_define_fails_the_system_check(monkeypatch):
    assert path_problems() == []
    monkeypatch.setitem(
        workflow.ACTIONS,
        "link_case",
        dataclasses.replace(workflow.ACTIONS["link_case"], path="nowhere"),
    )
    assert path_problems() == [
        "“link_case” names the path “nowhere”, which is not in workflow.PATHS."
    ]
