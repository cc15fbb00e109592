"""System checks: a misconfigured procedure fails `manage.py check`, not a vote; and
the state machine on Case must be exactly the table's steps."""

from django.core.checks import Error, register
from django.db import DatabaseError
from django_fsm import RETURN_VALUE

from cases import workflow
from cases.models import Case, Procedure


@register()
def probity_procedures(app_configs, **kwargs):
    """Reads the procedures from the database, so plain `manage.py check` reports them."""
    errors = []
    try:
        procedures = list(Procedure.objects.all())
    except DatabaseError:
        return []  # not migrated yet
    for procedure in procedures:
        for problem in procedure.problems():
            errors.append(
                Error(
                    f"{procedure}: {problem}",
                    id="probity.E001",
                    hint="Fix it in the admin (Procedures) or adopt a new version.",
                )
            )
    return errors


def fsm_differences(steps=None) -> list[str]:
    """Every way the FSM transitions collected on Case differ from the table's steps:
    a step missing or extra, or a source, target, condition or permission that is not
    the table's. Empty when they agree (they are generated from it at import)."""
    steps = workflow.STEPS if steps is None else steps

    def names(states) -> list[str]:
        return sorted(str(s) for s in states)

    field = Case._meta.get_field("state")
    methods = field.transitions.get(Case, {})
    problems = [
        f"Case has a transition “{n}” that is not a step of the table."
        for n in methods
        if n not in steps
    ]
    for name, step in steps.items():
        method = methods.get(name)
        if method is None:
            problems.append(f"The step “{name}” has no transition on Case.")
            continue
        meta = method._django_fsm
        sources = set(meta.transitions)
        if set(map(str, sources)) != set(map(str, step.sources)):
            problems.append(
                f"“{name}”: the table's sources are {names(step.sources)}, the FSM's {names(sources)}."
            )
        for source, t in meta.transitions.items():
            targets = (
                set(t.target.allowed_states) if isinstance(t.target, RETURN_VALUE) else {t.target}
            )
            if set(map(str, targets)) != set(map(str, step.targets)):
                problems.append(
                    f"“{name}” from {source}: the table's targets are {names(step.targets)}, "
                    f"the FSM's {names(targets)}."
                )
            unknown = targets - set(workflow.CaseState.values)
            if unknown:
                problems.append(f"“{name}” leads to {names(unknown)}, which is not a state.")
            conditions = [c.__name__ for c in t.conditions]
            if conditions != [f"rules_of_{name}"]:
                problems.append(
                    f"“{name}”: its FSM conditions are {conditions}, not the table's rules."
                )
            if getattr(t.permission, "__name__", "") != f"may_{name}":
                problems.append(f"“{name}”: its FSM permission is not the table's “who may”.")
    return problems


@register()
def probity_state_machine(app_configs, **kwargs):
    return [
        Error(
            problem,
            id="probity.E002",
            hint="The FSM on Case is generated from cases.workflow.STEPS.",
        )
        for problem in fsm_differences()
    ]


def path_problems() -> list[str]:
    """Steps and actions naming a path the table does not define."""
    items = [*workflow.STEPS.values(), *workflow.ACTIONS.values()]
    return [
        f"“{item.name}” names the path “{item.path}”, which is not in workflow.PATHS."
        for item in items
        if item.path and item.path not in workflow.PATHS
    ]


@register()
def probity_paths(app_configs, **kwargs):
    return [
        Error(problem, id="probity.E003", hint="Add the path to cases.workflow.PATHS.")
        for problem in path_problems()
    ]
