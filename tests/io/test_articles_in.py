"""annotate/articles_in.py (the article half) and the ``import_articles`` command.

Every bad input must fail with a message naming the file and the reason,
leave the other files imported, make the command exit non-zero, and never
leave part of an article (or of a file's articles) behind.
"""

import csv
import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotate.io import articles_in
from annotate.models import ARTICLE_TEXT_LIMIT, Article, Source
from tests.conftest import SEEDS

pytestmark = pytest.mark.django_db

MANIFEST = SEEDS / "manifest.csv"
GOOD_TEXT = "Minsk and Beijing sign a pact\n\nThe two sides met on Thursday.\n"


def run_import_articles(*args) -> tuple[str, str, CommandError | None]:
    """Run the command; return its stdout, stderr and the CommandError it raised, if any."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", *map(str, args), stdout=stdout, stderr=stderr)
    except CommandError as error:
        return stdout.getvalue(), stderr.getvalue(), error
    return stdout.getvalue(), stderr.getvalue(), None


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.txt"
    path.write_text(GOOD_TEXT, encoding="utf-8")
    return path


def article_rows():
    return sorted(Article.objects.values_list("original_filename", "title", "source__name"))


# --- the seeds ---------------------------------------------------------------

SEED_METADATA = [
    # file, title, source, byline, published
    (
        "000_a7019eb4f8ffdaa4.txt",
        "Legion of Doom? Belarus and China Plan on Deepening Military Cooperation",
        "Unknown",
        "Unknown",
        None,
    ),
    (
        "001_6deae3e1fc49064b.txt",
        "Russia’s Ally Belarus Cozies Up to China",
        "Unknown (motto: “Truth, Inspiration, Hope.”)",
        "Victor Westerkamp",
        dt.date(2023, 3, 5),
    ),
    (
        "002_62f2d983f655606c.txt",
        "Putin’s ally Lukashenko and Chinese leader Xi Jinping have pledged to deepen defense ties",
        "CNN",
        "Unknown",
        None,
    ),
    (
        "003_c9aaef3b5bae2a7a.txt",
        "Washington and Brussels antagonism towards neutral Belarus has pushed the central European nation "
        "right into Russia’s arms",
        "Unknown",
        "Unknown",
        None,
    ),
    (
        "004_3dd6b5021ef640bc.txt",
        "China, Belarus seek closer military ties",
        "National Herald (report credited to DW)",
        "DW",
        None,
    ),
]


def test_seeds_with_their_manifest_import_with_titles_sources_bylines_and_dates(db):
    report = articles_in.import_paths([SEEDS], manifest=MANIFEST)
    assert report.created == [row[0] for row in SEED_METADATA]
    assert (report.updated, report.unchanged, report.failed) == ([], [], [])
    rows = list(
        Article.objects.order_by("original_filename").values_list(
            "original_filename", "title", "source__name", "byline", "published"
        )
    )
    assert rows == SEED_METADATA


def test_seed_001_is_dated_2023_03_05_002_is_cnn_and_004_has_the_dw_byline(seed_articles):
    assert seed_articles["001_6deae3e1fc49064b.txt"].published == dt.date(2023, 3, 5)
    assert seed_articles["002_62f2d983f655606c.txt"].source.name == "CNN"
    assert seed_articles["004_3dd6b5021ef640bc.txt"].byline == "DW"
    assert [a.published for name, a in sorted(seed_articles.items()) if name != "001_6deae3e1fc49064b.txt"] == [
        None
    ] * 4


def test_seed_texts_are_stored_normalised_and_fingerprinted(seed_articles):
    assert len(seed_articles) == 5
    for name, article in seed_articles.items():
        expected = articles_in.offsets.normalise_text((SEEDS / name).read_text(encoding="utf-8"))
        assert article.text == expected
        assert article.sha256 == hashlib.sha256(expected.encode("utf-8")).hexdigest()
        assert article.language == "en"
        assert article.url == ""


def test_the_command_imports_the_seeds_and_prints_the_summary(db):
    stdout, stderr, error = run_import_articles(SEEDS, "--manifest", MANIFEST)
    assert error is None
    assert stdout == "Articles: 5 new, 0 updated, 0 unchanged, 0 failed.\n"
    assert stderr == ""
    assert Article.objects.count() == 5


def test_importing_the_seeds_twice_changes_nothing_the_second_time(db):
    run_import_articles(SEEDS, "--manifest", MANIFEST)
    before = list(Article.objects.order_by("pk").values())
    stdout, _, error = run_import_articles(SEEDS, "--manifest", MANIFEST)
    assert error is None
    assert stdout == "Articles: 0 new, 0 updated, 5 unchanged, 0 failed.\n"
    assert list(Article.objects.order_by("pk").values()) == before
    assert Article.objects.count() == 5
    assert sorted(Source.objects.values_list("name", flat=True)) == [
        "CNN",
        "National Herald (report credited to DW)",
        "Unknown",
        "Unknown (motto: “Truth, Inspiration, Hope.”)",
    ]


def test_changed_manifest_metadata_updates_the_article_in_place(tmp_path, good_file):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,title,source\ngood.txt,First title,Reuters\n", encoding="utf-8")
    articles_in.import_paths([good_file], manifest=manifest)
    pk = Article.objects.get().pk
    manifest.write_text("file,title,source,published\ngood.txt,Second title,AP,2023-03-02\n", encoding="utf-8")
    report = articles_in.import_paths([good_file], manifest=manifest)
    assert (report.created, report.updated, report.unchanged, report.failed) == ([], ["good.txt"], [], [])
    article = Article.objects.get()
    assert (article.pk, article.title, article.source.name, article.published) == (
        pk,
        "Second title",
        "AP",
        dt.date(2023, 3, 2),
    )


# --- titles, sources and defaults without a manifest -------------------------


def test_without_a_manifest_the_title_is_the_first_non_empty_line(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("\n\n   \n  Xi meets Lukashenko  \nBody text.\n", encoding="utf-8")
    report = articles_in.import_paths([path])
    assert report.created == ["story.txt"]
    article = Article.objects.get()
    assert article.title == "Xi meets Lukashenko"
    assert (article.source.name, article.byline, article.published, article.language) == ("Unknown", "", None, "en")
    assert article.original_filename == "story.txt"


def test_without_a_manifest_seed_001_takes_its_motto_line_as_title(db):
    report = articles_in.import_paths([SEEDS / "001_6deae3e1fc49064b.txt"])
    assert report.created == ["001_6deae3e1fc49064b.txt"]
    assert Article.objects.get().title == "Truth, Inspiration, Hope."


def test_a_first_line_longer_than_the_title_field_is_cut_with_an_ellipsis(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("x" * 600 + "\nBody.\n", encoding="utf-8")
    articles_in.import_paths([path])
    assert Article.objects.get().title == "x" * 499 + "…"


def test_a_folder_import_skips_files_that_are_not_articles(tmp_path, good_file):
    (tmp_path / "notes.md").write_text("# Not an article\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nested.TXT").write_text("Nested story\n", encoding="utf-8")
    report = articles_in.import_paths([tmp_path])
    assert report.created == ["good.txt", "nested.TXT"]
    assert report.failed == []


# --- bad inputs: one file fails, the others go in ----------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"  \n\t\r\n \n", "the file is empty"),
        (b"Headline\n\x00\x01\x02binary\x00", "the file is binary, not text"),
        (
            "Caf\u00e9 in Minsk\n".encode("latin-1"),
            "the file is not UTF-8 (byte 0xE9 at position 3); save it as UTF-8 and import it again",
        ),
        ("Hello Minsk\n".encode("utf-16"), "the file is UTF-16; save it as UTF-8 and import it again"),
        (b"\xfe\xff" + "Hello Minsk\n".encode("utf-16-be"), "the file is UTF-16; save it as UTF-8 and import it again"),
        ("\ufeff \n\n".encode(), "the article has no text"),
    ],
    ids=["empty", "whitespace-only", "binary", "latin-1", "utf-16-le-bom", "utf-16-be-bom", "bom-and-blanks"],
)
def test_a_bad_file_fails_with_its_reason_and_the_good_file_still_goes_in(tmp_path, good_file, content, reason):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    report = articles_in.import_paths([bad, good_file])
    assert report.failed == [(str(bad), reason)]
    assert report.created == ["good.txt"]
    assert article_rows() == [("good.txt", "Minsk and Beijing sign a pact", "Unknown")]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b"\x00\x00\x00\x00", "the file is binary, not text"),
        (b"Caf\xe9\n", "the file is not UTF-8 (byte 0xE9 at position 3); save it as UTF-8 and import it again"),
        ("Hi\n".encode("utf-16"), "the file is UTF-16; save it as UTF-8 and import it again"),
    ],
    ids=["empty", "whitespace-only", "binary", "latin-1", "utf-16"],
)
def test_the_command_names_the_bad_file_and_exits_non_zero(tmp_path, good_file, content, reason):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    stdout, stderr, error = run_import_articles(tmp_path)
    assert str(error) == "1 file(s) could not be imported; see the messages above."
    assert stderr == f"{bad}: {reason}\n"
    assert stdout == "Articles: 1 new, 0 updated, 0 unchanged, 1 failed.\n"
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("nested.json", b"[" * 100_000),  # deeper than the JSON decoder's stack
    ],
)
def test_a_file_a_reader_chokes_on_fails_alone_and_the_folder_still_goes_in(tmp_path, good_file, name, content):
    """A file that makes a reader raise something other than the refusals
    it knows is still that file's failure, not the end of the run."""
    (tmp_path / name).write_bytes(content)
    report = articles_in.import_paths([tmp_path])
    assert [path for path, _ in report.failed] == [str(tmp_path / name)]
    assert report.created == ["good.txt"]
    assert Article.objects.count() == 1


