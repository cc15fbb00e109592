"""The application's database role on PostgreSQL (docs/decisions/0012).

The tables belong to the owner role (DATABASE_OWNER_URL), which runs the migrations.
The application connects as another role (DATABASE_URL) that may read and write rows
and use the sequences, and nothing more: it cannot ALTER a table (so it cannot
DISABLE the append-only triggers on the case record), TRUNCATE one, or DROP one; on
the case record (events and checkpoints) it may not even UPDATE or DELETE, besides
the triggers refusing it.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import sql

# The case record: rows are only ever added.
APPEND_ONLY_TABLES = ("cases_caseevent", "cases_recordcheckpoint")


def grant_statements(role: str, schema: str = "public") -> list[str]:
    """What the owner grants the application's role, in order (idempotent)."""
    role_ident = sql.Identifier(role)
    schema_ident = sql.Identifier(schema)
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema_ident, role_ident),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
            schema_ident, role_ident
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
            schema_ident, role_ident
        ),
        # Tables the owner creates later (the next migration) get the same, until
        # that migration's own run grants again.
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {} "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(schema_ident, role_ident),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(schema_ident, role_ident),
    ]
    statements += [
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
            sql.Identifier(table), role_ident
        )
        for table in APPEND_ONLY_TABLES
    ]
    return statements


def grant_app_role(connection: BaseDatabaseWrapper, role: str) -> None:
    """Run `grant_statements` on this (the owner's) connection."""
    with connection.cursor() as cursor:
        for statement in grant_statements(role):
            cursor.execute(statement)


def owns_tables(connection: BaseDatabaseWrapper, role: str) -> bool:
    """Whether `role` owns any of Probity's tables (a misconfiguration on PostgreSQL:
    the application's role should own none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
            [role],
        )
        return cursor.fetchone()[0] > 0
