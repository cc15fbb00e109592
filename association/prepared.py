"""Queries compiled once per process and re-run with new values (issue 15).

Turning a queryset with subqueries and annotations into SQL costs far more than running
it: the session's user with their roles and devices (members.accounts.SignInBackend)
took ~9 ms to build and compile against 0.2 ms to execute, on every request. A
`PreparedQuery` builds the queryset once per database with marker values in place of
the arguments, keeps the SQL, and then runs it as a raw query with the real values. The
rows are the model's, with every annotation as an attribute (as a raw query gives them);
select_related and prefetch_related are not carried over, so it suits querysets without
them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections, router
from django.db.models import QuerySet

# Values no real argument takes: each marks where an argument goes in the compiled SQL.
_MARKER_BASE = -7_318_512_346_000


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
        sql, params = queryset.query.get_compiler(using=alias).as_sql()
        # For each parameter: the argument it stands for, or None for a constant.
        slots = [markers.index(p) if p in markers else None for p in params]
        if sorted(i for i in slots if i is not None) != list(range(self.arity)):
            raise ValueError("each argument must appear exactly once in the compiled SQL")
        return sql, list(params), slots

    def __call__(self, *args: int) -> list:
        if len(args) != self.arity or not all(type(a) is int for a in args):
            raise TypeError(f"expected {self.arity} integer argument(s)")
        alias = router.db_for_read(self.model)
        key = f"{alias}:{connections[alias].vendor}"
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.setdefault(key, self._compile(alias))
        sql, params, slots = compiled
        values = [args[s] if s is not None else p for p, s in zip(params, slots, strict=True)]
        return list(self.model._default_manager.db_manager(alias).raw(sql, values))
