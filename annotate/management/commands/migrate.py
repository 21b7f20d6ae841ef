"""``migrate``, one at a time per PostgreSQL database.

Every app server runs ``make serve``, which migrates before gunicorn starts.
Two servers starting together on a new release would both find the same
migration unapplied and both run it; the second fails half-way (a table
that already exists) and its server does not start. Here each run first
takes a PostgreSQL advisory lock, so the second waits for the first and
then finds nothing left to do. SQLite serves one machine and one server,
and needs nothing of the sort."""

from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connections

# Any constant shared by every Sourcemark server: the lock is per database.
MIGRATE_LOCK_KEY = 0x536F_7572_6365  # "Source"


class Command(DjangoMigrateCommand):
    help = DjangoMigrateCommand.help + " Runs one at a time per PostgreSQL database (an advisory lock)."

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(*args, **options)
        with connection.cursor() as cursor:
            # A session lock: held across migrate's own transactions, and
            # released by PostgreSQL if this process dies while holding it.
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
        try:
            return super().handle(*args, **options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_KEY])
