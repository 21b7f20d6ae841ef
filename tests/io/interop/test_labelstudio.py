"""Label Studio tasks in and out (annotate/io/interop/labelstudio.py, labelstudio_in.py).

The files under tests/io/fixtures/labelstudio/ are shaped after Label
Studio's own source, docs and tests (their README says which), not after
our exporter."""

import datetime as dt
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.actions import bulk_annotations
from annotate.io import annotations_in
from annotate.io.exports import AnnotationFilter, annotations_for_export, stream_annotations
from annotate.io.interop import drafts, labelstudio, labelstudio_in
from annotate.models import Annotation, Article, Label
from annotate.rules import offsets
from tests.conftest import api_as, assign, make_annotation, make_article
from tests.unicode_texts import whole_text_boundaries

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures" / "labelstudio"
COMPARED = ("article__sha256", "label__slug", "start", "end", "quote", "note", "speaker", "evidence_url",
            "reviewer__username", "layer", "decision_reason", "created_at", "updated_at")  # fmt: skip


def rows():
    return sorted(Annotation.objects.values_list(*COMPARED))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def import_tasks(data, **options) -> drafts.InteropReport:
    """As an operator's restore: no policy, so the file's authors and times are kept."""
    data = data if isinstance(data, bytes) else json.dumps(data).encode()
    reader = labelstudio_in.read_tasks(data, **options.pop("reader", {}))
    return drafts.run_import(reader, **options)


def export_tasks(**criteria) -> list[dict]:
    data = b"".join(stream_annotations(annotations_for_export(AnnotationFilter(**criteria)), "labelstudio"))
    return json.loads(data)


def spans():
    return sorted(
        Annotation.objects.values_list("reviewer__username", "layer", "label__slug", "quote", "note", "speaker")
    )


@pytest.fixture
def marked(db, labels, alice, bob, lena):
    text = "Lukashenko 😀 praised Xi. “We are brothers,” he said. 军事演习"
    article = make_article(text, title="Brothers", source="BelTA")
    make_annotation(article, labels["opinion"], alice, quote="praised Xi", note="a verb of approval")
    make_annotation(
        article, labels["quote"], alice, quote="“We are brothers,”", speaker="Lukashenko",
        evidence_url="https://example.org/tass",
    )  # fmt: skip
    make_annotation(article, labels["quote"], bob, quote="We are brothers")
    make_annotation(article, labels["fact"], lena, quote="军事演习", layer="consensus", decision_reason="agreed")
    return article


# ---------------------------------------------------------------- Label Studio's own files


def test_a_label_studio_json_export_imports_with_its_quotes_notes_labels_and_reviewers(labels, alice, bob, lena, root):
    report = import_tasks(fixture("export_json.json"), reader={"user_map": {"10": "bob"}})

    assert report.errors == [], report.errors
    assert spans() == [
        ("alice", "reviewer", "fact", "习近平 met Lukashenko", "Both named in the TASS wire.", ""),
        ("alice", "reviewer", "quote", "“We are brothers,”", "", ""),
        # One region with two labels is two spans.
        ("bob", "reviewer", "opinion", "a sham", "", ""),
        ("bob", "reviewer", "unsupported_claim", "a sham", "", ""),
        # ground_truth: the consensus; the email matched in any case.
        ("lena", "consensus", "quote", "“我们是兄弟。”", "", ""),
    ]
    assert report.articles_created == 2
    assert Article.objects.get(title="卢卡申科访问北京").text == "白俄罗斯总统卢卡申科访问北京。他说：“我们是兄弟。”"
    assert report.left_out == {
        "skipped annotation(s)": 1, "choices result(s)": 1, "relation result(s)": 1, "textarea result(s)": 1,
    }  # fmt: skip
    assert report.summary() == (
        "imported 5 annotation(s): 5 new, 0 updated, 0 unchanged (2 new article(s), 1 choices result(s) left out, "
        "1 relation result(s) left out, 1 skipped annotation(s) left out, 1 textarea result(s) left out)"
    )
    fact = Annotation.objects.get(label__slug="fact")
    # The annotation's own times, kept as staff restoring data asked.
    assert fact.created_at == dt.datetime(2024, 1, 30, 2, 40, 43, 893565, tzinfo=dt.UTC)
    assert fact.updated_at == dt.datetime(2024, 1, 30, 2, 41, 12, 20011, tzinfo=dt.UTC)


