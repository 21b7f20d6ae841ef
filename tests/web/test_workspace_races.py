"""The workspace's writes under real concurrency: requests on separate
threads, each with its own database connection, against committed rows
(``transactional_db``), on whichever database the suite runs on (SQLite
or PostgreSQL, see .ci/run).

A barrier holds each racer just after its first look-up, so every racer
has checked and found nothing before any of them writes: the database's
constraints and locks alone must then keep the outcome right.
"""

import json
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from annotate.actions import annotations
from annotate.models import Annotation
from annotate.web import workspace
from tests.conftest import assign, make_annotation, make_article

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "Lukashenko met Xi in Beijing and praised the 🇧🇾 army."
QUOTE = "praised the 🇧🇾 army"
START = TEXT.index(QUOTE)
BODY = {"label": "fact", "start": START, "end": START + len(QUOTE), "quote": QUOTE}
RACERS = 4
ROUNDS = 3


@pytest.fixture
def article(alice):
    article = make_article(TEXT)
    assign(article, alice)
    return article


def race(requests) -> list:
    """Run each zero-argument callable on its own thread at once; return
    their results in order (an exception fails the test)."""
    results, errors = [None] * len(requests), []

    def run(index, request):
        try:
            results[index] = request()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def held_after_first_lookup(monkeypatch, function_name: str, parties: int):
    """Make every racer wait, after its first call of ``workspace.<function_name>``,
    until all ``parties`` have made theirs."""
    barrier = threading.Barrier(parties, timeout=30)
    seen = threading.local()
    original = getattr(workspace, function_name)

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        if not getattr(seen, "done", False):
            seen.done = True
            barrier.wait()
        return result

    monkeypatch.setattr(workspace, function_name, held)


def post(user, article, body):
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("article-annotations", args=[article.pk]), data=json.dumps(body), content_type="application/json"
    )
    return response.status_code, response.json()


def test_racing_repeats_of_one_client_id_make_one_span_and_all_hear_it(article, alice, labels, monkeypatch):
    held_after_first_lookup(monkeypatch, "_span_once_made_with", RACERS)
    for _ in range(ROUNDS):
        body = {**BODY, "client_id": str(uuid.uuid4())}
        Annotation.objects.all().delete()

        answers = race([lambda body=body: post(alice, article, body) for _ in range(RACERS)])

        assert [status for status, _ in answers] == [201] * RACERS, answers
        stored = Annotation.objects.get()
        assert {payload["id"] for _, payload in answers} == {stored.pk}
        assert str(stored.client_id) == body["client_id"]


def test_racing_creates_of_one_span_under_different_client_ids_make_one_and_a_conflict(
    article, alice, labels, monkeypatch
):
    held_after_first_lookup(monkeypatch, "_span_once_made_with", 2)
    bodies = [{**BODY, "client_id": str(uuid.uuid4())} for _ in range(2)]

    answers = race([lambda body=body: post(alice, article, body) for body in bodies])

    assert sorted(status for status, _ in answers) == [201, 409], answers
    assert {"error": {"message": "you already marked this span as Fact"}} in [payload for _, payload in answers]
    assert Annotation.objects.count() == 1


def test_racing_changes_from_the_same_version_apply_once_and_the_rest_hear_409(article, alice, labels, monkeypatch):
    span = make_annotation(article, labels["fact"], alice, quote=QUOTE)
    held_after_first_lookup(monkeypatch, "_require_visible", RACERS)

    def patch(note):
        client = Client()
        client.force_login(alice)
        response = client.patch(
            reverse("annotation-detail", args=[span.pk]),
            data=json.dumps({"note": note, "version": 1}),
            content_type="application/json",
        )
        return response.status_code, response.json()

    answers = race([lambda note=f"tab {n}": patch(note) for n in range(RACERS)])

    assert sorted(status for status, _ in answers) == [200] + [409] * (RACERS - 1), answers
    (winner,) = [payload for status, payload in answers if status == 200]
    stored = Annotation.objects.get()
    assert (stored.note, stored.version) == (winner["note"], 2)
    for status, payload in answers:
        if status == 409:
            assert payload["error"]["current"]["note"] == winner["note"]


def test_racing_unversioned_changes_each_count_a_version(article, alice, labels):
    span = make_annotation(article, labels["fact"], alice, quote=QUOTE)
    everyone_has_read = threading.Barrier(RACERS, timeout=30)

    def change(note):
        copy = Annotation.objects.get(pk=span.pk)  # version 1 for every racer
        everyone_has_read.wait()
        annotations.annotation_update(copy, note=note)

    race([lambda note=f"script {n}": change(note) for n in range(RACERS)])

    assert Annotation.objects.get().version == 1 + RACERS
