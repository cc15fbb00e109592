"""`manage.py migrate`, run as the owner of the tables when DATABASE_OWNER_URL is set
(docs/decisions/0012): the default connection signs in as the owner for the
migrations (data migrations and Django's own post-migrate steps included), then the
owner grants the application's role (DATABASE_URL's user) what it needs to read and
write rows, and no more. Without DATABASE_OWNER_URL, or given --database, it is
Django's migrate."""

from __future__ import annotations

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections

from cases.management.database_roles import grant_app_role

CREDENTIALS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")


class Command(DjangoMigrate):
    help = (
        DjangoMigrate.help
        + " With DATABASE_OWNER_URL set, runs as the owner role and then grants the "
        "application's role (DATABASE_URL) row access only."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database=None)

    def execute(self, *args, **options):
        owner = getattr(settings, "DATABASE_OWNER", None)
        if options.get("database") is not None or not owner:
            options["database"] = options.get("database") or DEFAULT_DB_ALIAS
            return super().execute(*args, **options)
        options["database"] = DEFAULT_DB_ALIAS
        # Before Django's own checks open the connection: sign in as the owner.
        connection = connections[DEFAULT_DB_ALIAS]
        connection.close()
        app = {key: connection.settings_dict.get(key) for key in CREDENTIALS}
        connection.settings_dict.update({key: owner.get(key) for key in CREDENTIALS})
        try:
            result = super().execute(*args, **options)
            if (
                connection.vendor == "postgresql"
                and app["USER"]
                and app["USER"] != owner.get("USER")
            ):
                grant_app_role(connection, app["USER"])
                if options.get("verbosity", 1) >= 1:
                    self.stdout.write(
                        f"Granted the application's role “{app['USER']}” row access "
                        "(it owns no table: no ALTER, DISABLE TRIGGER or TRUNCATE)."
                    )
            return result
        finally:
            connection.close()
            connection.settings_dict.update(app)
