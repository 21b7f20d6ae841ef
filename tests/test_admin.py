"""annotate/admin.py, as root (a superuser) sees it.

The admin's article import goes through django-import-export's two steps: the
file is posted to the import view, which runs a dry run and shows a preview
with a confirm form; the confirm form is posted to the process view, which
writes. Both steps call ``ArticleResource``, which normalises rows exactly as
``articles_in.article_import`` does.
"""

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotate.actions import tokens
from annotate.io import articles_in
from annotate.models import ARTICLE_TEXT_LIMIT, Annotation, Article, Label, Source
from tests.conftest import make_annotation, make_article, make_user

# The admin's import/export format list (annotate.io.spreadsheets.SPREADSHEET_SAFE_FORMATS).
CSV_FORMAT, XLSX_FORMAT, JSON_FORMAT = "0", "1", "2"

MODELS = ["source", "article", "label", "annotation"]


@pytest.fixture
def fact_on_xi(article, labels, alice):
    """alice marks "Xi" in "Lukashenko met Xi in Beijing." as a fact."""
    return make_annotation(article, labels["fact"], alice, quote="Xi", note="Checked against the readout.")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def post_import(client, name: str, content: bytes, file_format: str):
    """Step one: upload the file; the response is the preview (or the errors)."""
    return client.post(
        reverse("admin:annotate_article_import"),
        {"resource": "0", "format": file_format, "import_file": upload(name, content)},
    )


def confirm_import(client, preview):
    """Step two: post the confirm form the preview carries, as the browser would."""
    form = preview.context["confirm_form"]
    data = {name: form.initial[name] for name in ("import_file_name", "original_file_name", "format", "resource")}
    return client.post(reverse("admin:annotate_article_process_import"), data, follow=True)


