"""The workflow diagram is drawn from the table: its states and edges are the table's,
the case's state is highlighted and the steps open to the user are marked; the pages
show it with a text alternative."""

import dataclasses
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from cases import diagram, workflow
from cases.workflow import STEPS, CaseState
from tests.factories.cases import file_case, open_review
from tests.factories.language import colon, said, said_p

SVG = "{http://www.w3.org/2000/svg}"


def _ids(svg: str, prefix: str) -> dict[str, str]:
    root = ET.fromstring(svg)
    return {
        g.get("id"): g.get("class", "")
        for g in root.iter(f"{SVG}g")
        if (g.get("id") or "").startswith(prefix)
    }


def test_the_diagrams_states_and_edges_are_the_tables():
    # every path on: every state is drawn (a path's own states only with it)
    states = _ids(diagram.workflow_svg(paths=frozenset(workflow.PATHS)), "state-")
    plain = diagram.workflow_svg()  # no path on
    steps = _ids(plain, "step-")
    drawn = {key.removeprefix("state-") for key in _ids(plain, "state-")}

    assert set(states) == {f"state-{s}" for s in CaseState.values}
    # the steps of no path; a path's steps where the procedure turns it on
    assert set(steps) == {
        f"step-{s.name}-{source}-{target}"
        for s in STEPS.values()
        if not s.path
        for source in s.sources
        for target in s.targets
        if {source, target} <= drawn  # a path's own states (hearing) only with it
    }
    with_paths = _ids(diagram.workflow_svg(paths=frozenset(workflow.PATHS)), "step-")
    assert set(with_paths) == {
        f"step-{s.name}-{source}-{target}"
        for s in STEPS.values()
        for source in s.sources
        for target in s.targets
    }


def test_the_diagram_changes_when_the_table_does(monkeypatch):
    changed = dataclasses.replace(STEPS["finalize"], targets=(CaseState.FILED,))
    monkeypatch.setitem(workflow.STEPS, "finalize", changed)
    diagram.workflow_svg.cache_clear()
    try:
        steps = _ids(diagram.workflow_svg(), "step-")
    finally:
        monkeypatch.undo()
        diagram.workflow_svg.cache_clear()

    assert "step-finalize-sanctioned-filed" in steps
    assert "step-finalize-sanctioned-closed" not in steps


def test_the_current_state_is_highlighted_and_the_open_steps_marked():
    svg = diagram.workflow_svg(current="under_review", possible=frozenset({"dismiss"}))

    states, steps = _ids(svg, "state-"), _ids(svg, "step-")

    assert "current" in states["state-under_review"]
    assert [s for s, c in states.items() if "current" in c] == ["state-under_review"]
    assert [s for s, c in steps.items() if "possible" in c] == [
        "step-dismiss-under_review-dismissed"
    ]


def test_the_respondent_sees_the_public_labels():
    public = diagram.workflow_svg(current="under_review", public=True)
    staff = diagram.workflow_svg(current="under_review")

    assert "Before the board for decision" in public and ">Board vote<" not in public
    assert ">Board vote<" in staff


@pytest.mark.django_db
def test_the_staff_case_page_shows_the_diagram_with_its_text_alternative(client, staff):
    case = open_review(file_case(by=staff), staff)
    client.force_login(staff)

    page = client.get(case.get_absolute_url()).content.decode()

    assert 'class="workflow-diagram"' in page and 'role="img"' in page
    refer = said("Refer to the board")
    under_review, board_vote = (
        said_p("case state", "Under review"),
        said_p("case state", "Board vote"),
    )
    assert f"{refer}{colon()} {under_review} → {board_vote} ({said('ethics staff')})" in page


@pytest.mark.django_db
def test_the_workflow_page_is_for_staff_board_and_panel(
    client, staff, board_member, representative
):
    file_case(by=staff)  # a procedure in force
    for user, status in ((staff, 200), (board_member, 200), (representative, 403)):
        client.force_login(user)
        assert client.get(reverse("cases:workflow")).status_code == status