def test_a_missing_path_is_reported_and_the_others_still_go_in(tmp_path, good_file):
    missing = tmp_path / "nowhere" / "ghost.txt"
    stdout, stderr, error = run_import_articles(missing, good_file)
    assert error is not None
    assert stderr == f"{missing}: no such file or folder\n"
    assert stdout == "Articles: 1 new, 0 updated, 0 unchanged, 1 failed.\n"
    assert article_rows() == [("good.txt", "Minsk and Beijing sign a pact", "Unknown")]


def test_the_same_text_under_another_file_name_is_refused_as_a_duplicate(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(GOOD_TEXT, encoding="utf-8")
    stdout, stderr, error = run_import_articles(tmp_path)
    original = Article.objects.get()
    assert error is not None
    assert stderr == f"{tmp_path / 'b.txt'}: same text as article {original.pk} ('a.txt'), already imported\n"
    assert stdout == "Articles: 1 new, 0 updated, 0 unchanged, 1 failed.\n"
    assert original.original_filename == "a.txt"


def test_the_same_text_with_other_line_ends_is_still_a_duplicate(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"Headline\n\nBody\n")
    (tmp_path / "b.txt").write_bytes(b"\xef\xbb\xbfHeadline\r\n\r\nBody\r\n")
    report = articles_in.import_paths([tmp_path])
    assert report.created == ["a.txt"]
    assert [reason for _, reason in report.failed] == [
        f"same text as article {Article.objects.get().pk} ('a.txt'), already imported"
    ]


def test_a_manifest_with_an_unknown_column_is_refused_and_nothing_is_imported(tmp_path, good_file):
    # Without its manifest every article would get the wrong metadata, so the
    # whole run stops; rerunning with a fixed manifest imports everything.
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,title,author\ngood.txt,A title,Someone\n", encoding="utf-8")
    stdout, stderr, error = run_import_articles(good_file, "--manifest", manifest)
    assert error is not None
    assert stderr == (
        f"{manifest}: manifest {manifest}: unknown column(s) author; "
        "allowed: file, title, source, byline, url, published, language\n"
    )
    assert stdout == "Articles: 0 new, 0 updated, 0 unchanged, 1 failed.\n"
    assert Article.objects.count() == 0


def test_a_manifest_without_a_file_column_is_refused(tmp_path, good_file):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("title,source\nA title,CNN\n", encoding="utf-8")
    report = articles_in.import_paths([good_file], manifest=manifest)
    assert report.failed == [(str(manifest), f"manifest {manifest}: the 'file' column is missing")]
    assert Article.objects.count() == 0


def test_a_manifest_that_lists_a_file_twice_is_refused(tmp_path, good_file):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,title\ngood.txt,One\ngood.txt,Two\n", encoding="utf-8")
    report = articles_in.import_paths([good_file], manifest=manifest)
    assert report.failed == [(str(manifest), f"manifest {manifest}, line 3: good.txt is listed twice")]
    assert Article.objects.count() == 0


def test_a_missing_manifest_is_refused(tmp_path, good_file):
    manifest = tmp_path / "nope.csv"
    report = articles_in.import_paths([good_file], manifest=manifest)
    assert report.failed == [(str(manifest), f"manifest {manifest} does not exist")]
    assert Article.objects.count() == 0


def test_a_manifest_row_naming_a_missing_file_is_reported_and_the_rest_is_imported(tmp_path, good_file):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,title,source,byline,published\r\n"
        "good.txt,Pact signed,Reuters,Jane Doe,2023-03-01\r\n"
        "ghost.txt,Never written,CNN,,\r\n",
        encoding="utf-8",
    )
    stdout, stderr, error = run_import_articles(tmp_path, "--manifest", manifest)
    assert error is not None
    assert stderr == f"{manifest}: names ghost.txt, which is not among the files imported\n"
    assert stdout == "Articles: 1 new, 0 updated, 0 unchanged, 1 failed.\n"
    article = Article.objects.get()
    assert (article.title, article.source.name, article.byline, article.published) == (
        "Pact signed",
        "Reuters",
        "Jane Doe",
        dt.date(2023, 3, 1),
    )
    assert not Source.objects.filter(name="CNN").exists()


