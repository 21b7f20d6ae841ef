"""/healthz: 200 with a working database, 503 without one, public."""

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