def test_the_same_tasks_one_per_line_import_the_same(labels, alice, bob, lena):
    report = import_tasks(fixture("tasks.jsonl"), reader={"user_map": {"10": "bob"}})

    assert report.errors == [] and report.new == 5
    assert ("lena", "consensus", "quote", "“我们是兄弟。”", "", "") in spans()


def test_offsets_of_older_label_studio_in_utf16_units_are_found_by_the_regions_text(labels, alice):
    """Label Studio before 1.0 ("completions", times in seconds since 1970)
    counted in UTF-16 units: 13–23 is "annotation" only if the emoji before
    it counts twice (label-studio issue #1347)."""
    report = import_tasks(fixture("completions_utf16.json"), reader={"default_reviewer": "alice"})

    assert report.errors == [], report.errors
    assert sorted(Annotation.objects.values_list("quote", "start", "end")) == [
        ("annotation", 12, 22), ("drills resumed", 12, 26), ("officials said", 41, 55), ("北京", 0, 2),
    ]  # fmt: skip
    # "北京" comes before any emoji: both counts agree, and code points win.
    assert report.utf16 == 3
    assert "3 counted in UTF-16 units, as older Label Studio wrote them" in report.summary()
    first = Annotation.objects.get(quote="annotation")
    assert first.created_at == dt.datetime.fromtimestamp(1609789589, tz=dt.UTC)


def test_a_json_min_export_imports_each_annotation_as_its_annotators_spans(labels, alice, bob):
    report = import_tasks(fixture("json_min.json"), reader={"user_map": {"10": "bob"}})

    assert report.errors == [], report.errors
    # Code points after the emoji, as Label Studio's emoji.cy.ts test writes them.
    assert sorted(Annotation.objects.values_list("reviewer__username", "label__slug", "quote", "start")) == [
        ("alice", "fact", "Warning", 2), ("alice", "opinion", "test", 21), ("bob", "fact", "test", 21),
    ]  # fmt: skip
    assert Article.objects.count() == 1


def test_predictions_are_refused_by_the_task_that_holds_them(labels, alice):
    report = import_tasks(fixture("predictions.json"), reader={"default_reviewer": "alice"})

    assert report.errors == ["task 3 (id 3): predictions are suggestions, which Sourcemark does not import yet"]
    assert not report.written and not Article.objects.exists()


def test_an_annotator_who_is_no_user_is_refused_by_name_and_nothing_is_written(labels, alice, lena):
    report = import_tasks(fixture("export_json.json"))

    assert report.errors == [
        "task 1 (id 41), annotation 2: annotator 10 is no Sourcemark user: map it (--user-map 10=USERNAME) "
        "or give a default reviewer"
    ]
    assert not Annotation.objects.exists() and not Article.objects.exists()


def test_the_default_reviewer_takes_the_annotators_nobody_here_is(labels, alice, lena):
    report = import_tasks(fixture("export_json.json"), reader={"default_reviewer": "alice"})

    assert report.errors == []
    assert Annotation.objects.get(label__slug="opinion").reviewer == alice


def test_a_user_map_entry_wins_over_a_matching_email(labels, alice, bob, lena):
    report = import_tasks(fixture("export_json.json"), reader={"user_map": {"10": "bob", "alice@example.org": "bob"}})

    assert report.errors == []
    assert not Annotation.objects.filter(reviewer=alice).exists()


def test_two_users_with_one_email_are_refused_rather_than_guessed(labels, alice, bob, lena):
    get_user_model().objects.create_user(username="alice2", email="Alice@example.org")
    report = import_tasks(fixture("export_json.json"), reader={"user_map": {"10": "bob"}})

    assert report.errors[0] == (
        "task 1 (id 41), annotation 1: more than one user has the email 'alice@example.org': "
        "map it (--user-map alice@example.org=USERNAME)"
    )


def test_a_label_map_names_our_label_for_the_files_own(labels, alice):
    task = {"data": {"text": "Xi visited Minsk."}, "annotations": [{"completed_by": 1, "result": [
        {"id": "a", "type": "labels", "from_name": "ner", "to_name": "text",
         "value": {"start": 0, "end": 2, "text": "Xi", "labels": ["PER"]}}]}]}  # fmt: skip
    report = import_tasks([task], reader={"user_map": {"1": "alice"}, "label_map": {"per": "fact"}})

    assert report.errors == [] and Annotation.objects.get().label.slug == "fact"


def region(value: dict, **extra) -> dict:
    return {"id": "r1", "type": "labels", "from_name": "label", "to_name": "text", "value": value, **extra}


