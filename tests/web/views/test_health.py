"""/healthz: 200 with a database that answers and would take a write, 503
without one, public."""

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_without_signing_in(client):
    response = client.get(reverse("healthz"))
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get(reverse("healthz"))

    assert (response.status_code, response.json()) == (503, {"status": "unavailable", "database": "unreachable"})


def test_healthz_takes_only_get(client):
    assert client.post(reverse("healthz")).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_busy_while_another_process_holds_the_write_lock(lock_the_database, client):
    assert client.get(reverse("healthz")).status_code == 200
    lock_the_database()

    response = client.get(reverse("healthz"))

    assert (response.status_code, response.json()) == (503, {"status": "unavailable", "database": "busy"})


@pytest.fixture
def read_only_connection():
    """The test's connection put in its database's own read-only mode,
    as a standby or a read-only file would have it."""
    from django.db import connection

    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA query_only = ON" if sqlite else "SET TRANSACTION READ ONLY")
    yield
    if sqlite:  # a pragma outlives the test's transaction; a SET TRANSACTION does not
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = OFF")


def test_healthz_answers_503_when_the_database_refuses_writes(client, read_only_connection):
    response = client.get(reverse("healthz"))

    assert (response.status_code, response.json()) == (503, {"status": "unavailable", "database": "cannot_write"})


def test_healthz_writes_nothing(client):
    from django.db.migrations.recorder import MigrationRecorder

    before = list(MigrationRecorder.Migration.objects.values_list("app", "name", "applied"))

    assert client.get(reverse("healthz")).status_code == 200

    assert list(MigrationRecorder.Migration.objects.values_list("app", "name", "applied")) == before
