"""association.prefetch.load_together returns what each queryset returns by itself
(values, types, order, joined rows), in one query, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from association.prefetch import load_together
from cases import selectors
from cases.models import Ballot, Case, Sanction
from tests.factories.cases import fresh
from tests.factories.letters import decided_case, dismissed_case, referred_case
from tests.factories.scenes import file_appeal

pytestmark = pytest.mark.django_db


def row(obj) -> tuple:
    return tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)


def joined(obj, tree) -> list:
    """The rows select_related joined to `obj`, as tuples (None where there is none)."""
    found = []
    for name, deeper in (tree or {}).items():
        try:
            other = getattr(obj, name)
        except obj._meta.get_field(name).related_model.DoesNotExist:
            other = None
        found.append(row(other) if other is not None else None)
        if other is not None:
            found.extend(joined(other, deeper))
    return found


def assert_same_rows(parts: dict) -> None:
    with CaptureQueriesContext(connection) as ctx:
        ours = load_together(parts)
    assert len(ctx.captured_queries) == 1
    for name, queryset in parts.items():
        expected = list(queryset)
        got = ours[name]
        assert [row(o) for o in got] == [row(o) for o in expected], name
        assert [type(v) for o in got for v in row(o)] == [
            type(v) for o in expected for v in row(o)
        ], name
        tree = queryset.query.select_related or {}
        with CaptureQueriesContext(connection) as ctx:
            mine = [joined(o, tree) for o in got]
        assert not ctx.captured_queries, f"{name}: the joined rows are already there"
        assert mine == [joined(o, tree) for o in expected], name


def test_every_part_of_the_case_page_is_read_as_the_orm_reads_it(world):
    case = fresh(file_appeal(decided_case(world, "censure", None), world.rep))
    # A decimal, a JSON value and a date in rows the page reads.
    Sanction.objects.filter(case=case).update(amount=Decimal("1234.50"), currency="EUR")
    Ballot.objects.filter(case=case).update(tally={"violation": 3, "note": "é ✓"})
    assert_same_rows(selectors._case_page_rows(Case.objects.get(pk=case.pk)))


def test_a_case_with_little_in_it_is_read_the_same(world):
    assert_same_rows(selectors._case_page_rows(dismissed_case(world)))


def test_sliced_and_ordered_parts_keep_their_order_and_limit(world):
    first, second = dismissed_case(world), dismissed_case(world)
    parts = {
        "newest": Case.objects.order_by("-filed_at", "-pk")[:1],
        "by_number": Case.objects.order_by("number").select_related("respondent"),
        "none": Case.objects.filter(pk__in=[]),
    }
    found = load_together(parts)
    assert [c.pk for c in found["newest"]] == [second.pk]
    assert [c.pk for c in found["by_number"]] == [first.pk, second.pk]
    assert found["none"] == []
    assert found["by_number"][0].respondent.name == first.respondent.name


def test_the_relation_read_with_the_case_is_forgotten_with_its_permissions(world):
    """case_for_page reads the user's relation with the case (access.party_flags); a
    recusal, once the permissions are forgotten, counts on the same instance."""
    from cases import access
    from cases.services import ballots

    number = referred_case(world).number
    member = world.board[0]
    case = selectors.case_for_page(number=number, user=member)
    assert access.relation_to(member, case) == access.DECIDER_VIEW
    ballots.conflict_declare(case=fresh(case), member=member, reason="Conflict.", by=world.staff)
    access.forget_permissions(case)
    assert access.relation_to(member, case) == access.NO_VIEW


def test_deferred_columns_stay_deferred_on_the_part_and_on_its_joined_rows(world):
    """A part that defers columns (its own, or of a row it joins) reads the others as
    the ORM does, and the deferred ones are left to load on access, as the ORM leaves
    them."""
    case = fresh(decided_case(world, "censure", None))
    keep = ("id", "number")
    deferred = [f"case__{f.name}" for f in Case._meta.concrete_fields if f.name not in keep]
    parts = {
        "sanctions": Sanction.objects.filter(case=case).select_related("case").defer(*deferred),
        "cases": Case.objects.filter(pk=case.pk).only("number", "state"),
    }
    with CaptureQueriesContext(connection) as ctx:
        ours = load_together(parts)
    assert len(ctx.captured_queries) == 1
    expected = {name: list(queryset) for name, queryset in parts.items()}
    assert ours["sanctions"] and len(ours["sanctions"]) == len(expected["sanctions"])
    with CaptureQueriesContext(connection) as ctx:
        for got, orm in zip(ours["sanctions"], expected["sanctions"], strict=True):
            assert got.get_deferred_fields() == orm.get_deferred_fields() == set()
            assert row(got) == row(orm)
            assert got.case.get_deferred_fields() == orm.case.get_deferred_fields()
            assert got.case.number == orm.case.number == case.number
        [got], [orm] = ours["cases"], expected["cases"]
        assert got.get_deferred_fields() == orm.get_deferred_fields()
        assert (got.pk, got.number, got.state) == (orm.pk, orm.number, orm.state)
    assert not ctx.captured_queries, "the columns read are all there"
    assert "respondent_id" in got.get_deferred_fields()
    assert got.respondent_id == case.respondent_id  # loads on access, as the ORM's does
