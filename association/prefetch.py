"""Many small prefetches in one query (docs/decisions/0029).

A page that shows one object with twenty kinds of related rows would ask twenty
queries with `prefetch_related`, most of them answering "none". `load_together` asks
one: a UNION ALL in which each part's rows come as JSON arrays of their columns (and
of the rows `select_related` joins to them), made back into model instances here.
`attach` then puts a list where `prefetch_related` would have, so `obj.things.all()`
reads it without a query (and `.filter()` still asks the database, as it would).

Only what the parts need is supported, and anything else is refused loudly:
`select_related` of named forward foreign keys and reverse one-to-ones, the field
types of this project (no binary fields). `defer()` and `only()` are honoured, on the
part's model and on the rows it joins: a list that shows a case by its number reads
that column alone (each column is a JSON value to build and to parse back).
"""

from __future__ import annotations

import datetime
import decimal
import functools
import json
import threading
from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    F,
    Func,
    JSONField,
    Model,
    QuerySet,
    TextField,
    Value,
    Window,
)
from django.db.models.functions import Cast, RowNumber
from django.utils.dateparse import parse_date, parse_datetime

# Values per JSON array: PostgreSQL's functions take at most 100 arguments.
CHUNK = 90


class _JSONArray(Func):
    function = "JSON_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="JSONB_BUILD_ARRAY", **extra)


def _loaded(model, mask: dict) -> list:
    """The model's columns a queryset reads, by its select mask (Django's
    `Query.get_select_mask()`: empty when nothing is deferred)."""
    return [f for f in model._meta.concrete_fields if not mask or f in mask]


def _related_paths(
    select_related, model, mask: dict, prefix: str = ""
) -> list[tuple[str, type[Model], list]]:
    """[(path, model, its columns read)] for each model a `select_related` tree joins,
    depth first."""
    if not select_related:
        return []
    if select_related is True:
        raise ValueError("load_together needs select_related with named relations.")
    found = []
    for name, deeper in select_related.items():
        field = model._meta.get_field(name)
        related = field.related_model
        path = f"{prefix}{name}"
        inner = mask.get(field) or {}
        found.append((path, related, _loaded(related, inner)))
        found.extend(_related_paths(deeper, related, inner, f"{path}__"))
    return found


def _from_json(field, value, vendor: str):
    if value is None:
        return None
    if isinstance(field, DateTimeField):
        moment = parse_datetime(value)
        if moment.tzinfo is None:  # SQLite keeps UTC without its offset
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment
    if isinstance(field, DateField):
        return parse_date(value)
    if isinstance(field, BooleanField):
        return bool(value)
    if isinstance(field, DecimalField):
        return decimal.Decimal(str(value)).quantize(
            decimal.Decimal(1).scaleb(-field.decimal_places)
        )
    if isinstance(field, JSONField):
        # SQLite puts the column's JSON text in the array as a string; PostgreSQL nests it.
        return (
            json.loads(value, cls=field.decoder)
            if vendor == "sqlite" and isinstance(value, str)
            else value
        )
    return value


