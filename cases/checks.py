"""System checks: a misconfigured procedure fails `manage.py check`, not a vote."""

from django.core.checks import Error, register
from django.db import DatabaseError


@register()
def probity_procedures(app_configs, **kwargs):
    """Reads the procedures from the database, so plain `manage.py check` reports them."""
    from cases.models import Procedure

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