def test_a_manifest_with_a_bad_date_fails_only_that_file(tmp_path, good_file):
    other = tmp_path / "other.txt"
    other.write_text("Another story\n", encoding="utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,published\ngood.txt,5 March 2023\nother.txt,2023-03-05\n", encoding="utf-8")
    report = articles_in.import_paths([good_file, other], manifest=manifest)
    assert report.failed == [(str(good_file), "published date '5 March 2023' is not a date like 2023-03-05")]
    assert report.created == ["other.txt"]
    assert list(Article.objects.values_list("original_filename", "published")) == [("other.txt", dt.date(2023, 3, 5))]


def test_a_manifest_with_a_byte_order_mark_and_crlf_is_read(tmp_path, good_file):
    manifest = tmp_path / "manifest.csv"
    manifest.write_bytes(b"\xef\xbb\xbffile,title\r\ngood.txt,From Excel\r\n")
    report = articles_in.import_paths([good_file], manifest=manifest)
    assert report.failed == []
    assert Article.objects.get().title == "From Excel"


def test_an_invalid_url_fails_the_file_without_writing_anything(tmp_path, good_file):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,url,source\ngood.txt,not a url,Brand New Source\n", encoding="utf-8")
    report = articles_in.import_paths([good_file], manifest=manifest)
    assert report.failed == [(str(good_file), "url: Enter a valid URL.")]
    assert Article.objects.count() == 0
    assert not Source.objects.filter(name="Brand New Source").exists()


