"""Every path that changes a span goes through actions/annotations.py: the
page's JSON endpoint, the REST API, the admin and an annotation file
import. Whichever it takes, a change bumps the version, moves updated_at,
writes a history row saying who made it, and the reports that rest on the
span see it at once."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from annotate.actions.assignments import assignment_submit
from annotate.io import annotations_in, exports
from annotate.models import Annotation, Assignment
from annotate.read.reports import ReportFilter, build_report
from tests.conftest import make_annotation, make_article, make_assignment

pytestmark = pytest.mark.django_db

TEXT = "“We will not retreat,” Lukashenko said in Minsk."
QUOTE = "“We will not retreat,”"


@pytest.fixture
def quote_span(labels, alice):
    """alice's quote without a speaker, on an article assigned to her."""
    article = make_article(TEXT, title="Speech")
    make_assignment(article, alice)
    return make_annotation(article, labels["quote"], alice, quote=QUOTE)


def through_the_page(span, client, alice, root):
    client.force_login(alice)
    return client.patch(
        reverse("annotation-detail", args=[span.pk]),
        data=json.dumps({"speaker": "Lukashenko", "version": 1}),
        content_type="application/json",
    )


def through_the_api(span, client, alice, root):
    api = APIClient()
    api.force_authenticate(alice)
    return api.patch(f"/api/annotations/{span.pk}/", {"speaker": "Lukashenko", "version": 1}, format="json")


def through_the_admin(span, client, alice, root):
    client.force_login(root)
    return client.post(
        reverse("admin:annotate_annotation_change", args=[span.pk]),
        {"label": span.label_id, "note": span.note, "speaker": "Lukashenko", "evidence_url": "", "decision_reason": ""},
    )


def edited_export(span) -> bytes:
    """The span's CSV export with its speaker filled in, as a desk edits one."""
    data = b"".join(exports.stream_annotations(Annotation.objects.filter(pk=span.pk), "csv")).decode()
    rows = list(csv.DictReader(io.StringIO(data)))
    rows[0]["speaker"] = "Lukashenko"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def through_a_csv_import(span, client, alice, root):
    report = annotations_in.import_annotation_file(edited_export(span), "csv", user=root, keep_authors=True)
    assert report.errors == [] and report.updated == 1
    return report


def through_the_admin_import(span, client, alice, root):
    client.force_login(root)
    upload = SimpleUploadedFile("spans.csv", edited_export(span), content_type="text/csv")
    response = client.post(
        reverse("admin:annotate_annotation_import"), {"file": upload, "keep_authors": "on", "import": "Import"}
    )
    assert "imported 1 row(s): 0 new, 1 updated, 0 unchanged" in response.content.decode()
    return response


PATHS = [through_the_page, through_the_api, through_the_admin, through_a_csv_import, through_the_admin_import]


@pytest.mark.parametrize("change", PATHS, ids=lambda path: path.__name__)
def test_a_change_by_any_path_bumps_the_version_and_updated_at_and_writes_history(
    change, quote_span, client, alice, root
):
    before = quote_span.updated_at
    response = change(quote_span, client, alice, root)
    assert getattr(response, "status_code", 200) in (200, 302)

    quote_span.refresh_from_db()
    assert (quote_span.speaker, quote_span.version) == ("Lukashenko", 2)
    assert quote_span.updated_at > before
    latest = quote_span.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_type, latest.speaker, latest.version) == ("~", "Lukashenko", 2)
    assert quote_span.history.count() == 2


@pytest.mark.parametrize(
    "change", [through_the_admin, through_a_csv_import, through_the_admin_import], ids=lambda path: path.__name__
)
def test_a_report_sees_a_change_to_counted_work_at_once(change, quote_span, client, alice, root):
    """Only submitted work counts in a report, and only staff (the admin, a
    file import) can still change it; the cached figures must not hide that."""
    assignment_submit(Assignment.objects.get(reviewer=alice), user=alice)
    figures = build_report(ReportFilter()).articles[0]
    assert (figures.quotes, figures.quotes_with_speaker) == (1, 0)

    change(quote_span, client, alice, root)
    figures = build_report(ReportFilter()).articles[0]
    assert (figures.quotes, figures.quotes_with_speaker) == (1, 1)