TEXT = "Xi 😀 visited Minsk."


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (region({"start": 5, "end": 12, "text": "Minsk", "labels": ["fact"]}),
         "value.text 'Minsk' is not the text at [5, 12) ('visited' in code points, ' visite' in UTF-16 units)"),
        (region({"start": 5, "end": 12, "labels": ["rumour"]}), "unknown label 'rumour'"),
        (region({"start": 5, "end": 12, "labels": []}), "value.labels must name at least one label"),
        (region({"start": "5", "end": 12, "labels": ["fact"]}), "value.start and value.end must be whole numbers"),
        (region({"start": 5, "end": 99, "labels": ["fact"]}), "end 99 is past the end"),
        (region({"start": 5, "end": 12, "labels": ["fact"]}, meta={"text": 3}), "meta.text (the region's note)"),
        # Label Studio's HTML regions (emoji.cy.ts): xpaths, not offsets into a text.
        ({"id": "h", "type": "hypertextlabels", "from_name": "label", "to_name": "text",
          "value": {"start": "/p[1]/text()[1]", "end": "/p[1]/text()[1]", "startOffset": 3, "endOffset": 8,
                    "globalOffsets": {"start": 2, "end": 7}, "text": "means", "hypertextlabels": ["fact"]}},
         "hypertextlabels regions are not spans of a plain text"),
        ("not a region", "a result must be an object with a type"),
    ],
)  # fmt: skip
def test_a_bad_result_is_refused_by_task_annotation_and_result(labels, alice, result, message):
    good = region({"start": 0, "end": 2, "text": "Xi", "labels": ["fact"]})
    tasks = [{"id": 12, "data": {"text": TEXT}, "annotations": [{"completed_by": 1, "result": [good, result]}]}]
    report = import_tasks(tasks, reader={"user_map": {"1": "alice"}})

    assert not report.written and not Annotation.objects.exists() and not Article.objects.exists()
    [problem] = report.errors
    assert problem.startswith("task 1 (id 12), annotation 1, result 2: ") and message in problem, problem


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ({"data": {"image": "x.png"}, "annotations": []},
         "task 1: no text: Sourcemark reads the task's text from data.text"),
        ({"data": {"text": "Xi."}, "annotations": {}}, "task 1: annotations must be a list"),
        ({"data": {"text": "Xi."}, "annotations": [{"completed_by": True, "result": []}]},
         "task 1, annotation 1: completed_by must be an annotator's id or an object with their email"),
        ({"data": {"text": "Xi."}, "annotations": [{"result": []}]},
         "task 1, annotation 1: the annotation does not say who made it (completed_by); give a default reviewer"),
        ({"data": {"text": "Xi."}, "annotations": [{"completed_by": 1, "result": {}}]},
         "task 1, annotation 1: result must be a list of regions"),
        ({"data": {"text": "Xi."}, "annotations": [{"completed_by": 1, "result": [], "created_at": "yesterday"}]},
         "task 1, annotation 1: 'yesterday' is not a date-time with a time zone"),
        ({"data": {"text": "Xi.", "title": 7}, "annotations": []}, "task 1: title must be text"),
        ({"image": "x.png"}, "task 1: not a Label Studio task"),
    ],
)  # fmt: skip
def test_a_bad_task_is_refused_by_name(labels, alice, task, message):
    report = import_tasks([task], reader={"user_map": {"1": "alice"}})

    assert not report.written
    assert any(error.startswith(message) for error in report.errors), report.errors


def test_a_file_that_is_not_tasks_is_refused_whole(db):
    assert import_tasks(b'"tasks"').errors == [
        "expected Label Studio tasks: a JSON list of tasks, one task, or a task per line"
    ]
    assert import_tasks(b"[]").errors == ["the file holds no tasks"]
    assert import_tasks(b'{"data": {"text": "a"}}\n{"data": oops}\n').errors[0].startswith("line 2: not valid JSON")


def test_one_task_as_label_studios_cloud_storage_writes_it_imports(labels, lena):
    task = json.loads(fixture("export_json.json"))[1]
    report = import_tasks(json.dumps(task, indent=2).encode())

    assert report.errors == [] and Annotation.objects.get().quote == "“我们是兄弟。”"


# ---------------------------------------------------------------- export