# --- normalisation -----------------------------------------------------------


def test_a_crlf_file_is_stored_with_lf_and_nfc(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes(b"\xef\xbb\xbfCafe\xcc\x81 talks\r\n\r\nLukashenko\rmet Xi.\r\n")
    report = articles_in.import_paths([path])
    assert report.created == ["windows.txt"]
    article = Article.objects.get()
    expected = "Caf\u00e9 talks\n\nLukashenko\nmet Xi.\n"
    assert article.text == expected
    assert article.title == "Caf\u00e9 talks"
    assert article.sha256 == hashlib.sha256(expected.encode("utf-8")).hexdigest()


def test_emoji_and_cjk_survive_import_unchanged(tmp_path):
    text = "\N{FACE WITH TEARS OF JOY} 习近平会见卢卡申科\n"
    path = tmp_path / "zh.txt"
    path.write_text(text, encoding="utf-8")
    articles_in.import_paths([path])
    assert Article.objects.get().text == text


# --- .json and .csv records --------------------------------------------------


def test_a_json_list_of_records_imports_every_record(tmp_path):
    path = tmp_path / "batch.json"
    path.write_text(
        json.dumps(
            [
                {
                    "text": "Xi hosts Lukashenko\r\n\r\nBody.",
                    "title": "Xi hosts Lukashenko",
                    "source": "Xinhua",
                    "byline": "Staff",
                    "url": "https://example.org/xi",
                    "published": "2023-03-01",
                    "language": "en",
                },
                {"text": "Zweiter Artikel\n", "language": "de", "original_filename": "dw-42.txt"},
            ]
        ),
        encoding="utf-8",
    )
    report = articles_in.import_paths([path])
    assert report.created == ["batch.json#1", "dw-42.txt"]
    rows = list(
        Article.objects.order_by("pk").values_list(
            "original_filename", "title", "source__name", "byline", "url", "published", "language", "text"
        )
    )
    assert rows == [
        (
            "batch.json#1",
            "Xi hosts Lukashenko",
            "Xinhua",
            "Staff",
            "https://example.org/xi",
            dt.date(2023, 3, 1),
            "en",
            "Xi hosts Lukashenko\n\nBody.",
        ),
        ("dw-42.txt", "Zweiter Artikel", "Unknown", "", "", None, "de", "Zweiter Artikel\n"),
    ]


def test_a_json_object_is_one_record(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"text": "Single story", "source": "AP"}), encoding="utf-8")
    report = articles_in.import_paths([path])
    assert report.created == ["one.json#1"]
    assert article_rows() == [("one.json#1", "Single story", "AP")]


