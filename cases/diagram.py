"""The workflow diagram, drawn from the table itself (cases.workflow.STEPS), never by
hand, so it cannot go stale: one node per state, one edge per step and target, who
takes it, the current state highlighted and the steps possible from it marked.
Rendered server-side to SVG by Graphviz (`dot`), cached, with a text alternative
listing the same steps."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import graphviz

from cases import workflow

# Who takes a step, in a few words for the diagram.
WHO_SHORT = {
    workflow.STAFF.key: "ethics staff",
    workflow.RESPONDENT.key: "the respondent",
    workflow.VOTER.key: "a voter",
    workflow.DECIDER.key: "a board or panel member",
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
    info = workflow.STATES[state]
    return info.public_label if public else info.label


def edges(
    *,
    current: str | None = None,
    possible: frozenset[str] = frozenset(),
    paths: frozenset[str] = frozenset(),
) -> list[Edge]:
    """Every (step, source, target) of the table, in table order, but the steps of a
    path the procedure turns off (`paths`: those it turns on, workflow.open_paths)."""
    out = []
    for step in workflow.STEPS.values():
        if step.path and step.path not in paths:
            continue
        who = WHO_SHORT.get(step.who.key, step.who.description)
        if step.system_may:
            who += " or the deadline job"
        for source in step.sources:
            for target in step.targets:
                out.append(
                    Edge(
                        step.name,
                        step.label,
                        source,
                        target,
                        who,
                        possible=source == current and step.name in possible,
                    )
                )
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


@functools.lru_cache(maxsize=256)
def workflow_svg(
    *,
    current: str | None = None,
    possible: frozenset[str] = frozenset(),
    public: bool = False,
    paths: frozenset[str] = frozenset(),
) -> str:
    """The diagram as an SVG fragment (no XML prologue), for inline use in a page.
    Nodes have id "state-<key>" (class "current" for the case's state); edges have id
    "step-<name>-<source>-<target>" (class "possible" where the user may take it now)."""
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
    for state, info in workflow.STATES.items():
        attrs = {"id": f"state-{state}", "class": "state"}
        if state == current:
            attrs.update(
                fillcolor="#1f5fa8", fontcolor="#ffffff", penwidth="2", **{"class": "state current"}
            )
        elif info.final:
            attrs.update(peripheries="2")
        graph.node(str(state), state_label(state, public=public), **attrs)
    for e in edges(current=current, possible=possible, paths=paths):
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
    label = "The workflow: its states and steps, listed in words below"
    return f'{head} role="img" aria-label="{label}" class="workflow-diagram">{rest}'