def test_export_is_one_task_per_article_and_one_annotation_per_reviewer(marked, alice, bob, lena):
    [task] = export_tasks()

    assert task["id"] == marked.pk
    assert task["data"] == {
        "text": marked.text, "title": "Brothers", "source": "BelTA", "url": "", "sourcemark_article_id": marked.pk,
        "sourcemark_sha256": marked.sha256, "sourcemark_text_version": 1,
    }  # fmt: skip
    assert task["predictions"] == []
    by = {a["completed_by"]["username"]: a for a in task["annotations"]}
    assert [a["completed_by"]["username"] for a in task["annotations"]] == ["lena", "alice", "bob"]
    # Label Studio's import finds its annotators by email (_insert_valid_completed_by).
    assert by["alice"]["completed_by"] == {"id": alice.pk, "email": "alice@example.org", "username": "alice"}
    assert [(a["ground_truth"], a["was_cancelled"]) for a in task["annotations"]] == [
        (True, False), (False, False), (False, False),
    ]  # fmt: skip
    opinion, quote, speaker, evidence = by["alice"]["result"]
    start = marked.text.index("praised Xi")
    assert start == 13  # code points: the emoji is one
    assert {k: opinion[k] for k in ("from_name", "to_name", "type", "value")} == {
        "from_name": "label", "to_name": "text", "type": "labels",
        "value": {"start": 13, "end": 23, "text": "praised Xi", "labels": ["Opinion"]},
    }  # fmt: skip
    assert opinion["meta"]["text"] == ["a verb of approval"]
    # The speaker and the evidence link are per-region answers with the region's id.
    assert (speaker["id"], speaker["from_name"], speaker["type"]) == (quote["id"], "speaker", "textarea")
    assert speaker["value"] == {**{k: quote["value"][k] for k in ("start", "end")}, "text": ["Lukashenko"]}
    assert (evidence["from_name"], evidence["value"]["text"]) == ("evidence_url", ["https://example.org/tass"])
    decision = by["lena"]["result"][1]
    assert (decision["from_name"], decision["value"]["text"]) == ("decision_reason", ["agreed"])


def test_region_ids_are_the_same_in_every_export_and_after_a_round_trip(marked):
    ids = [r["id"] for a in export_tasks()[0]["annotations"] for r in a["result"]]
    tasks = export_tasks()
    Annotation.objects.all().delete()
    Article.objects.all().delete()
    assert import_tasks(tasks).errors == []

    assert [r["id"] for a in export_tasks()[0]["annotations"] for r in a["result"]] == ids
    assert len(set(ids)) == 4 and all(len(i) == 10 for i in ids)


def test_round_trip_keeps_every_field_and_time(marked):
    before = rows()
    tasks = export_tasks()
    Annotation.objects.all().delete()
    Article.objects.all().delete()

    report = import_tasks(tasks)

    assert report.errors == [] and (report.new, report.articles_created) == (4, 1)
    assert rows() == before
    article = Article.objects.get()
    assert (article.title, article.source.name) == ("Brothers", "BelTA")


def test_our_export_has_the_shape_label_studios_converter_reads(marked):
    """What label-studio-converter's ``annotation_result_from_task`` and
    ``convert_to_conll2003`` (converter.py, commit 2ef5400) take from a
    task, done here by their rules: annotations not cancelled, results
    whose from_name is a control of the config, a labels value's
    start/end/labels, and text[start:end] the value's text."""
    config = ElementTree.fromstring(labelstudio.labeling_config_of_labels())
    controls = {tag.get("name"): tag.tag for tag in config.iter() if tag.get("name") and tag.get("toName")}
    objects = {tag.get("name"): tag.get("value").lstrip("$") for tag in config.iter() if tag.tag == "Text"}
    label_values = {label.get("value") for label in config.iter("Label")}
    [task] = export_tasks()
    found = []
    for annotation in task["annotations"]:
        assert not (annotation.get("skipped") or annotation.get("was_cancelled"))
        for result in annotation["result"]:
            assert result["from_name"] in controls
            text = task["data"][objects[result["to_name"]]]
            value = result["value"]
            if controls[result["from_name"]] == "Labels":
                assert set(value["labels"]) <= label_values
                assert text[value["start"] : value["end"]] == value["text"]
                found.append((value["text"], value["labels"][0], annotation["completed_by"]["email"]))
    assert sorted(found) == sorted(
        (a.quote, a.label.name, a.reviewer.email) for a in Annotation.objects.select_related("label", "reviewer")
    )


