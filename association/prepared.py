"""Queries compiled once per process and re-run with new values (issue 15).

Turning a queryset with subqueries, joins and annotations into SQL costs far more than
running it: the session's user with their roles and devices (members.accounts.
SignInBackend) took ~9 ms to build and compile against 0.2 ms to execute, on every
request. A `PreparedQuery` builds the queryset once per database with marker values in
place of its arguments, compiles it, and keeps the compiler; each call runs the same SQL
with the real values through Django's own iterator, so the rows are what the queryset
would return (select_related, annotations, prefetch_related lookups, which still run as
their own queries). Only the SQL is kept, never a row: each call reads the database.

The queryset `build` returns must depend on its arguments alone (no "today", no setting
read at build time): anything else in it is frozen at the first call.
"""

from __future__ import annotations

import copy
import functools
import threading
import weakref
from collections.abc import Callable

from django.db import connections, router
from django.db.models import QuerySet

from association.prefetch import preparing_cursor, server_prepares

# Values no real id takes, within a 32-bit integer column's range (PostgreSQL refuses to
# compare an integer column with a value outside it: Django then raises EmptyResultSet).
_MARKER_BASE = -2_147_480_000


@functools.cache
def _frozen(compiler_class):
    """`compiler_class` answering its kept SQL with this call's values."""

    class Frozen(compiler_class):
        def as_sql(self, *args, **kwargs):
            return self._prepared_sql, self._prepared_params

        def execute_sql(self, *args, **kwargs):
            # On PostgreSQL the kept SQL is a statement prepared on the server as well,
            # planned once per connection (association.prefetch.server_prepares).
            connection = self.connection
            if not server_prepares(connection):
                return super().execute_sql(*args, **kwargs)
            connection.cursor = functools.partial(preparing_cursor, connection)
            try:  # the statement runs here; only its rows are read later
                return super().execute_sql(*args, **kwargs)
            finally:
                del connection.cursor

        def get_converters(self, expressions):
            # The kept SQL's columns, so the same converters every call: worked out once
            # per connection (they are its backend's methods), not per call.
            if len(expressions) != self.col_count or any(
                e is not s[0] for e, s in zip(expressions, self.select, strict=False)
            ):
                return super().get_converters(expressions)
            converters = self._prepared_converters.get(self.connection)
            if converters is None:
                converters = super().get_converters(expressions)
                self._prepared_converters[self.connection] = converters
            return converters

    return Frozen


class _CompiledQuery:
    """Stands in for a Query: hands Django's iterator the ready compiler."""

    def __init__(self, compiler):
        self.compiler = compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self.compiler


def _database_key(alias: str) -> str:
    """What compiled SQL is kept for: the connection, its backend and its database."""
    return f"{alias}:{connections[alias].vendor}:{connections[alias].settings_dict['NAME']}"


class PreparedQuery:
    """`build(*args)` returns a queryset of `model` for integer arguments `args`; calling
    the PreparedQuery with them returns its rows (a list), from SQL compiled only once
    per database."""

    def __init__(self, model, build: Callable[..., QuerySet], arity: int = 1):
        self.model = model
        self.build = build
        self.arity = arity
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> tuple:
        markers = [_MARKER_BASE - i for i in range(self.arity)]
        queryset = self.build(*markers)
        compiler = queryset.query.get_compiler(using=alias)
        # as_sql also sets up what the iterator reads: the columns, the joined models.
        sql, params = compiler.as_sql()
        # For each parameter: the argument it stands for, or None for a constant.
        slots = [markers.index(p) if p in markers else None for p in params]
        if sorted({i for i in slots if i is not None}) != list(range(self.arity)):
            raise ValueError("each argument must appear in the compiled SQL")
        compiler.__class__ = _frozen(type(compiler))
        compiler._prepared_sql = sql
        compiler._prepared_converters = weakref.WeakKeyDictionary()  # shared by the copies
        return compiler, list(params), slots, queryset._prefetch_related_lookups

    def __call__(self, *args: int) -> list:
        if len(args) != self.arity or not all(type(a) is int for a in args):
            raise TypeError(f"expected {self.arity} integer argument(s)")
        alias = router.db_for_read(self.model)
        key = _database_key(alias)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.setdefault(key, self._compile(alias))
        kept, params, slots, lookups = compiled
        compiler = copy.copy(kept)  # this call's values and connection, on its own copy
        compiler.connection = connections[alias]
        compiler._prepared_params = [
            args[s] if s is not None else p for p, s in zip(params, slots, strict=True)
        ]
        queryset = self.model._default_manager.db_manager(alias).all()
        queryset._query = _CompiledQuery(compiler)
        queryset._prefetch_related_lookups = lookups
        return list(queryset)


class PreparedRows:
    """`build()` returns a `values_list` queryset of `model` without arguments (a UNION
    too, which a PreparedQuery cannot iterate); calling the PreparedRows returns its
    rows as tuples, from SQL compiled only once per database. The values are the
    database's own (no field converters): select integers and text."""

    def __init__(self, model, build: Callable[[], QuerySet]):
        self.model = model
        self.build = build
        self._compiled: dict[str, tuple[str, tuple]] = {}

    def __call__(self) -> list[tuple]:
        alias = router.db_for_read(self.model)
        key = _database_key(alias)
        compiled = self._compiled.get(key)
        if compiled is None:  # two threads may both compile it: the same SQL either way
            compiled = self._compiled.setdefault(
                key, self.build().query.get_compiler(using=alias).as_sql()
            )
        sql, params = compiled
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
