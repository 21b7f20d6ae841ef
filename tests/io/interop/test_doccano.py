"""doccano JSONL export and import (annotate/io/interop/doccano.py)."""

import json

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.io.exports import AnnotationFilter, annotations_for_export, stream_annotations
from annotate.io.interop import doccano, drafts
from annotate.models import Annotation, Article, Source
from annotate.rules import offsets
from tests.conftest import make_annotation, make_article
from tests.conftest import make_user as _make_user  # noqa: I001
from tests.unicode_texts import whole_text_boundaries

COMPARED = ("article__sha256", "label__slug", "start", "end", "quote", "note", "speaker", "evidence_url",
            "reviewer__username", "layer", "decision_reason")  # fmt: skip


def rows():
    return sorted(Annotation.objects.values_list(*COMPARED))


def export_lines(**criteria) -> list[dict]:
    data = b"".join(stream_annotations(annotations_for_export(AnnotationFilter(**criteria)), "doccano"))
    # "\n" only: a JSON line may hold U+2028 and other breaks str.splitlines() splits on.
    return [json.loads(line) for line in data.decode().split("\n") if line]


def import_lines(lines, **options) -> drafts.InteropReport:
    data = lines if isinstance(lines, bytes) else "\n".join(json.dumps(line) for line in lines).encode()
    reader = doccano.read_lines(data, **options.pop("reader", {}))
    return drafts.run_import(reader, **options)


@pytest.fixture
def marked(db, labels, alice, bob, lena):
    article = make_article("Lukashenko 😀 praised Xi. “We are brothers,” he said.", title="Brothers", source="BelTA")
    make_annotation(article, labels["opinion"], alice, quote="praised Xi", note="a verb of approval")
    make_annotation(article, labels["quote"], alice, quote="“We are brothers,”", speaker="Lukashenko")
    make_annotation(article, labels["quote"], bob, quote="We are brothers")
    make_annotation(article, labels["fact"], lena, quote="praised Xi", layer="consensus", decision_reason="agreed")
    return article


def test_export_is_one_line_per_article_and_reviewer_in_doccano_shape(marked):
    lines = export_lines()
    assert [(line["layer"], line["reviewer"]) for line in lines] == [
        ("consensus", "lena"), ("reviewer", "alice"), ("reviewer", "bob")
    ]  # fmt: skip
    alice_line = lines[1]
    assert alice_line["text"] == marked.text
    start = marked.text.index("praised Xi")  # counted in code points: the emoji is one
    assert start == 13
    assert alice_line["label"] == [[start, start + 10, "opinion"], [25, 43, "quote"]]
    assert marked.text[25:43] == "“We are brothers,”"
    assert alice_line["Comments"] == []
    assert (alice_line["title"], alice_line["source"]) == ("Brothers", "BelTA")
    assert alice_line["notes"] == [
        {"start": 13, "end": 23, "label": "opinion", "note": "a verb of approval"},
        {"start": 25, "end": 43, "label": "quote", "speaker": "Lukashenko"},
    ]
    assert "notes" not in lines[2]


def test_round_trip_recreates_articles_and_spans(marked):
    before = rows()
    lines = export_lines()
    Annotation.objects.all().delete()
    Article.objects.all().delete()
    report = import_lines(lines)
    assert report.errors == [] and report.written
    assert (report.new, report.articles_created) == (4, 1)
    assert rows() == before
    article = Article.objects.get()
    assert (article.title, article.source.name) == ("Brothers", "BelTA")


def test_a_file_written_by_doccano_imports(db, labels, alice):
    """doccano 1.8's JSONL export of a sequence-labelling project: its own
    id, the label names its project uses, Comments, and whatever metadata
    the imported lines carried. Its text still has Windows line ends."""
    exported_by_doccano = (
        b'{"id": 7, "text": "Minsk, 2023\\r\\nThe army will buy drones, sources said.", '
        b'"label": [[13, 37, "Fact"], [39, 51, "Unsupported claim"]], "Comments": ["check"], "source": "Blog"}\n'
        b'{"id": 8, "text": "Nothing marked.", "label": [], "Comments": []}\n'
    )
    report = import_lines(exported_by_doccano, reader={"default_reviewer": "alice"})
    assert report.errors == [], report.errors
    assert report.articles_created == 2
    article = Article.objects.get(source__name="Blog")
    assert article.text == "Minsk, 2023\nThe army will buy drones, sources said."
    spans = {(a.label.slug, a.quote) for a in Annotation.objects.all()}
    # Offsets moved back by one after the CRLF became LF; quotes are intact.
    assert spans == {("fact", "The army will buy drones"), ("unsupported_claim", "sources said")}
    assert Source.objects.filter(name="Unknown").exists()


