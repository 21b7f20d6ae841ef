"""Span history (django-simple-history): who changed what, and what it was before."""

import json
import re

from django.test import Client
from django.urls import reverse

from annotate.models import Annotation
from annotate.read import history
from tests.conftest import assign, make_annotation


def test_a_change_through_the_workspace_keeps_the_previous_version_and_who_made_it(client, article, labels, alice):
    span = make_annotation(article, labels["fact"], alice, quote="Lukashenko", note="first thought")
    assign(article, alice)
    client.force_login(alice)

    response = client.patch(
        reverse("annotation-detail", args=[span.pk]),
        data=json.dumps({"label": "opinion", "note": "second thought"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    versions = list(span.history.order_by("history_date"))
    assert [(v.history_type, v.label.slug, v.note) for v in versions] == [
        ("+", "fact", "first thought"),
        ("~", "opinion", "second thought"),
    ]
    assert versions[1].history_user == alice


def test_a_deleted_span_stays_in_the_history_with_its_last_content(client, article, labels, alice):
    span = make_annotation(article, labels["quote"], alice, quote="Xi", speaker="State media")
    span_id = span.pk
    assign(article, alice)
    client.force_login(alice)

    response = client.delete(reverse("annotation-detail", args=[span_id]))

    assert response.status_code == 200
    assert not Annotation.objects.filter(pk=span_id).exists()
    deleted = Annotation.history.filter(id=span_id).latest("history_date")
    assert (deleted.history_type, deleted.speaker, deleted.quote, deleted.history_user) == (
        "-",
        "State media",
        "Xi",
        alice,
    )


def test_the_admin_shows_a_spans_history(admin_client_, article, labels, alice):
    span = make_annotation(article, labels["fact"], alice, quote="Beijing")
    span.note = "checked against the readout"
    span.save()

    response = admin_client_.get(reverse("admin:annotate_annotation_history", args=[span.pk]))

    assert response.status_code == 200
    history = response.content.decode().split('id="change-history"')[1]
    text = " ".join(re.sub(r"<[^>]+>", " ", history).split())
    # Newest first: the note change (old value empty → new value), then the creation.
    assert "Changed" in text and "Created" in text and text.index("Changed") < text.index("Created")
    assert "Note: &nbsp;&rarr;&nbsp;&nbsp;checked against the readout" in text
    assert "2 entries" in text


def test_a_lead_reads_a_spans_history_newest_first_with_what_changed(lena_client, article, labels, alice, lena):
    span = make_annotation(article, labels["fact"], alice, quote="Lukashenko", note="first thought")
    assign(article, alice)
    alice_client = Client()
    alice_client.force_login(alice)
    alice_client.patch(
        reverse("annotation-detail", args=[span.pk]),
        data=json.dumps({"label": "opinion", "note": "second thought"}),
        content_type="application/json",
    )

    response = lena_client.get(reverse("annotation-history", args=[span.pk]))

    assert response.status_code == 200
    changed, created = response.json()["history"]
    assert (changed["kind"], changed["who"]) == ("changed", "alice")
    assert changed["changes"] == [
        {"field": "label", "old": "fact", "new": "opinion"},
        {"field": "note", "old": "first thought", "new": "second thought"},
    ]
    assert created["kind"] == "created"
    assert {"field": "quote", "old": None, "new": "Lukashenko"} in created["changes"]


def test_a_reviewer_may_not_read_history(client, article, labels, alice, bob):
    span = make_annotation(article, labels["fact"], alice, quote="Lukashenko")
    assign(article, alice, bob)
    client.force_login(alice)
    assert client.get(reverse("annotation-history", args=[span.pk])).status_code == 403
    client.force_login(bob)  # may not even see the span before submitting
    assert client.get(reverse("annotation-history", args=[span.pk])).status_code == 404


def test_a_move_by_a_new_version_says_which_version_and_why(db, labels, alice):
    from annotate.io import articles_in

    url = "https://example.org/history-versions"
    old = "Minsk spoke first. Beijing answered at length."
    article, _ = articles_in.article_import(articles_in.ArticleRecord(text=old, url=url, source="Example"))
    span = make_annotation(article, labels["fact"], alice, quote="Beijing answered at length.")
    new = "Minsk spoke first, on Monday. Beijing answered at length."
    articles_in.article_import(articles_in.ArticleRecord(text=new, url=url, source="Example"))
    moved, created = history.annotation_history(span)
    assert moved["reason"] == "article version 2" and created["reason"] == ""
    changes = {change["field"]: (change["old"], change["new"]) for change in moved["changes"]}
    assert changes == {
        "start": (19, 30),
        "end": (46, 57),
        "article_version": (1, 2),
        "anchor_state": ("exact", "moved"),
    }
