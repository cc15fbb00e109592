"""Threshold arithmetic for quorums and votes: '>1/2' (more than half), '>=2/3' (at
least two thirds). Pure functions: the table's quorum rule, the tally and the
procedure's own validation all count with these."""

from __future__ import annotations

from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Whole phrases (a translation may need "des" for "de les"): (at least, more than).
_SHARES = {
    Fraction(1, 2): (gettext_lazy("at least half"), gettext_lazy("more than half")),
    Fraction(2, 3): (gettext_lazy("at least two thirds"), gettext_lazy("more than two thirds")),
    Fraction(3, 4): (
        gettext_lazy("at least three quarters"),
        gettext_lazy("more than three quarters"),
    ),
}


def parse_threshold(rule: str) -> tuple[str, Fraction]:
    """'>1/2' means more than half; '>=2/3' means at least two thirds."""
    rule = (rule or "").replace(" ", "")
    op = ">=" if rule.startswith(">=") else ">" if rule.startswith(">") else None
    if op is None:
        message = _("“%(rule)s” must start with > or >= (e.g. >1/2 or >=2/3)")
        raise ValueError(message % {"rule": rule})
    try:
        value = Fraction(rule[len(op) :])
    except (ValueError, ZeroDivisionError) as exc:
        message = _("“%(rule)s” is not a fraction such as >1/2 or >=2/3")
        raise ValueError(message % {"rule": rule}) from exc
    return op, value


def threshold_met(rule: str, numerator: int, denominator: int) -> bool:
    if denominator <= 0:
        return False
    op, value = parse_threshold(rule)
    share = Fraction(numerator, denominator)
    return share >= value if op == ">=" else share > value


def stricter(a: str, b: str) -> bool:
    """Whether rule `a` can fail where rule `b` holds."""
    op_a, value_a = parse_threshold(a)
    op_b, value_b = parse_threshold(b)
    return value_a > value_b or (value_a == value_b and op_a == ">" and op_b == ">=")


def describe_threshold(rule: str) -> str:
    """In the active language."""
    op, value = parse_threshold(rule)
    if value in _SHARES:
        return str(_SHARES[value][0 if op == ">=" else 1])
    fraction = {"n": value.numerator, "d": value.denominator}
    if op == ">=":
        return _("at least %(n)s/%(d)s") % fraction
    return _("more than %(n)s/%(d)s") % fraction