class _Part:
    def __init__(self, name: str, queryset: QuerySet):
        self.name = name
        self.queryset = queryset
        self.model = queryset.model
        mask = queryset.query.get_select_mask()
        # (path, model, the columns read of it): the part's model first, then the joined.
        self.pieces = [
            ("", self.model, _loaded(self.model, mask)),
            *_related_paths(queryset.query.select_related, self.model, mask),
        ]
        self.related = self.pieces[1:]
        self.columns = [(path, f) for path, _model, fields in self.pieces for f in fields]
        # The queryset's own annotations (an Exists, a count) come along, set on each row.
        self.annotations = [
            (name, expression.output_field)
            for name, expression in queryset.query.annotations.items()
        ]
        order = list(queryset.query.order_by or self.model._meta.ordering or ["pk"])
        # Each row's place in its part, numbered by the database in the part's own order
        # (its collation, its NULLs), since a UNION keeps no order.
        self.place = Window(
            RowNumber(),
            order_by=[
                key
                if hasattr(key, "resolve_expression")
                else (F(key[1:]).desc() if key.startswith("-") else F(key).asc())
                for key in order
            ],
        )

    def arrays(self) -> list:
        refs = [F(f"{path}__{f.attname}" if path else f.attname) for path, f in self.columns]
        refs += [F(name) for name, _field in self.annotations]
        return [
            Cast(_JSONArray(*refs[i : i + CHUNK]), TextField()) for i in range(0, len(refs), CHUNK)
        ]

    def build(self, values: list, db: str, vendor: str) -> Model:
        extra = values[len(self.columns) :]
        values = values[: len(self.columns)]
        converted = [
            _from_json(f, v, vendor) for (path, f), v in zip(self.columns, values, strict=True)
        ]
        at = 0
        pieces: dict[str, Model | None] = {}
        for path, model, fields in self.pieces:
            row = converted[at : at + len(fields)]
            at += len(fields)
            pk_index = fields.index(model._meta.pk)
            # Fewer columns than the model's: the others deferred, as the ORM leaves them.
            pieces[path] = (
                None
                if row[pk_index] is None
                else model.from_db(db, [f.attname for f in fields], row)
            )
        for path, _model, _fields in self.related:
            parent_path, _, name = path.rpartition("__")
            parent = pieces[parent_path]
            if parent is not None:
                parent._meta.get_field(name).set_cached_value(parent, pieces[path])
        for (name, field), value in zip(self.annotations, extra, strict=True):
            setattr(pieces[""], name, _from_json(field, value, vendor))
        return pieces[""]


def _compile_together(parts: dict[str, QuerySet]):
    """The parts, and the one UNION ALL query (SQL, parameters) that reads them all."""
    prepared = [_Part(name, qs) for name, qs in parts.items()]
    if not prepared:
        return prepared, "", []
    db = prepared[0].queryset.db
    width = max(len(p.arrays()) for p in prepared)
    selects, params = [], []
    for index, part in enumerate(prepared):
        arrays = part.arrays()
        padding = [Value(None, output_field=TextField())] * (width - len(arrays))
        columns = {"_part": Value(index), "_place": part.place} | {
            f"_a{i}": expression for i, expression in enumerate(arrays + padding)
        }
        query = part.queryset.annotate(**columns).values_list(*columns).query
        try:
            sql, part_params = query.get_compiler(using=db).as_sql()
        except EmptyResultSet:  # e.g. `pk__in=[]`: nothing to ask for this part
            continue
        selects.append(f"SELECT * FROM ({sql}) AS part_{index}")
        params.extend(part_params)
    return prepared, " UNION ALL ".join(selects), params


def server_prepares(connection) -> bool:
    """Whether queries compiled once (PreparedTogether, association.prepared) are also
    prepared on the database server: PostgreSQL, unless the settings turn it off."""
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    )


def preparing_cursor(connection):
    """On PostgreSQL, a cursor of Django's (its execute wrappers and query log see what it
    runs) over a psycopg cursor that binds on the server and prepares every statement:
    the server then plans a PreparedTogether's query once per connection instead of on
    every call (planning the portal's UNION of eight parts cost ~5 ms, running it ~2).
    Django's own cursors bind on the client and never prepare."""
    connection.ensure_connection()
    return connection._prepare_cursor(_preparing_class()(connection.connection))


