"""The letters a case has ordered but not issued yet, for the pages that list letters
(docs/decisions/0027): `{% letters_pending case "respondent" as pending %}`."""

from __future__ import annotations

from django import template

from cases.services import letters

register = template.Library()


@register.simple_tag
def letters_pending(case, addressee: str = ""):
    """The case's orders not issued yet; a party's page passes its addressee."""
    return letters.pending_orders(case, addressee=addressee or None)