def test_a_json_file_is_imported_again_without_duplicates(tmp_path):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([{"text": "One"}, {"text": "Two"}]), encoding="utf-8")
    articles_in.import_paths([path])
    report = articles_in.import_paths([path])
    assert (report.created, report.unchanged) == ([], ["batch.json#1", "batch.json#2"])
    assert Article.objects.count() == 2


def test_a_csv_of_records_imports_every_row_with_multi_line_text(tmp_path):
    path = tmp_path / "batch.csv"
    path.write_bytes(
        b'text,title,source,published\r\n"Line one\r\nLine two",Two lines,Reuters,2023-03-04\r\nPlain row,,,\r\n'
    )
    report = articles_in.import_paths([path])
    assert report.created == ["batch.csv#2", "batch.csv#3"]
    rows = list(Article.objects.order_by("pk").values_list("text", "title", "source__name", "published"))
    assert rows == [
        ("Line one\nLine two", "Two lines", "Reuters", dt.date(2023, 3, 4)),
        ("Plain row", "Plain row", "Unknown", None),
    ]


def test_a_csv_saved_by_excel_with_a_byte_order_mark_imports(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbftext,title\r\nFrom a spreadsheet,Sheet story\r\n")
    report = articles_in.import_paths([path])
    assert report.failed == []
    assert article_rows() == [("excel.csv#2", "Sheet story", "Unknown")]


def test_a_json_file_saved_with_a_byte_order_mark_imports(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([{"text": "Story"}]).encode())
    report = articles_in.import_paths([path])
    assert report.failed == []
    assert report.created == ["bom.json#1"]


def test_a_json_file_with_one_bad_record_imports_none_of_its_records(tmp_path, good_file):
    path = tmp_path / "batch.json"
    path.write_text(
        json.dumps(
            [
                {"text": "First good record", "source": "Only In This File"},
                {"text": "   ", "title": "Empty"},
                {"text": "Third good record"},
            ]
        ),
        encoding="utf-8",
    )
    report = articles_in.import_paths([path, good_file])
    assert report.failed == [(str(path), "record 2: the article has no text")]
    assert report.created == ["good.txt"]
    assert article_rows() == [("good.txt", "Minsk and Beijing sign a pact", "Unknown")]
    assert not Source.objects.filter(name="Only In This File").exists()


def test_a_bad_record_found_while_saving_is_named_by_its_place_in_the_file(tmp_path):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([{"text": "One"}, {"text": "Two", "published": "5 March"}]), encoding="utf-8")
    report = articles_in.import_paths([path])
    assert report.failed == [(str(path), "batch.json#2: published date '5 March' is not a date like 2023-03-05")]
    assert Article.objects.count() == 0