@functools.cache
def _preparing_class():
    import psycopg  # only on PostgreSQL

    class Logged:
        """What Django's query log reads of a cursor (`_query.query`: the statement with
        its values, as a client-bound cursor sends it), worked out only when read."""

        def __init__(self, connection, query, params):
            self._args = connection, query, params

        @property
        def query(self) -> bytes:
            connection, query, params = self._args
            return psycopg.ClientCursor(connection).mogrify(query, params).encode()

    class Preparing(psycopg.Cursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            done = super().execute(query, params, prepare=True, binary=binary)
            self._query = Logged(self.connection, query, params)
            return done

    return Preparing


def _run_together(
    prepared: list[_Part], sql: str, params, db: str, *, prepare: bool = False
) -> dict[str, list[Model]]:
    found: dict[str, list[Model]] = {p.name: [] for p in prepared}
    if not sql:
        return found
    connection = connections[db]
    server_side = prepare and server_prepares(connection)
    with preparing_cursor(connection) if server_side else connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for index, _place, *arrays in sorted(rows, key=lambda row: (row[0], row[1])):
        part = prepared[index]
        values = [v for text in arrays if text is not None for v in json.loads(text)]
        found[part.name].append(part.build(values, db, connection.vendor))
    return found


def load_together(parts: dict[str, QuerySet]) -> dict[str, list[Model]]:
    """{name: the instances `queryset` would return} for every part, in one query. A
    part may be sliced (`qs.order_by(...)[:26]`): each part is its own subquery, with
    its order and limit, under one UNION ALL."""
    prepared, sql, params = _compile_together(parts)
    if not prepared:
        return {}
    return _run_together(prepared, sql, params, prepared[0].queryset.db)


# Values no real argument takes: each marks where an argument goes in the compiled SQL.
_MARKER_BASE = -2_147_470_000  # as association.prepared: an id no row has, in 32 bits


class PreparedTogether:
    """`load_together` for parts that `build(*args)` returns for integer arguments, its
    query compiled once per database (compiling the parts' JSON arrays cost far more
    than running them; association.prepared does the same for one queryset). Only the
    SQL is kept: each call reads the database."""

    def __init__(self, build: Callable[..., dict[str, QuerySet]], arity: int = 1):
        self.build = build
        self.arity = arity
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _compile(self) -> tuple:
        markers = [_MARKER_BASE - i for i in range(self.arity)]
        prepared, sql, params = _compile_together(self.build(*markers))
        slots = [markers.index(p) if p in markers else None for p in params]
        if sorted({i for i in slots if i is not None}) != list(range(self.arity)):
            raise ValueError("each argument must appear in the compiled SQL")
        return prepared, sql, list(params), slots

    def __call__(self, *args: int) -> dict[str, list[Model]]:
        if len(args) != self.arity or not all(type(a) is int for a in args):
            raise TypeError(f"expected {self.arity} integer argument(s)")
        db = DEFAULT_DB_ALIAS  # Probity has one database
        key = f"{db}:{connections[db].vendor}:{connections[db].settings_dict['NAME']}"
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.setdefault(key, self._compile())
        prepared, sql, params, slots = compiled
        values = [args[s] if s is not None else p for p, s in zip(params, slots, strict=True)]
        return _run_together(prepared, sql, values, db, prepare=True)


def attach(instance: Model, name: str, objects: list[Model]) -> None:
    """Put `objects` where `prefetch_related(name)` would on `instance` (a reverse
    foreign key, each pointing back at it; or a many-to-many)."""
    manager = getattr(instance, name)
    queryset = manager.get_queryset()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    if hasattr(manager, "prefetch_cache_name"):  # many-to-many
        cache[manager.prefetch_cache_name] = queryset
        return
    field = manager.field
    for obj in objects:
        field.set_cached_value(obj, instance)
    cache[field.remote_field.cache_name] = queryset


def attach_grouped(parents, name: str, objects: list[Model]) -> None:
    """`attach` on each of `parents` the `objects` whose foreign key points at it."""
    parents = list(parents)
    if not parents:
        return
    field = getattr(parents[0], name).field
    by_parent: dict = {}
    for obj in objects:
        by_parent.setdefault(getattr(obj, field.attname), []).append(obj)
    for parent in parents:
        attach(parent, name, by_parent.get(parent.pk, []))


def counts_together(**querysets: QuerySet) -> dict[str, int]:
    """{name: queryset.count()} in one query, each count its own subquery (so each
    still uses its own index): SELECT (SELECT COUNT(*) FROM ...) AS a, (...) AS b. A
    sliced queryset counts at most its slice (a bounded count: `qs.values("pk")[:n]`)."""
    counts: dict[str, int] = {}
    columns, params, asked = [], [], []
    db = None
    for name, queryset in querysets.items():
        db = queryset.db
        try:
            if not queryset.query.is_sliced:
                queryset = queryset.order_by().values("pk")
            sql, part_params = queryset.query.get_compiler(using=db).as_sql()
        except EmptyResultSet:
            counts[name] = 0
            continue
        quoted = connections[db].ops.quote_name(name)
        columns.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted) AS {quoted}")
        params.extend(part_params)
        asked.append(name)
    if columns:
        with connections[db].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(columns), params)
            counts.update(zip(asked, cursor.fetchone(), strict=True))
    return {name: counts[name] for name in querysets}
