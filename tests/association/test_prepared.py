"""association.prepared: the SQL is compiled once, the rows are read afresh each call."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.models import Exists, OuterRef

from association.prepared import PreparedQuery, PreparedRows


def _with_group_flag(pk):
    return User.objects.filter(pk=pk).annotate(
        in_board=Exists(Group.objects.filter(user=OuterRef("pk"), name="Board"))
    )


@pytest.mark.django_db
def test_rows_come_from_the_database_on_every_call_not_from_the_first():
    prepared = PreparedQuery(User, _with_group_flag)
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob")

    first = prepared(alice.pk)
    assert [u.username for u in first] == ["alice"]
    assert not first[0].in_board
    # The same SQL, a different value: bob, not alice again.
    assert [u.username for u in prepared(bob.pk)] == ["bob"]

    alice.groups.add(Group.objects.get_or_create(name="Board")[0])
    assert prepared(alice.pk)[0].in_board  # a change counts at the next call
    assert prepared(999_999) == []


@pytest.mark.django_db
def test_the_queryset_is_built_once(monkeypatch):
    built = []

    def build(pk):
        built.append(pk)
        return User.objects.filter(pk=pk)

    prepared = PreparedQuery(User, build)
    user = User.objects.create(username="carol")
    for _ in range(3):
        assert prepared(user.pk)[0].username == "carol"
    assert len(built) == 1


def test_only_integers_are_accepted():
    prepared = PreparedQuery(User, lambda pk: User.objects.filter(pk=pk))
    with pytest.raises(TypeError):
        prepared("1 OR 1=1")


@pytest.mark.django_db
def test_an_argument_missing_from_the_sql_is_refused():
    prepared = PreparedQuery(User, lambda pk: User.objects.all())
    with pytest.raises(ValueError):
        prepared(1)


@pytest.mark.django_db
def test_prepared_rows_are_read_afresh_from_sql_built_once():
    built = []

    def build():
        built.append(1)
        named = User.objects.filter(username__startswith="u-").values_list("pk", "username")
        groups = Group.objects.filter(name__startswith="g-").values_list("pk", "name")
        return named.union(groups, all=True)

    prepared = PreparedRows(User, build)
    assert prepared() == []
    user = User.objects.create(username="u-dana")
    group = Group.objects.create(name="g-readers")
    assert sorted(prepared()) == sorted([(user.pk, "u-dana"), (group.pk, "g-readers")])
    user.delete()
    assert prepared() == [(group.pk, "g-readers")]
    assert len(built) == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
@pytest.mark.django_db
def test_on_postgresql_the_kept_sql_is_a_statement_prepared_on_the_server_and_still_counted():
    """PreparedQuery and PreparedTogether run as server-side prepared statements (planned
    once per connection, docs/decisions/0041); the query log still sees each call, and
    each call reads the rows afresh."""
    from django.test.utils import CaptureQueriesContext

    from association.prefetch import PreparedTogether

    prepared = PreparedQuery(User, _with_group_flag)
    together = PreparedTogether(lambda pk: {"users": User.objects.filter(pk=pk)})
    alice = User.objects.create(username="alice")
    with CaptureQueriesContext(connection) as ctx:
        assert [u.username for u in prepared(alice.pk)] == ["alice"]
        assert [u.username for u in together(alice.pk)["users"]] == ["alice"]
    assert len(ctx.captured_queries) == 2
    # The query log shows each statement with its values, as Django's own cursors do.
    assert all(f"= {alice.pk}" in q["sql"] for q in ctx.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any('"auth_user"' in s and "$1" in s and "_part" not in s for s in statements)
    assert any('"_part"' in s and "$1" in s for s in statements)
    User.objects.filter(pk=alice.pk).update(username="alice2")
    assert [u.username for u in prepared(alice.pk)] == ["alice2"]
    assert [u.username for u in together(alice.pk)["users"]] == ["alice2"]
