"""``migrate`` runs one at a time per PostgreSQL database
(annotate/management/commands/migrate.py): app servers starting together on a
new release all migrate, and all start."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection

MANAGE = Path(settings.BASE_DIR) / "manage.py"
SERVERS = 3


@pytest.fixture
def empty_postgres_database():
    """A new, empty database beside the suite's (PostgreSQL only), dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the migrate lock is PostgreSQL's; SQLite serves one machine")
    db = connection.settings_dict
    name = f"{db['NAME']}_migrate_race"[:63]
    params = {"host": db["HOST"] or "localhost", "port": db["PORT"] or 5432, "user": db["USER"]}
    with psycopg.connect(dbname="postgres", password=db["PASSWORD"], autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    credentials = f"{quote(db['USER'], safe='')}:{quote(db['PASSWORD'] or '', safe='')}@"
    yield f"postgres://{credentials}{params['host']}:{params['port']}/{name}", name, params, db["PASSWORD"]
    with psycopg.connect(dbname="postgres", password=db["PASSWORD"], autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_servers_migrating_at_once_all_succeed_and_apply_each_migration_once(empty_postgres_database):
    url, name, params, password = empty_postgres_database
    env = {**os.environ, "DATABASE_URL": url}
    # Started together, as servers restarted on a new release would be.
    runs = [
        subprocess.Popen(
            [sys.executable, str(MANAGE), "migrate", "--noinput"],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(SERVERS)
    ]
    outcomes = [(run.wait(timeout=600), *run.communicate()) for run in runs]

    assert [code for code, _, _ in outcomes] == [0] * SERVERS, [err[-2000:] for _, _, err in outcomes]
    # One run applied everything; the others waited and found nothing to do.
    applying = [out for _, out, _ in outcomes if "Applying annotate.0001_initial... OK" in out]
    assert len(applying) == 1
    assert sum("No migrations to apply." in out for _, out, _ in outcomes) == SERVERS - 1
    with psycopg.connect(dbname=name, password=password, **params) as db:
        applied = db.execute("SELECT app, name, count(*) FROM django_migrations GROUP BY app, name").fetchall()
    assert applied and all(count == 1 for _, _, count in applied)
