"""Threshold arithmetic for quorums and votes: '>1/2' (more than half), '>=2/3' (at
least two thirds). Pure functions: the table's quorum rule, the tally and the
procedure's own validation all count with these."""

from __future__ import annotations

from fractions import Fraction


def parse_threshold(rule: str) -> tuple[str, Fraction]:
    """'>1/2' means more than half; '>=2/3' means at least two thirds."""
    rule = (rule or "").replace(" ", "")
    op = ">=" if rule.startswith(">=") else ">" if rule.startswith(">") else None
    if op is None:
        raise ValueError(f"“{rule}” must start with > or >= (e.g. >1/2 or >=2/3)")
    try:
        value = Fraction(rule[len(op) :])
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"“{rule}” is not a fraction such as >1/2 or >=2/3") from exc
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
    op, value = parse_threshold(rule)
    names = {Fraction(1, 2): "half", Fraction(2, 3): "two thirds", Fraction(3, 4): "three quarters"}
    name = names.get(value, f"{value.numerator}/{value.denominator}")
    return f"{'at least' if op == '>=' else 'more than'} {name}"
