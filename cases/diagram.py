"""The workflow diagram, drawn from the table itself (cases.workflow.STEPS), never by
hand, so it cannot go stale: one node per state, one edge per step and target, who
takes it, the current state highlighted and the steps possible from it marked.
Rendered server-side to SVG by Graphviz (`dot`), cached, with a text alternative
listing the same steps."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from html import escape

import graphviz
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cases import workflow

# Who takes a step, in a few words for the diagram.
WHO_SHORT = {
    workflow.STAFF.key: gettext_lazy("ethics staff"),
    workflow.RESPONDENT.key: gettext_lazy("the respondent"),
    workflow.VOTER.key: gettext_lazy("a voter"),
    workflow.DECIDER.key: gettext_lazy("a board or panel member"),
}


@dataclass(frozen=True)
class Edge:
    step: str
    label: str
    source: str
    target: str
    who: str
    possible: bool


def state_label(state: str, *, public: bool) -> str:
    """In the active language: the diagram is drawn (and cached) per language."""
    info = workflow.STATES[state]
    return str(info.public_label if public else info.label)


def edges(
    *,
    current: str | None = None,
    possible: frozenset[str] = frozenset(),
    paths: frozenset[str] = frozenset(),
) -> list[Edge]:
    """Every (step, source, target) of the table, in table order, but the steps of a
    path the procedure turns off (`paths`: those it turns on, workflow.open_paths) and
    the steps out of states only they lead to. Labels in the active language."""
    out = []
    for step in workflow.STEPS.values():
        if step.path and step.path not in paths:
            continue
        who = str(WHO_SHORT.get(step.who.key, step.who.description))
        if step.system_may:
            who = _("%(who)s or the deadline job") % {"who": who}
        for source in step.sources:
            for target in step.targets:
                out.append(
                    Edge(
                        step.name,
                        str(step.label),
                        source,
                        target,
                        who,
                        possible=source == current and step.name in possible,
                    )
                )
    # Steps out of a state that only an omitted step leads to (dismissing a case at a
    # hearing, when the procedure holds none) are omitted too.
    entered = {workflow.CaseState.FILED, current} | {e.target for e in out}
    while any(e.source not in entered for e in out):
        out = [e for e in out if e.source in entered]
        entered = {workflow.CaseState.FILED, current} | {e.target for e in out}
    return out


def text_alternative(
    *,
    current: str | None = None,
    possible: frozenset[str] = frozenset(),
    public: bool = False,
    paths: frozenset[str] = frozenset(),
) -> list[dict]:
    """The diagram in words: each step with its states and who takes it."""
    return [
        {
            "label": e.label,
            "source": state_label(e.source, public=public),
            "target": state_label(e.target, public=public),
            "who": e.who,
            "possible": e.possible,
        }
        for e in edges(current=current, possible=possible, paths=paths)
    ]


def workflow_svg(
    *,
    current: str | None = None,
    possible: frozenset[str] = frozenset(),
    public: bool = False,
    paths: frozenset[str] = frozenset(),
) -> str:
    """The diagram as an SVG fragment (no XML prologue), for inline use in a page.
    Nodes have id "state-<key>" (class "current" for the case's state); edges have id
    "step-<name>-<source>-<target>" (class "possible" where the user may take it now).
    Drawn in the active language."""
    return _workflow_svg(
        current=current, possible=possible, public=public, paths=paths, language=get_language()
    )


# The language is part of the key: a French page must not get the English drawing.
@functools.lru_cache(maxsize=256)
def _workflow_svg(
    *,
    current: str | None,
    possible: frozenset[str],
    public: bool,
    paths: frozenset[str],
    language: str | None,
) -> str:
    graph = graphviz.Digraph(
        "workflow",
        graph_attr={"rankdir": "LR", "fontname": "DejaVu Sans", "bgcolor": "transparent"},
        node_attr={
            "shape": "box",
            "style": "rounded,filled",
            "fillcolor": "#ffffff",
            "color": "#5b6472",
            "fontname": "DejaVu Sans",
            "fontsize": "11",
        },
        edge_attr={"fontname": "DejaVu Sans", "fontsize": "9", "color": "#5b6472"},
    )
    drawn = edges(current=current, possible=possible, paths=paths)
    # A state only a path the procedure turns off leads to (the hearing) is not drawn.
    reached = {e.source for e in drawn} | {e.target for e in drawn} | {current}
    for state, info in workflow.STATES.items():
        if state not in reached:
            continue
        attrs = {"id": f"state-{state}", "class": "state"}
        if state == current:
            attrs.update(
                fillcolor="#1f5fa8", fontcolor="#ffffff", penwidth="2", **{"class": "state current"}
            )
        elif info.final:
            attrs.update(peripheries="2")
        graph.node(str(state), state_label(state, public=public), **attrs)
    for e in drawn:
        attrs = {"id": f"step-{e.step}-{e.source}-{e.target}", "class": "step"}
        if e.possible:
            attrs.update(
                color="#1f7a3a", penwidth="2.5", fontcolor="#1f7a3a", **{"class": "step possible"}
            )
        graph.edge(str(e.source), str(e.target), label=f"{e.label}\n({e.who})", **attrs)
    svg = graph.pipe(format="svg", encoding="utf-8")
    # Inline in HTML: drop the XML declaration and doctype, and the fixed size (the
    # viewBox scales it to its box); the page lists the same steps in words.
    svg = svg[svg.index("<svg") :]
    head, rest = svg.split(">", 1)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    label = escape(_("The workflow: its states and steps, listed in words below"))
    return f'{head} role="img" aria-label="{label}" class="workflow-diagram">{rest}'


# Tests that change the table clear the drawings, whatever the language.
workflow_svg.cache_clear = _workflow_svg.cache_clear
