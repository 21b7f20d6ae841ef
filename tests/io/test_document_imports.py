"""Pages and documents through ``import_paths`` and ``import_articles``:
which files a run takes, and bad ones refused by name while the others
of the run still go in, each whole or not at all."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotate.io import articles_in, web_pages
from annotate.management.commands.import_articles import Command as ImportArticles
from annotate.models import Article, Source
from tests.io.test_documents import (
    CNN_PAGE,
    encrypted,
    opendocument_text,
    pdf_document,
    scanned_pdf,
    seed_paragraphs,
    word_document,
    zip_of,
)

pytestmark = pytest.mark.django_db

PAGES = Path(__file__).parent / "fixtures" / "pages"
SUPPORTED = ".txt, .html, .htm, .pdf, .docx, .odt, .json, .csv"


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.txt"
    path.write_text("Minsk and Beijing sign a pact\n\nThe two sides met on Thursday.\n", encoding="utf-8")
    return path


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_folder_import_takes_pages_pdfs_word_and_opendocument_files(tmp_path):
    write(tmp_path, "page.html", CNN_PAGE)
    write(tmp_path, "blog/post.HTM", (PAGES / "blogger-legion-of-doom.html").read_bytes())
    write(tmp_path, "report.pdf", pdf_document(seed_paragraphs("000_a7019eb4f8ffdaa4.txt")))
    write(tmp_path, "story.docx", word_document(seed_paragraphs("001_6deae3e1fc49064b.txt")))
    write(tmp_path, "story.odt", opendocument_text(seed_paragraphs("003_c9aaef3b5bae2a7a.txt")))
    write(tmp_path, "notes.md", b"# not an article")
    report = articles_in.import_paths([tmp_path])
    assert (sorted(report.created), report.failed) == (
        ["page.html", "post.HTM", "report.pdf", "story.docx", "story.odt"],
        [],
    )
    assert Article.objects.get(original_filename="story.docx").text == "\n\n".join(
        seed_paragraphs("001_6deae3e1fc49064b.txt")
    )


def test_a_folder_import_leaves_out_the_files_a_browser_saved_beside_a_page(tmp_path):
    write(tmp_path, "Story.html", CNN_PAGE)
    write(tmp_path, "Story_files/ad-frame.html", b"<!DOCTYPE html><html><body><p>Ad</p></body></html>")
    write(tmp_path, "Story_files/sub/embed.htm", b"<!DOCTYPE html><html><body><p>Embed</p></body></html>")
    # A folder named so without its page is someone's own folder.
    write(tmp_path, "Archive_files/kept.txt", b"Kept story\n\nIts body.")
    report = articles_in.import_paths([tmp_path])
    assert (sorted(report.created), report.failed) == (["Story.html", "kept.txt"], [])


def test_a_file_named_with_a_suffix_we_do_not_read_is_refused_saying_which_we_do(tmp_path, good_file):
    notes = write(tmp_path, "notes.md", b"# A heading\n\nSome text.")
    report = articles_in.import_paths([notes, good_file])
    assert report.failed == [(str(notes), f".md files cannot be imported; the kinds that can are {SUPPORTED}")]
    assert report.created == ["good.txt"]


def test_a_file_without_a_suffix_is_read_by_its_content(tmp_path):
    page = write(tmp_path, "saved-page", CNN_PAGE)
    articles_in.import_paths([page])
    assert Article.objects.get().source.name == "CNN"


BAD_FILES = {
    "truncated.html": (
        CNN_PAGE[:3000],
        "the page has no article text: only navigation, links and other page furniture",
    ),
    "home.html": (
        b"<!DOCTYPE html><html><body><nav>" + b'<a href="/s">Section</a>' * 50 + b"</nav></body></html>",
        "the page has no article text",
    ),
    "huge.html": (
        b"<!DOCTYPE html><html><body>" + b"<p>x</p>" * (web_pages.WEB_PAGE_BYTES_LIMIT // 8),
        "the page is 20,000,027 bytes; a web page may be at most 20,000,000",
    ),
    "scan.pdf": (scanned_pdf(), "the PDF has no text layer: its 2 page(s) are images only (a scan?)"),
    "locked.pdf": (
        encrypted(pdf_document(["Headline", "Body."]), user_password="secret"),
        "the PDF is password-protected",
    ),
    "photos.docx": (
        zip_of({"IMG_0001.jpg": b"\xff\xd8\xff"}),
        "this is a zip archive of other files (IMG_0001.jpg), not a Word (.docx) or OpenDocument (.odt) document",
    ),
    "slides.key": (b"whatever", ".key files cannot be imported; the kinds that can are"),
}


def test_every_bad_document_is_named_with_its_reason_and_the_rest_of_the_run_goes_in(tmp_path, good_file):
    bad = {name: write(tmp_path, name, data) for name, (data, _) in BAD_FILES.items()}
    page_as_txt = write(tmp_path, "page-saved-as.txt", CNN_PAGE)
    report = articles_in.import_paths([*bad.values(), page_as_txt, good_file])
    reasons = dict(report.failed)
    assert sorted(reasons) == sorted(str(path) for path in bad.values())
    for name, (_, reason) in BAD_FILES.items():
        assert reasons[str(bad[name])].startswith(reason), name
    assert sorted(report.created) == ["good.txt", "page-saved-as.txt"]
    # Nothing of a refused file is left: no article, and no outlet made for one.
    assert sorted(Article.objects.values_list("original_filename", flat=True)) == ["good.txt", "page-saved-as.txt"]
    assert sorted(Source.objects.values_list("name", flat=True)) == ["CNN", "Unknown"]


def test_the_command_names_a_bad_document_and_exits_non_zero(tmp_path, good_file):
    scan = write(tmp_path, "scan.pdf", scanned_pdf())
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_articles", str(scan), str(good_file), stdout=stdout, stderr=stderr)
    assert stderr.getvalue().startswith(f"{scan}: the PDF has no text layer")
    assert stdout.getvalue() == "Articles: 1 new, 0 updated, 0 unchanged, 1 failed.\n"


def test_all_or_nothing_rolls_back_the_outlet_a_good_page_made(tmp_path):
    page = write(tmp_path, "page.html", CNN_PAGE)
    scan = write(tmp_path, "scan.pdf", scanned_pdf())
    report = articles_in.import_paths([page, scan], all_or_nothing=True)
    assert report.rolled_back
    assert (Article.objects.count(), Source.objects.count()) == (0, 0)


def test_a_json_record_with_a_url_and_no_source_lands_under_the_outlet_of_its_domain(tmp_path):
    dw = Source.objects.create(name="DW", domain="dw.com")
    records = write(
        tmp_path,
        "records.json",
        b'[{"text": "One story", "url": "https://www.dw.com/en/a-1"},'
        b' {"text": "Two story", "url": "https://example.org/b", "source": "Named"}]',
    )
    articles_in.import_paths([records])
    assert dict(Article.objects.values_list("text", "source__name")) == {"One story": dw.name, "Two story": "Named"}


def test_the_command_help_lists_what_it_reads():
    parser = ImportArticles().create_parser("manage.py", "import_articles")
    help_text = " ".join(parser.format_help().split())
    for kind in (".html", ".pdf", ".docx", ".odt", ".txt", ".json", ".csv"):
        assert kind in help_text
    assert "domain" in help_text