def test_our_export_loads_in_label_studios_own_converter(marked, tmp_path):
    import label_studio_converter as converter  # a dev requirement: its absence must fail, not skip

    exported = tmp_path / "tasks.json"
    exported.write_bytes(b"".join(stream_annotations(Annotation.objects.all(), "labelstudio")))
    reader = converter.Converter(labelstudio.labeling_config_of_labels(), str(tmp_path))
    regions = [
        (value["start"], value["end"], value["text"], value["labels"][0])
        for item in reader.iter_from_json_file(str(exported))
        for value in item["output"].get("label", [])
    ]
    assert sorted(regions) == sorted(Annotation.objects.values_list("start", "end", "quote", "label__name"))

    # Its JSON-MIN of our export reads back with every span in place
    # (JSON-MIN has no layer, notes or per-region texts).
    reader.convert_to_json_min(str(exported), str(tmp_path / "min"), is_dir=False)
    placed = ("article__sha256", "label__slug", "start", "end", "reviewer")
    before = sorted(Annotation.objects.values_list(*placed))
    Annotation.objects.all().delete()
    assert import_tasks((tmp_path / "min" / "result.json").read_bytes()).errors == []
    assert sorted(Annotation.objects.values_list(*placed)) == before


def test_the_labeling_config_names_every_label_with_its_colour_and_key(labels):
    Label.objects.filter(slug="fact").update(name='Fact <"checked"> & sourced', description="Verifiable.")
    config = ElementTree.fromstring(labelstudio.labeling_config_of_labels())

    control = config.find("Labels")
    assert (control.get("name"), control.get("toName")) == ("label", "text")
    assert config.find("Text").attrib == {"name": "text", "value": "$text", "saveTextResult": "yes"}
    shown = [(tag.get("value"), tag.get("background"), tag.get("hotkey")) for tag in control.iter("Label")]
    assert shown == [
        (label.name, label.colour, label.shortcut.lower() or None) for label in Label.objects.order_by("order", "pk")
    ]
    assert control.find("Label").get("hint") == "Verifiable."
    assert [t.get("name") for t in config.iter("TextArea")] == ["speaker", "evidence_url", "decision_reason"]
    assert {t.get("perRegion") for t in config.iter("TextArea")} == {"true"}


def test_the_export_takes_a_fixed_number_of_queries(marked, django_assert_num_queries):
    other = make_article("Another text for the count.", title="More")
    make_annotation(other, Label.objects.get(slug="fact"), marked.annotations.first().reviewer, quote="Another")
    # The label names, the labels by id, the reviewers, the articles and the spans.
    with django_assert_num_queries(5):
        assert len(export_tasks()) == 2


# ---------------------------------------------------------------- the front door


def test_a_json_file_of_tasks_is_told_from_our_own_json_by_its_content(marked, root, tmp_path, capsys):
    path = tmp_path / "project-3-at-2024-05-01-10-00-5e0f3b2c.json"
    call_command("export_annotations", "--format", "labelstudio", "--output", str(path))
    Annotation.objects.all().delete()

    call_command("import_annotations", str(path), "--user", root.username, "--keep-authors")

    assert "4 new" in capsys.readouterr().out
    assert annotations_in.import_format_of(path.read_bytes(), path.name) == "labelstudio"
    ours = b"".join(stream_annotations(Annotation.objects.all(), "json"))
    assert annotations_in.import_format_of(ours, "export.json") == "json"
    assert annotations_in.import_format_of(fixture("tasks.jsonl"), "tasks.jsonl") == "labelstudio"
    assert annotations_in.import_format_of(fixture("json_min.json"), "min.json") == "labelstudio"
    assert annotations_in.import_format_of(b'{"text": "Xi.", "label": []}\n', "doccano.jsonl") == "doccano"


def test_the_command_takes_user_and_label_maps(labels, alice, bob, lena, root, capsys):
    path = FIXTURES / "export_json.json"
    call_command(
        "import_annotations", str(path), "--user", root.username, "--keep-authors", "--user-map", "10=bob",
        "--label-map", "Opinion=fact",
    )  # fmt: skip

    assert "5 new" in capsys.readouterr().out
    assert sorted(Annotation.objects.filter(reviewer=bob).values_list("label__slug", flat=True)) == [
        "fact", "unsupported_claim",
    ]  # fmt: skip
    with pytest.raises(CommandError, match=r"--user-map '10': expected THEIRS=OURS, like 7=ana"):
        call_command("import_annotations", str(path), "--user", root.username, "--user-map", "10")


def test_a_user_map_for_a_format_that_reads_none_is_refused(labels, root):
    report = annotations_in.import_annotation_file(b"[]", "w3c", user=root, user_map={"7": "ana"})
    assert report.errors == ["a user or label map is for labelstudio, hypothesis files, not w3c"]


