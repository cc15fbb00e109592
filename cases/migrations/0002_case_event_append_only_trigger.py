"""On PostgreSQL, refuse UPDATE and DELETE on case events in the database itself,
so the record stays append-only even for code that bypasses the model."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION probity_case_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER case_event_append_only
    BEFORE UPDATE OR DELETE ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION probity_case_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS case_event_append_only ON cases_caseevent;
DROP FUNCTION IF EXISTS probity_case_event_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