def articles_as_rows():
    return list(
        Article.objects.order_by("title").values_list(
            "title", "source__name", "byline", "published", "language", "text", "sha256"
        )
    )


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- changelists and change pages --------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_offers_import_and_export(admin_client_, fact_on_xi, model):
    response = admin_client_.get(reverse(f"admin:annotate_{model}_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    # django-import-export's own templates: the import link is single-quoted
    # and the export link carries the changelist's query string.
    assert f"<a href='{reverse(f'admin:annotate_{model}_import')}' class=\"import_link\">Import</a>" in html
    assert f'<a href="{reverse(f"admin:annotate_{model}_export")}?" class="export_link">Export</a>' in html
    assert response.context["cl"].result_count == {"source": 1, "article": 1, "label": 4, "annotation": 1}[model]


def test_article_changelist_lists_title_source_and_annotation_count(admin_client_, fact_on_xi, bob, labels):
    make_annotation(fact_on_xi.article, labels["opinion"], bob, quote="Beijing")
    response = admin_client_.get(reverse("admin:annotate_article_changelist"))
    (row,) = response.context["cl"].result_list
    assert (row.title, row.source.name, row.annotation_count) == ("Lukashenko met Xi in Beijing.", "Test Source", 2)
    assert '<td class="field-annotation_count">2</td>' in response.content.decode()


def test_article_changelist_has_no_add_button_because_articles_come_from_imports(admin_client_, article):
    response = admin_client_.get(reverse("admin:annotate_article_changelist"))
    assert reverse("admin:annotate_article_add") not in response.content.decode()
    assert admin_client_.get(reverse("admin:annotate_article_add")).status_code == 403


def test_source_changelist_counts_articles(admin_client_, db):
    make_article("One story.", source="CNN")
    make_article("Two stories.", source="CNN")
    make_article("Other story.", source="DW")
    response = admin_client_.get(reverse("admin:annotate_source_changelist"))
    counts = {source.name: source.article_count for source in response.context["cl"].result_list}
    assert counts == {"CNN": 2, "DW": 1}


def test_label_changelist_shows_each_colour_swatch(admin_client_, labels):
    html = admin_client_.get(reverse("admin:annotate_label_changelist")).content.decode()
    # The colour itself comes from /labels.css (annotate/rules/label_styles.py).
    assert '<link href="/labels.css" media="all" rel="stylesheet">' in html
    for slug, colour in [("fact", "#2a9d8f"), ("quote", "#3a6fd8"), ("opinion", "#e09f3e")]:
        assert f'<span class="swatch label-colour-{slug}" title="{colour}"></span>' in html


def test_source_change_page_shows_the_source(admin_client_, article):
    response = admin_client_.get(reverse("admin:annotate_source_change", args=[article.source_id]))
    assert response.status_code == 200
    assert 'value="Test Source"' in response.content.decode()


def test_article_change_page_shows_text_and_fingerprint_read_only(admin_client_, article):
    response = admin_client_.get(reverse("admin:annotate_article_change", args=[article.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert article.sha256 in html
    assert "Lukashenko met Xi in Beijing." in html
    assert 'name="text"' not in html
    assert 'name="sha256"' not in html
    assert 'name="title"' in html


def test_label_change_page_shows_the_label(admin_client_, labels):
    response = admin_client_.get(reverse("admin:annotate_label_change", args=[labels["opinion"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="opinion"' in html
    assert 'value="#e09f3e"' in html


def test_annotation_change_page_shows_the_quote_in_its_context(admin_client_, fact_on_xi):
    response = admin_client_.get(reverse("admin:annotate_annotation_change", args=[fact_on_xi.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<div class="in-context">…Lukashenko met <mark class="label-colour-fact">Xi</mark> in Beijing.…</div>' in html
    )
    assert "Checked against the readout." in html


def test_annotation_change_page_escapes_the_text_around_the_quote(admin_client_, labels, alice):
    article = make_article("<b>Bold</b> claim & more.")
    annotation = make_annotation(article, labels["fact"], alice, quote="claim")
    html = admin_client_.get(reverse("admin:annotate_annotation_change", args=[annotation.pk])).content.decode()
    assert "…&lt;b&gt;Bold&lt;/b&gt; <mark" in html
    assert ">claim</mark> &amp; more.…" in html


def test_annotation_add_page_says_there_is_no_context_yet(admin_client_, db):
    response = admin_client_.get(reverse("admin:annotate_annotation_add"))
    assert response.status_code == 200
    assert response.context["adminform"].form.instance.pk is None
    assert '<div class="readonly">—</div>' in response.content.decode()


def test_editing_an_annotation_note_in_the_admin_saves_it_and_bumps_updated_at(admin_client_, fact_on_xi, alice):
    before = fact_on_xi.updated_at
    response = admin_client_.post(
        reverse("admin:annotate_annotation_change", args=[fact_on_xi.pk]),
        {
            "article": fact_on_xi.article_id,
            "label": fact_on_xi.label_id,
            "start": 15,
            "end": 17,
            "quote": "Xi",
            "note": "Second look.",
            "speaker": "",
            "evidence_url": "",
            "reviewer": alice.pk,
            "layer": "reviewer",
        },
    )
    assert response.status_code == 302
    fact_on_xi.refresh_from_db()
    assert fact_on_xi.note == "Second look."
    assert fact_on_xi.updated_at > before
    assert fact_on_xi.version == 2  # a browser still showing version 1 must hear it changed


def test_the_admin_refuses_a_new_annotation_whose_quote_does_not_match(admin_client_, fact_on_xi, alice):
    response = admin_client_.post(
        reverse("admin:annotate_annotation_add"),
        {
            "article": fact_on_xi.article_id, "label": fact_on_xi.label_id, "start": 15, "end": 17, "quote": "Xo",
            "note": "", "speaker": "", "evidence_url": "", "reviewer": alice.pk, "layer": "reviewer",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["quote"] == [
        "quote 'Xo' does not match the text at [15, 17), which reads 'Xi'"
    ]
    assert Annotation.objects.count() == 1


def test_the_admin_cannot_move_a_span_or_give_it_to_someone_else(admin_client_, fact_on_xi, bob):
    """Where a span is and whose it is are fixed when it is made (the write
    action refuses it); the change page shows them but does not take them."""
    response = admin_client_.post(
        reverse("admin:annotate_annotation_change", args=[fact_on_xi.pk]),
        {
            "label": fact_on_xi.label_id, "start": 0, "end": 10, "quote": "Lukashenko", "reviewer": bob.pk,
            "layer": "consensus", "note": "moved?", "speaker": "", "evidence_url": "", "decision_reason": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    fact_on_xi.refresh_from_db()
    assert (fact_on_xi.start, fact_on_xi.end, fact_on_xi.quote, fact_on_xi.layer) == (15, 17, "Xi", "reviewer")
    assert (fact_on_xi.reviewer.username, fact_on_xi.note, fact_on_xi.version) == ("alice", "moved?", 2)


# --- importing articles through the admin ------------------------------------


def test_admin_csv_import_creates_articles_normalised_like_the_command(admin_client_):
    content = (
        "text,title,source,byline,published\r\n"
        '"Cafe\u0301 talks\r\n\r\nLukashenko met Xi.",Café talks,Reuters,Jane Doe,2023-03-05\r\n'
        '"Untitled story\r\nBody.",,,,\r\n'
    ).encode()
    preview = post_import(admin_client_, "articles.csv", content, CSV_FORMAT)
    assert preview.status_code == 200
    assert preview.context["result"].totals["new"] == 2
    assert Article.objects.count() == 0  # the preview is a dry run

    done = confirm_import(admin_client_, preview)
    assert done.redirect_chain == [(reverse("admin:annotate_article_changelist"), 302)]
    assert [str(m) for m in done.context["messages"]] == [
        "Import finished: 2 new, 0 updated, 0 deleted and 0 skipped articles."
    ]
    first, second = "Caf\u00e9 talks\n\nLukashenko met Xi.", "Untitled story\nBody."
    assert articles_as_rows() == [
        ("Café talks", "Reuters", "Jane Doe", dt.date(2023, 3, 5), "en", first, sha(first)),
        ("Untitled story", "Unknown", "", None, "en", second, sha(second)),
    ]


def test_admin_json_import_turns_crlf_into_lf_and_sets_the_fingerprint(admin_client_):
    records = [
        {"text": "Head\r\n\r\nCafe\u0301 body\r", "source": "CNN", "language": "de"},
        {"text": "\ufeffSecond\rstory", "title": "Given title", "url": "https://example.org/2"},
    ]
    preview = post_import(admin_client_, "articles.json", json.dumps(records).encode(), JSON_FORMAT)
    assert preview.context["result"].totals["new"] == 2
    confirm_import(admin_client_, preview)
    first, second = "Head\n\nCaf\u00e9 body\n", "Second\nstory"
    rows = list(
        Article.objects.order_by("pk").values_list("title", "source__name", "language", "url", "text", "sha256")
    )
    assert rows == [
        ("Head", "CNN", "de", "", first, sha(first)),
        # No source named: the outlet is the url's domain, made on the way.
        ("Given title", "example.org", "en", "https://example.org/2", second, sha(second)),
    ]


def test_admin_json_import_reads_each_record_by_its_keys_not_their_order(admin_client_):
    records = [
        {"text": "Body one", "title": "Title one"},
        {"title": "Title two", "source": "AP", "text": "Body two"},
        {"text": "Body three"},
    ]
    preview = post_import(admin_client_, "articles.json", json.dumps(records).encode(), JSON_FORMAT)
    confirm_import(admin_client_, preview)
    rows = list(Article.objects.order_by("pk").values_list("title", "text", "source__name"))
    assert rows == [
        ("Title one", "Body one", "Unknown"),
        ("Title two", "Body two", "AP"),
        ("Body three", "Body three", "Unknown"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "file_format", "message"),
    [
        ("deep.json", b"[" * 100_000, JSON_FORMAT, "it is JSON nested too deeply (more than 64 levels)."),
        (
            "huge.json",
            b'[{"text": "x", "title": ' + b"9" * 5_000 + b"}]",
            JSON_FORMAT,
            "it is JSON with a number too long to read (more than 4,300 digits).",
        ),
        (
            "long.csv",
            b'text,title\n"' + b"x" * (ARTICLE_TEXT_LIMIT + 1) + b'",T\n',
            CSV_FORMAT,
            "a field is longer than 5,000,000 characters, the most an article may hold.",
        ),
    ],
    ids=["nested", "huge-number", "csv-field-over-the-limit"],
)
def test_admin_import_of_a_hostile_file_says_why_it_cannot_be_read(admin_client_, name, content, file_format, message):
    response = post_import(admin_client_, name, content, file_format)

    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [f"The file cannot be imported: {message}"]
    assert not Article.objects.exists()


def test_admin_csv_import_takes_an_article_of_a_million_characters(admin_client_):
    text = ("Lukashenko met Xi in Beijing. " * 40_000)[:1_000_000]
    preview = post_import(admin_client_, "long.csv", f'text,title\n"{text}",Long read\n'.encode(), CSV_FORMAT)

    confirm_import(admin_client_, preview)

    assert Article.objects.get().text == text


def test_admin_import_and_command_store_the_same_text_and_fingerprint(admin_client_, tmp_path):
    raw = "\ufeffCafe\u0301\r\n\r\nSame story.\r\n"
    path = tmp_path / "story.txt"
    path.write_text(raw, encoding="utf-8")
    articles_in.import_paths([path])
    by_command = Article.objects.get()
    by_command_values = (by_command.text, by_command.sha256)
    by_command.delete()

    confirm_import(
        admin_client_, post_import(admin_client_, "a.json", json.dumps([{"text": raw}]).encode(), JSON_FORMAT)
    )
    by_admin = Article.objects.get()
    assert (by_admin.text, by_admin.sha256) == by_command_values


def test_admin_import_of_the_same_file_twice_changes_nothing(admin_client_):
    content = json.dumps([{"text": "Once only.", "source": "AP"}]).encode()
    confirm_import(admin_client_, post_import(admin_client_, "a.json", content, JSON_FORMAT))
    before = list(Article.objects.values())
    preview = post_import(admin_client_, "a.json", content, JSON_FORMAT)
    totals = preview.context["result"].totals
    assert (totals["new"], totals["update"], totals["skip"]) == (0, 0, 1)
    confirm_import(admin_client_, preview)
    assert list(Article.objects.values()) == before


@pytest.mark.parametrize(
    ("name", "content", "file_format", "error"),
    [
        (
            "bad.csv",
            b"text,title,source\r\nGood story,Good,Brand New Source\r\n,Empty,Brand New Source\r\n",
            CSV_FORMAT,
            "Line number: 2 - the article has no text",
        ),
        (
            "bad.json",
            json.dumps(
                [{"text": "Good story", "source": "Brand New Source"}, {"text": "  ", "title": "Blank"}]
            ).encode(),
            JSON_FORMAT,
            "Line number: 2 - the article has no text",
        ),
        (
            "bad-date.json",
            json.dumps([{"text": "Good story", "source": "Brand New Source", "published": "5 March"}]).encode(),
            JSON_FORMAT,
            "Line number: 1 - published date &#x27;5 March&#x27; is not a date like 2023-03-05",
        ),
    ],
    ids=["csv-empty-text", "json-blank-text", "json-bad-date"],
)
def test_admin_import_with_a_bad_row_shows_the_error_and_writes_nothing(
    admin_client_, name, content, file_format, error
):
    response = post_import(admin_client_, name, content, file_format)
    assert response.status_code == 200
    assert response.context["result"].has_errors()
    assert "confirm_form" not in response.context
    assert error in response.content.decode()
    assert Article.objects.count() == 0
    assert not Source.objects.filter(name="Brand New Source").exists()


def test_admin_import_without_a_text_column_is_refused(admin_client_):
    response = post_import(admin_client_, "bad.csv", b"title,source\r\nNo text,CNN\r\n", CSV_FORMAT)
    assert "missing column: text" in response.content.decode()
    assert "confirm_form" not in response.context
    assert Article.objects.count() == 0


# --- exporting ---------------------------------------------------------------


def test_article_export_returns_a_csv_file_of_the_articles(admin_client_, fact_on_xi):
    article = fact_on_xi.article
    fields = ["id", "sha256", "title", "source", "published", "text", "annotation_count"]
    response = admin_client_.post(
        reverse("admin:annotate_article_export"),
        {"format": CSV_FORMAT, "resource": "0", **{f"articleresource_{name}": "on" for name in fields}},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="Article-')
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows == [
        fields,
        [str(article.pk), article.sha256, article.title, "Test Source", "", article.text, "1"],
    ]


def test_label_export_returns_a_json_file_of_the_labels(admin_client_, labels):
    fields = ["slug", "name", "colour", "shortcut", "description", "order", "id"]
    response = admin_client_.post(
        reverse("admin:annotate_label_export"),
        {"format": JSON_FORMAT, "resource": "0", **{f"labelresource_{name}": "on" for name in fields}},
    )
    assert response["Content-Type"] == "application/json"
    exported = json.loads(response.content)
    assert [(row["slug"], row["shortcut"], row["colour"]) for row in exported] == [
        ("fact", "F", "#2a9d8f"),
        ("quote", "Q", "#3a6fd8"),
        ("opinion", "O", "#e09f3e"),
        ("unsupported_claim", "U", "#d62839"),
    ]


# --- queries do not grow with rows -------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def make_articles(count: int, start: int = 0):
    for number in range(start, start + count):
        make_article(f"Story number {number}.", source=f"Outlet {number % 7}")


def test_article_changelist_queries_do_not_grow_with_rows(admin_client_, labels, django_assert_max_num_queries):
    url = reverse("admin:annotate_article_changelist")
    make_articles(3)
    with_three = count_queries(admin_client_, url)
    make_articles(27, start=3)
    assert Article.objects.count() == 30
    with django_assert_max_num_queries(with_three):
        response = admin_client_.get(url)
    assert response.context["cl"].result_count == 30
    assert count_queries(admin_client_, url) == with_three


def test_annotation_changelist_queries_do_not_grow_with_rows(admin_client_, labels, django_assert_max_num_queries):
    url = reverse("admin:annotate_annotation_changelist")
    reviewers = [make_user(f"reviewer{n}") for n in range(3)]
    make_articles(5)
    articles = list(Article.objects.all())
    label_list = list(Label.objects.all())

    def make_annotations(count, offset):
        for n in range(offset, offset + count):
            article = articles[n % len(articles)]
            make_annotation(
                article, label_list[n % len(label_list)], reviewers[n % len(reviewers)], start=n // 5, end=n // 5 + 3
            )

    make_annotations(3, 0)
    with_three = count_queries(admin_client_, url)
    make_annotations(27, 3)
    assert Annotation.objects.count() == 30
    with django_assert_max_num_queries(with_three):
        response = admin_client_.get(url)
    assert response.context["cl"].result_count == 30
    assert count_queries(admin_client_, url) == with_three


def test_annotation_export_queries_do_not_grow_with_rows(admin_client_, labels):
    reviewers = [make_user(f"reviewer{n}") for n in range(3)]
    make_articles(5)
    articles = list(Article.objects.all())
    label_list = list(Label.objects.all())
    url = reverse("admin:annotate_annotation_export")
    form = {"format": CSV_FORMAT, "resource": "0", "annotationresource_quote": "on",
            "annotationresource_prefix": "on", "annotationresource_source": "on"}  # fmt: skip

    def export_and_count():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client_.post(url, form)
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
        return len(queries), rows

    for n in range(3):
        make_annotation(articles[n], label_list[n], reviewers[n], start=0, end=5)
    with_three, rows = export_and_count()
    assert rows[0] == ["source", "quote", "prefix"]
    assert rows[1] == ["Outlet 0", "Story", ""]
    for n in range(3, 30):
        make_annotation(articles[n % 5], label_list[n % 4], reviewers[n % 3], start=n // 5, end=n // 5 + 3)
    with_thirty, rows = export_and_count()
    assert len(rows) == 31
    assert with_thirty == with_three


def test_annotation_export_follows_the_changelists_layer_filter(admin_client_, labels, lena, alice):
    article = make_article("Lukashenko met Xi in Beijing.")
    make_annotation(article, labels["fact"], alice, quote="Lukashenko")
    consensus = make_annotation(article, labels["fact"], lena, quote="Lukashenko", layer=Annotation.Layer.CONSENSUS)
    form = {"format": CSV_FORMAT, "resource": "0", "annotationresource_id": "on", "annotationresource_layer": "on"}

    response = admin_client_.post(reverse("admin:annotate_annotation_export") + "?layer__exact=consensus", form)

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows == [["id", "layer"], [str(consensus.pk), "consensus"]]


@pytest.mark.parametrize(("model", "field"), [(Article, "url"), (Annotation, "evidence_url")])
def test_admin_links_typed_without_a_scheme_become_https(rf, root, model, field):
    request = rf.get("/")
    request.user = root
    form_class = admin.site._registry[model].get_form(request)

    assert form_class.base_fields[field].clean("example.org/story") == "https://example.org/story"


# --- the annotation import page: the same entry point as the command and the API


def import_page(client, name: str, content: bytes, **fields):
    return client.post(reverse("admin:annotate_annotation_import"), {"file": upload(name, content), **fields})


def test_the_annotation_import_checks_before_it_writes(admin_client_, article, labels, alice):
    line = b'{"text": "Lukashenko met Xi in Beijing.", "label": [[15, 17, "fact"]]}\n'
    checked = import_page(admin_client_, "spans.jsonl", line, reviewer="alice", keep_authors="on", check="Check")
    assert "would import (dry run) 1 annotation(s): 1 new" in checked.content.decode()
    assert not Annotation.objects.exists()

    imported = import_page(
        admin_client_, "spans.jsonl", line, reviewer="alice", keep_authors="on", **{"import": "Import"}
    )
    assert "imported 1 annotation(s): 1 new" in imported.content.decode()
    assert Annotation.objects.get().quote == "Xi"


def test_the_annotation_import_names_each_problem_and_writes_nothing(admin_client_, article, labels):
    line = b'{"text": "Lukashenko met Xi in Beijing.", "label": [[15, 17, "fact"]]}\n'
    response = import_page(admin_client_, "spans.jsonl", line, **{"import": "Import"})
    page = response.content.decode()
    assert "Refused" in page
    assert "no reviewer: the file does not say who made it; give a default reviewer" in page
    assert not Annotation.objects.exists()


def test_the_annotation_import_tells_label_studio_json_by_its_content_and_takes_a_user_map(
    admin_client_, labels, alice, bob, lena
):
    tasks = (Path(__file__).parent / "io" / "fixtures" / "labelstudio" / "export_json.json").read_bytes()
    response = import_page(
        admin_client_, "project-29-at-2024-02-02.json", tasks, user_map="10=bob\n", keep_authors="on",
        **{"import": "Import"},
    )  # fmt: skip
    assert "imported 5 annotation(s): 5 new" in response.content.decode()
    assert Annotation.objects.filter(reviewer=bob).count() == 2

    refused = import_page(admin_client_, "project.json", tasks, user_map="10", **{"import": "Import"})
    assert refused.context["form"].errors["user_map"] == ["User map '10': expected THEIRS=OURS, like 7=ana"]


def test_the_annotation_import_asks_for_a_format_it_cannot_tell(admin_client_):
    response = import_page(admin_client_, "spans.txt", b"hello", **{"import": "Import"})
    assert response.context["form"].errors["file_format"] == [
        "The file's extension names no format Sourcemark reads; choose one."
    ]


def test_the_admin_lists_no_api_tokens_and_makes_none(admin_client_, alice):
    token = tokens.token_issue(user=alice)

    index = admin_client_.get(reverse("admin:index")).content.decode()
    assert "/admin/authtoken/" not in index
    for url in ("/admin/authtoken/tokenproxy/", "/admin/authtoken/tokenproxy/add/"):
        response = admin_client_.get(url)
        assert response.status_code == 404
        assert token.key not in response.content.decode()


def test_the_feed_admin_lists_feeds_and_their_items_to_read_not_to_edit(admin_client_, lena):
    from annotate.actions import feeds as feed_actions

    feed = feed_actions.feed_follow(url="https://news.example/rss.xml", added_by=lena, source_name="News Ex")
    feed_actions.feed_entries_record(feed, [feed_actions.SeenItem("https://news.example/a", "Story A")])
    listed = admin_client_.get(reverse("admin:annotate_feed_changelist")).content.decode()
    assert "https://news.example/rss.xml" in listed and "News Ex" in listed
    assert reverse("admin:annotate_feed_add") not in listed
    assert admin_client_.get(reverse("admin:annotate_feed_add")).status_code == 403
    entries = admin_client_.get(reverse("admin:annotate_feedentry_changelist")).content.decode()
    assert "https://news.example/a" in entries and "Pending" in entries
    form = admin_client_.get(reverse("admin:annotate_feed_change", args=[feed.pk])).content.decode()
    assert 'name="url"' not in form  # read-only


@pytest.mark.parametrize("action, active", [("pause", False), ("resume", True)])
def test_the_feed_admin_pauses_and_resumes(admin_client_, lena, action, active):
    from annotate.actions import feeds as feed_actions
    from annotate.models import Feed

    feed = feed_actions.feed_follow(url="https://news.example/rss.xml", added_by=lena)
    Feed.objects.filter(pk=feed.pk).update(active=not active)
    admin_client_.post(reverse("admin:annotate_feed_changelist"), {"action": action, "_selected_action": [feed.pk]})
    feed.refresh_from_db()
    assert feed.active is active


def test_the_feed_admin_polls_in_the_background_and_deletes_by_unfollowing(admin_client_, lena):
    from django_tasks_db.models import DBTaskResult

    from annotate.actions import feeds as feed_actions
    from annotate.models import Feed

    feed = feed_actions.feed_follow(url="https://news.example/rss.xml", added_by=lena)
    changelist = reverse("admin:annotate_feed_changelist")
    admin_client_.post(changelist, {"action": "poll_now", "_selected_action": [feed.pk]})
    assert DBTaskResult.objects.get().args_kwargs["args"] == [feed.pk]
    feed.refresh_from_db()
    assert feed.poll_queued_at is not None

    admin_client_.post(changelist, {"action": "delete_selected", "_selected_action": [feed.pk], "post": "yes"})
    assert not Feed.objects.exists()


def test_background_imports_are_listed_with_their_progress_and_cannot_be_edited(admin_client_, lena):
    from annotate.models import AnnotationImportJob

    job = AnnotationImportJob.objects.create(
        requested_by=lena, file_name="big-export.csv", file_format="csv", data=b"x" * 10, size=10,
        status="running", stage="writing", done=1200, total=5000,
    )  # fmt: skip
    html = admin_client_.get(reverse("admin:annotate_annotationimportjob_changelist")).content.decode()
    assert "big-export.csv" in html and "1200" in html and "5000" in html and "writing" in html
    page = admin_client_.get(reverse("admin:annotate_annotationimportjob_change", args=[job.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert admin_client_.get(reverse("admin:annotate_annotationimportjob_add")).status_code == 403