def test_the_api_imports_label_studio_tasks_with_a_user_map(labels, alice, bob, lena):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_as(lena)
    upload = SimpleUploadedFile("export.json", fixture("export_json.json"), content_type="application/json")
    response = client.post(
        "/api/imports/annotations/",
        {"file": upload, "format": "labelstudio", "dry_run": True, "user_map": ["10=bob"], "reviewer": "alice"},
        format="multipart",
    )

    body = response.json()
    # A lead without keep_authors may write only her own spans: the
    # refusals name alice's and bob's rows, which proves the map was read.
    assert response.status_code == 422
    assert any(e.startswith("task 1 (id 41), annotation 2, result 1:") for e in body["errors"]), body["errors"]
    assert not any("is no Sourcemark user" in e for e in body["errors"])
    assert not Annotation.objects.exists()


def test_the_labeling_config_is_a_download_and_a_command(alice_client, labels, capsys):
    response = alice_client.get(reverse("labelstudio-config"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sourcemark-labelstudio-config.xml"'
    assert response.content.decode() == labelstudio.labeling_config_of_labels()
    call_command("labelstudio_config")
    assert capsys.readouterr().out == labelstudio.labeling_config_of_labels()
    assert reverse("labelstudio-config") in alice_client.get(reverse("export-annotations")).content.decode()


# ---------------------------------------------------------------- queries

WORD = "drill"
LONG_TEXT = " ".join([WORD] * 3_000)


def tasks_of(article, labels, count: int) -> bytes:
    names = sorted(label.name for label in labels.values())
    results = []
    for index in range(count):
        start = (index // len(names)) * (len(WORD) + 1)
        value = {"start": start, "end": start + len(WORD), "text": WORD, "labels": [names[index % len(names)]]}
        results.append({"id": f"r{index}", "type": "labels", "from_name": "label", "to_name": "text", "value": value})
    annotation = {"completed_by": {"id": 9, "email": "alice@example.org"}, "result": results}
    return json.dumps([{"id": 1, "data": {"text": article.text}, "annotations": [annotation]}]).encode()


# What a reviewer's import of one task takes, whatever its size: the labels,
# the article by its text, its text's version, the reviewer by email, the
# importer's assignments, the adjudications, the article's spans; and three
# savepoints, each SAVEPOINT and RELEASE (the import's transaction, the
# writer's, its writes').
READS = 13


def test_an_import_of_ten_thousand_regions_takes_the_queries_of_ten_plus_one_per_batch(labels, alice):
    article = make_article(LONG_TEXT, title="Drills")
    assign(article, alice)

    def queries_of(data: bytes):
        with CaptureQueriesContext(connection) as queries:
            report = annotations_in.import_annotation_file(data, "labelstudio", user=alice)
        assert report.errors == [], report.errors[:3]
        return len(queries), report, [query["sql"] for query in queries]

    small, small_report, small_sql = queries_of(tasks_of(article, labels, 10))
    Annotation.objects.all().delete()
    big, big_report, _ = queries_of(tasks_of(article, labels, 10_000))

    assert (small_report.new, big_report.new) == (10, 10_000)
    assert small == READS + bulk_annotations.queries_for(new=10, updated=0), "\n".join(small_sql)
    assert big == READS + bulk_annotations.queries_for(new=10_000, updated=0)


# ---------------------------------------------------------------- property


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=60
).filter(lambda t: offsets.normalise_text(t).strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts, st.data())
def test_property_label_studio_round_trip_over_random_unicode(db, labels, alice, text, data):
    Annotation.objects.all().delete()
    Article.objects.all().delete()
    article = make_article(text)
    boundaries = whole_text_boundaries(article.text)
    drawn = data.draw(
        st.lists(
            st.tuples(st.sampled_from(boundaries), st.sampled_from(boundaries), st.sampled_from(sorted(labels)))
            .filter(lambda s: s[0] < s[1]),
            min_size=1, max_size=5, unique_by=lambda s: s,
        )
    )  # fmt: skip
    for start, end, label in drawn:
        make_annotation(article, labels[label], alice, start=start, end=end, note=f"n{start}", speaker=f"s{end}")
    before = rows()
    tasks = export_tasks()
    Annotation.objects.all().delete()
    Article.objects.all().delete()

    report = import_tasks(tasks)

    assert report.errors == [] and report.utf16 == 0
    assert rows() == before
