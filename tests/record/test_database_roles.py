"""On PostgreSQL the application runs as a role that does not own the tables
(issue 9; docs/decisions/0012): it reads and writes rows, but cannot disable the case
record's append-only trigger, truncate the record or change its rows. The test gives
a fresh role exactly the grants `manage.py migrate` gives the application's role
(cases.management.database_roles) and acts as it (SET ROLE), inside the test's
transaction, so the role goes with it."""

from __future__ import annotations

import os

import pytest
from django.db import DatabaseError, connection, transaction

from cases.management.database_roles import grant_app_role, owns_tables
from cases.models import CaseEvent, RecordCheckpoint

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="database roles are PostgreSQL's"
    ),
]

# One per test process: roles belong to the whole server, shared by parallel runs.
APP_ROLE = f"probity_test_app_{os.getpid()}"


@pytest.fixture
def app_role(db):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
    grant_app_role(connection, APP_ROLE)
    return APP_ROLE


def as_app(sql: str, params=None):
    """Run one statement as the application's role; returns its rows, or raises."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        cursor.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else None
        cursor.execute("RESET ROLE")
        return rows


@pytest.mark.parametrize(
    "sql, refusal",
    [
        (
            "ALTER TABLE cases_caseevent DISABLE TRIGGER case_event_append_only",
            "must be owner",
        ),
        ("ALTER TABLE cases_caseevent DISABLE TRIGGER USER", "must be owner"),
        (
            "ALTER TABLE cases_recordcheckpoint DISABLE TRIGGER record_checkpoint_append_only",
            "must be owner",
        ),
        ("TRUNCATE cases_caseevent CASCADE", "permission denied"),
        ("TRUNCATE cases_recordcheckpoint", "permission denied"),
        ("DROP TABLE cases_caseevent CASCADE", "must be owner"),
        ("DELETE FROM cases_caseevent", "permission denied"),
        ("UPDATE cases_recordcheckpoint SET head = 'forged'", "permission denied"),
        ("DROP TRIGGER case_event_append_only ON cases_caseevent", "must be owner"),
    ],
)
def test_the_application_role_cannot_rewrite_the_record(app_role, case, sql, refusal):
    events = CaseEvent.objects.filter(case=case).count()
    assert events > 0
    with pytest.raises(DatabaseError, match=refusal):
        as_app(sql)
    assert CaseEvent.objects.filter(case=case).count() == events
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'case_event_append_only'"
        )
        assert cursor.fetchone()[0] == "O"  # still enabled


def test_the_application_role_reads_and_writes_rows(app_role, case):
    assert as_app("SELECT count(*) FROM cases_caseevent WHERE case_id = %s", [case.pk]) == [
        (CaseEvent.objects.filter(case=case).count(),)
    ]
    # an ordinary table: rows may be changed
    as_app("UPDATE cases_case SET summary = summary WHERE id = %s", [case.pk])
    # the record: rows may be added (the sequences are usable)
    as_app(
        "INSERT INTO cases_recordcheckpoint (case_id, sequence, head, signed_at, key_id, signature)"
        " VALUES (%s, 99, %s, now(), 'k', 's')",
        [case.pk, "0" * 64],
    )
    assert RecordCheckpoint.objects.filter(case=case, sequence=99).exists()


def test_the_application_role_owns_no_table(app_role):
    assert not owns_tables(connection, APP_ROLE)
    assert owns_tables(connection, connection.settings_dict["USER"])