def test_a_json_record_repeating_an_earlier_record_fails_the_whole_file(tmp_path):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([{"text": "Same story"}, {"text": "Same story"}]), encoding="utf-8")
    report = articles_in.import_paths([path])
    assert len(report.failed) == 1
    name, reason = report.failed[0]
    assert name == str(path)
    assert reason.startswith("batch.json#2: same text as article ")
    assert reason.endswith(" ('batch.json#1'), already imported")
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("[{", "not valid JSON (line 1, column 3: Expecting property name enclosed in double quotes)"),
        ('[{"text": "ok"}, "just a string"]', "record 2 is not an object"),
        ('[{"text": "ok", "author": "X"}]', "record 1: unknown field(s) author"),
        ('[{"text": "ok", "published": 2023}]', "record 1: published must be text"),
        ('[{"title": "No text"}]', "record 1: the article has no text"),
        ("[" * 100_000, "JSON nested too deeply (more than 64 levels)"),
        ('[{"text": "ok", "extra": ' + "[" * 100 + "]" * 100 + "}]", "JSON nested too deeply (more than 64 levels)"),
        (
            '[{"text": "ok", "title": ' + "9" * 5_000 + "}]",
            "JSON with a number too long to read (more than 4,300 digits)",
        ),
    ],
    ids=[
        "invalid-json",
        "not-an-object",
        "unknown-field",
        "number-date",
        "no-text",
        "nested-past-the-stack",
        "nested-100",
        "huge-number",
    ],  # fmt: skip
)
def test_a_bad_json_file_fails_with_its_reason(tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    report = articles_in.import_paths([path])
    assert report.failed == [(str(path), reason)]
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("title,body\nA,B\n", "the CSV has no 'text' column"),
        ("text,author\nStory,Someone\n", "line 2: unknown field(s) author"),
        ("text,title\nGood,Good\n,Empty\n", "line 3: the article has no text"),
        (
            'text,title\n"' + "x" * (ARTICLE_TEXT_LIMIT + 1) + '",Too long\n',
            "line 2: a field is longer than 5,000,000 characters, the most an article may hold",
        ),
        (
            'text,title\nShort,"A\nlong\ntitle' + "x" * (ARTICLE_TEXT_LIMIT + 1) + '"\n',
            "line 4: a field is longer than 5,000,000 characters, the most an article may hold",
        ),
    ],
    ids=["no-text-column", "unknown-column", "empty-text", "field-over-the-limit", "field-over-the-limit-on-line-4"],
)
def test_a_bad_csv_file_fails_with_its_reason(tmp_path, content, reason):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    report = articles_in.import_paths([path])
    assert report.failed == [(str(path), reason)]
    assert Article.objects.count() == 0


def test_a_csv_article_of_a_million_characters_imports_whole(tmp_path):
    # Over seven times the csv module's default field limit (131,072).
    text = ("Lukashenko met Xi in Beijing, “and said nothing”. " * 20_000)[:1_000_000].strip()
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([["text", "title"], [text, "Long read"]])

    report = articles_in.import_paths([path])

    assert (report.created, report.failed) == (["long.csv#2"], [])
    assert Article.objects.get().text == text
    assert len(text) == 1_000_000 - 1


def test_an_article_longer_than_the_limit_is_refused_from_any_file(tmp_path, good_file):
    path = tmp_path / "huge.txt"
    path.write_text("x" * (ARTICLE_TEXT_LIMIT + 1), encoding="utf-8")

    report = articles_in.import_paths([path, good_file])

    assert report.failed == [(str(path), "the text is 5,000,001 characters long; an article may hold 5,000,000")]
    assert report.created == ["good.txt"]


def test_the_command_names_a_hostile_json_file_instead_of_a_traceback(tmp_path, good_file):
    bad = tmp_path / "bad.json"
    bad.write_text("[" * 100_000, encoding="utf-8")

    stdout, stderr, error = run_import_articles(tmp_path)

    assert stderr == f"{bad}: JSON nested too deeply (more than 64 levels)\n"
    assert stdout == "Articles: 1 new, 0 updated, 0 unchanged, 1 failed.\n"
    assert str(error) == "1 file(s) could not be imported; see the messages above."


def test_a_manifest_with_a_field_over_the_limit_is_named(tmp_path, good_file):
    manifest = tmp_path / "other.csv"
    manifest.write_text('file,title\ngood.txt,"' + "x" * (ARTICLE_TEXT_LIMIT + 1) + '"\n', encoding="utf-8")

    report = articles_in.import_paths([good_file], manifest=manifest)

    assert report.failed == [
        (
            str(manifest),
            f"manifest {manifest}, line 2: a field is longer than 5,000,000 characters, the most an article may hold",
        )
    ]
    assert not Article.objects.exists()


# --- --source ----------------------------------------------------------------


