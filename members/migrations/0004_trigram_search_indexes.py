"""On PostgreSQL, trigram indexes make the register's name search use an index
instead of scanning every organization. SQLite has no such index; it is skipped there."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS members_org_name_trgm ON members_organization USING gin (UPPER(name) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS members_org_slug_trgm ON members_organization USING gin (UPPER(slug) gin_trgm_ops);
"""
DROP = """
DROP INDEX IF EXISTS members_org_name_trgm;
DROP INDEX IF EXISTS members_org_slug_trgm;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("members", "0003_statuschange_case")]
    operations = [migrations.RunPython(create, drop)]