def test_metadata_kept_under_meta_comes_back(marked):
    before = rows()
    lines = export_lines()
    Annotation.objects.all().delete()
    Article.objects.all().delete()
    keys = ("title", "source", "url", "reviewer", "layer", "notes")
    nested = [{"id": n, "text": line["text"], "label": line["label"], "meta": {k: line[k] for k in keys if k in line}}
              for n, line in enumerate(lines, start=1)]  # fmt: skip
    assert import_lines(nested).errors == []
    assert rows() == before


def test_entities_objects_from_a_relation_project_import(db, labels, alice):
    article = make_article("Xi visited Minsk.")
    line = {
        "text": article.text,
        "entities": [{"id": 1, "start_offset": 0, "end_offset": 2, "label": "fact"}],
        "relations": [],
    }
    report = import_lines([line], reader={"default_reviewer": "alice"})
    assert report.errors == [] and Annotation.objects.get().quote == "Xi"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"text": "Xi visited Minsk.", "label": [[0, 2, "rumour"]]}, "line 2, span 1: unknown label 'rumour'"),
        ({"text": "Xi visited Minsk.", "label": [[5, 99, "fact"]]}, "line 2, span 1: end 99 is past the end"),
        ({"text": "Xi visited Minsk.", "label": [[3, 3, "fact"]]}, "line 2, span 1: start 3 must be before end 3"),
        ({"text": "Xi visited Minsk.", "label": [[0, "2", "fact"]]}, "line 2, span 1: expected [start, end, label]"),
        ({"text": "Xi visited Minsk.", "label": ["positive"]}, "line 2: label holds plain labels"),
        ({"text": "", "label": []}, "line 2: text must be the article's text"),
        ({"text": "Xi visited Minsk.", "label": [], "reviewer": "mallory"}, "line 2: unknown reviewer 'mallory'"),
        ({"text": "Xi visited Minsk.", "label": [], "layer": "draft"}, "line 2: layer must be"),
        ({"text": "Xi\u0000", "label": []}, "line 2: the text contains a NUL"),
        ({"text": "Cafe\u0301", "label": [[0, 4, "fact"]]}, "cuts through a character"),
    ],
)
def test_a_bad_line_is_rejected_by_number_and_nothing_is_written(db, labels, alice, line, message):
    good = {"text": "A first good line.", "label": [[0, 7, "fact"]]}
    report = import_lines([good, line], reader={"default_reviewer": "alice"})
    assert not report.written
    assert any(message in error for error in report.errors), report.errors
    assert Annotation.objects.count() == 0 and Article.objects.count() == 0


def test_invalid_json_names_the_line(db, alice):
    report = import_lines(b'{"text": "ok", "label": []}\n{"text": oops}\n', reader={"default_reviewer": "alice"})
    assert report.errors == ["line 2: not valid JSON (column 10: Expecting value)"]
    assert Article.objects.count() == 0


def test_no_reviewer_anywhere_is_an_error(db, labels):
    report = import_lines([{"text": "Xi.", "label": [[0, 2, "fact"]]}])
    assert "no reviewer" in report.errors[0]


def test_command_imports_jsonl_by_extension(marked, tmp_path, capsys):
    path = tmp_path / "spans.jsonl"
    call_command("export_annotations", "--format", "doccano", "--output", str(path))
    Annotation.objects.all().delete()
    call_command("import_annotations", str(path), "--user", staff_importer().username, "--keep-authors")
    assert "4 new" in capsys.readouterr().out


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=60
).filter(lambda t: offsets.normalise_text(t).strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts, st.data())
def test_property_doccano_round_trip_over_random_unicode(db, labels, alice, text, data):
    Annotation.objects.all().delete()
    Article.objects.all().delete()
    article = make_article(text)
    # Spans may not split a character: their ends are grapheme boundaries.
    boundaries = whole_text_boundaries(article.text)
    spans = data.draw(
        st.lists(
            st.tuples(st.sampled_from(boundaries), st.sampled_from(boundaries), st.sampled_from(sorted(labels)))
            .filter(lambda s: s[0] < s[1]),
            min_size=1, max_size=5, unique_by=lambda s: s,
        )
    )  # fmt: skip
    for start, end, label in spans:
        make_annotation(article, labels[label], alice, start=start, end=end, note=f"n{start}")
    before = rows()
    lines = export_lines()
    Annotation.objects.all().delete()
    Article.objects.all().delete()
    report = import_lines(lines)
    assert report.errors == []
    assert rows() == before


def staff_importer():
    """The command as staff restoring data, as these format tests need."""
    from django.contrib.auth import get_user_model

    found = get_user_model().objects.filter(username="operator").first()
    return found or _make_user("operator", is_staff=True)