def test_source_option_applies_only_to_records_without_a_source(tmp_path, good_file):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([{"text": "Has a source", "source": "Reuters"}, {"text": "Has none"}]), encoding="utf-8")
    stdout, _, error = run_import_articles(path, good_file, "--source", "DW")
    assert error is None
    assert stdout == "Articles: 3 new, 0 updated, 0 unchanged, 0 failed.\n"
    assert article_rows() == [
        ("batch.json#1", "Has a source", "Reuters"),
        ("batch.json#2", "Has none", "DW"),
        ("good.txt", "Minsk and Beijing sign a pact", "DW"),
    ]


def test_source_option_does_not_override_the_manifest(tmp_path, good_file):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,source\ngood.txt,CNN\n", encoding="utf-8")
    articles_in.import_paths([good_file], manifest=manifest, source="DW")
    assert Article.objects.get().source.name == "CNN"
    assert not Source.objects.filter(name="DW").exists()


# --- progress ----------------------------------------------------------------


def test_progress_is_called_once_per_file_in_order(tmp_path):
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(f"Story {name}\n", encoding="utf-8")
    calls = []
    articles_in.import_paths([tmp_path], progress=lambda n, total, name: calls.append((n, total, name)))
    assert calls == [(1, 3, str(tmp_path / "a.txt")), (2, 3, str(tmp_path / "b.txt")), (3, 3, str(tmp_path / "c.txt"))]


def test_a_folders_own_manifest_is_used_and_never_read_as_an_article(db):
    report = articles_in.import_paths([SEEDS])
    assert report.failed == []
    assert len(report.created) == 5
    article = Article.objects.get(original_filename="001_6deae3e1fc49064b.txt")
    assert article.byline == "Victor Westerkamp"
    assert str(article.published) == "2023-03-05"


def test_a_json_record_with_a_lone_surrogate_is_refused_and_nothing_is_written(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"text": "Minsk \\ud800 Beijing", "title": "Broken"}]', encoding="utf-8")
    report = articles_in.import_paths([path])
    assert report.failed == [
        (str(path), "broken.json#1: the text contains an unpaired surrogate (a broken \\u escape in JSON?)")
    ]
    assert Article.objects.count() == 0


# --- one transaction per run ---------------------------------------------------


class Interrupted(BaseException):
    """Stands for the process being stopped between two files."""


def test_a_run_stopped_between_files_leaves_nothing_of_the_files_before(tmp_path):
    for number in range(1, 6):
        (tmp_path / f"{number}.txt").write_text(f"Story number {number}\n", encoding="utf-8")

    def stop_after_the_third(number, total, name):
        # Called once a file is done: three articles are written by now.
        if number == 3:
            assert Article.objects.count() == 3
            raise Interrupted

    with pytest.raises(Interrupted):
        articles_in.import_paths([tmp_path], progress=stop_after_the_third)
    assert Article.objects.count() == 0
    assert Source.objects.count() == 0


def test_all_or_nothing_writes_nothing_when_one_file_fails(tmp_path, good_file):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    report = articles_in.import_paths([good_file, bad], all_or_nothing=True)
    assert report.rolled_back
    assert report.failed == [(str(bad), "the file is empty")]
    assert report.summary() == "1 new, 0 updated, 0 unchanged, 1 failed; rolled back, nothing was written"
    assert Article.objects.count() == 0


def test_all_or_nothing_writes_everything_when_every_file_is_good(tmp_path, good_file):
    report = articles_in.import_paths([SEEDS, good_file], all_or_nothing=True)
    assert not report.rolled_back
    assert Article.objects.count() == 6


def test_the_command_offers_all_or_nothing_and_says_nothing_was_written(tmp_path, good_file):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    out, err, error = run_import_articles(good_file, bad, "--all-or-nothing")
    assert out == "Articles: 1 new, 0 updated, 0 unchanged, 1 failed; rolled back, nothing was written.\n"
    assert f"{bad}: the file is empty" in err
    assert error is not None
    assert not Article.objects.exists()


def test_the_progress_option_prints_a_line_as_each_file_is_done(tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(f"Story {name}\n", encoding="utf-8")
    out, err, error = run_import_articles(tmp_path, "--progress")
    assert error is None
    assert err == f"[1/2] {tmp_path / 'a.txt'}\n[2/2] {tmp_path / 'b.txt'}\n"
    assert out == "Articles: 2 new, 0 updated, 0 unchanged, 0 failed.\n"
