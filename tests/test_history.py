"""Span history (django-simple-history): who changed what, and what it was before."""

import json
import re

from django.urls import reverse

from annotate.models import Annotation
from tests.conftest import make_annotation


def test_a_change_through_the_workspace_keeps_the_previous_version_and_who_made_it(client, article, labels, alice):
    span = make_annotation(article, labels["fact"], alice, quote="Lukashenko", note="first thought")
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
