"""annotate/io/documents.py and its readers: a document's kind by its
content, Word, OpenDocument and PDF files as articles, and bad documents
refused with the reason.

The documents are written here by the real writers (python-docx, odfpy,
reportlab; pypdf encrypts), as the people who send us files make them.
"""

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odf import dc, teletype
from odf import text as odf_text
from odf.opendocument import OpenDocumentText
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from annotate.io import documents, office_documents, web_pages
from annotate.io.article_records import ImportProblem
from annotate.io.documents import document_kind, read_document
from tests.conftest import SEEDS

PAGES = Path(__file__).parent / "fixtures" / "pages"
CNN_PAGE = (PAGES / "cnn-xi-lukashenko.html").read_bytes()


def seed_paragraphs(name: str = "004_3dd6b5021ef640bc.txt") -> list[str]:
    """A seed article's paragraphs as an author would type them: one a line."""
    text = (SEEDS / name).read_text(encoding="utf-8")
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def refusal(data: bytes, name: str = "article", **hints) -> str:
    with pytest.raises(ImportProblem) as refused:
        read_document(data, name=name, **hints)
    return str(refused.value)


# --- writers ---------------------------------------------------------------------


def word_document(paragraphs: list[str], *, title: str = "", heading: str = "") -> bytes:
    document = docx.Document()
    if title:
        document.core_properties.title = title
    document.core_properties.language = "en-GB"
    if heading:
        document.add_heading(heading, level=0)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_document(paragraphs: list[str], *, title: str = "") -> bytes:
    """A PDF as a report writer makes one: a title, then body paragraphs
    that wrap over lines and pages."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    story = [Paragraph(escape(paragraphs[0]), styles["Title"])]
    story += [Paragraph(escape(paragraph), styles["BodyText"]) for paragraph in paragraphs[1:]]
    SimpleDocTemplate(buffer, pagesize=A4, title=title, lang="en").build(story)
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A scanner's PDF: each page one picture of printed text, no text layer."""
    picture = Image.new("RGB", (600, 800), "white")
    drawing = ImageDraw.Draw(picture)
    for line in range(30):
        drawing.rectangle((40, 40 + line * 24, 560, 52 + line * 24), fill="black")
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(2):
        page.drawImage(ImageReader(picture), 0, 0, *A4)
        page.showPage()
    page.save()
    return buffer.getvalue()


def encrypted(pdf: bytes, *, user_password: str, algorithm: str = "AES-256") -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner secret", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def opendocument_text(paragraphs: list[str], *, title: str = "", heading: str = "") -> bytes:
    document = OpenDocumentText()
    if title:
        document.meta.addElement(dc.Title(text=title))
    document.meta.addElement(dc.Language(text="en-GB"))
    if heading:
        document.text.addElement(odf_text.H(outlinelevel=1, text=heading))
    for paragraph in paragraphs:
        element = odf_text.P()
        teletype.addTextToElement(element, paragraph)
        document.text.addElement(element)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- the kind comes from the content ------------------------------------------------


@pytest.mark.parametrize(
    "start, kind",
    [
        (b"<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
        (b"\xef\xbb\xbf  \n<!doctype HTML>", "html"),
        (b"<!-- saved from url=(0044)https://www.example.org/2023/03/story.html -->\r\n<html>", "html"),
        (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN">', "html"),
        (b"<html lang='en'>", "html"),
        (b"\n\n<head><meta charset=utf-8>", "html"),
        (b"<meta charset=utf-8><title>x</title>", "html"),
        ("\ufeff<!DOCTYPE html>".encode("utf-16-le"), "html"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdf"),
        (b"\r\n%PDF-1.4", "pdf"),
        (b"Minsk and Beijing sign a pact\n\n<b>not a page</b>", "text"),
        (b"<div>a fragment</div>", "text"),
        (b"The HTML standard says <html> starts a page.", "text"),
    ],
)
def test_the_kind_is_read_from_the_content(start, kind):
    assert document_kind(start, name="article.txt") == kind


def test_a_content_type_or_a_name_says_html_only_for_text_that_holds_markup():
    assert document_kind(b"<div>a fragment</div>", content_type="text/html; charset=utf-8") == "html"
    assert document_kind(b"<div>a fragment</div>", name="fragment.HTM") == "html"
    assert document_kind(b"plain words", content_type="text/html") == "text"
    # The content wins over the hint: a PDF served as a web page is a PDF.
    assert document_kind(b"%PDF-1.7\n", content_type="text/html") == "pdf"


def test_word_and_opendocument_are_told_by_the_zip_members():
    assert document_kind(word_document(["One paragraph."])) == "docx"
    assert document_kind(opendocument_text(["One paragraph."])) == "odt"


def test_a_txt_file_that_is_really_a_saved_page_is_read_as_the_page():
    record = read_document(CNN_PAGE, name="saved-as.txt")
    assert record.title.startswith("Putin’s ally Lukashenko")
    assert "<" not in record.text
    assert "Accept All" not in record.text


def test_a_txt_file_that_is_really_a_pdf_is_read_as_the_pdf():
    paragraphs = seed_paragraphs("000_a7019eb4f8ffdaa4.txt")
    assert read_document(pdf_document(paragraphs), name="report.txt").text.split("\n\n") == paragraphs


def test_plain_text_keeps_the_text_path():
    record = read_document(b"Minsk and Beijing sign a pact\r\n\r\nThey met.", name="a.txt", url="https://x.org/a")
    assert (record.text, record.original_filename, record.url) == (
        "Minsk and Beijing sign a pact\r\n\r\nThey met.",
        "a.txt",
        "https://x.org/a",
    )


# --- Word ------------------------------------------------------------------------------


def test_a_word_document_gives_its_paragraphs_a_blank_line_apart_and_its_title():
    paragraphs = seed_paragraphs()
    record = read_document(word_document(paragraphs, title="China, Belarus ties"), name="story.docx")
    assert record.text.split("\n\n") == paragraphs
    assert (record.title, record.language, record.original_filename) == ("China, Belarus ties", "en-GB", "story.docx")


def test_a_word_document_without_a_title_property_takes_its_title_styled_paragraph():
    record = read_document(word_document(["The body."], heading="Lukashenko meets Xi"), name="story.docx")
    assert (record.title, record.text) == ("Lukashenko meets Xi", "Lukashenko meets Xi\n\nThe body.")


def test_a_word_document_keeps_line_breaks_tables_in_order_and_skips_empty_paragraphs():
    document = docx.Document()
    first = document.add_paragraph("Minsk, 1 March")
    first.add_run().add_break()
    first.add_run("Beijing, 2 March")
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, [("Year", "Drills"), ("2023", "4")], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("After the table.")
    buffer = io.BytesIO()
    document.save(buffer)
    assert read_document(buffer.getvalue(), name="t.docx").text == (
        "Minsk, 1 March\nBeijing, 2 March\n\nYear | Drills\n2023 | 4\n\nAfter the table."
    )


def test_a_word_document_with_no_text_is_refused():
    assert refusal(word_document([" ", ""]), "empty.docx") == "the Word document has no text"


def test_a_docx_that_is_a_zip_of_something_else_is_refused_naming_what_it_holds():
    photos = zip_of({"IMG_0001.jpg": b"\xff\xd8\xff", "IMG_0002.jpg": b"\xff\xd8\xff", "notes.txt": b"hi"})
    assert refusal(photos, "story.docx") == (
        "this is a zip archive of other files (IMG_0001.jpg, IMG_0002.jpg, notes.txt), not a Word (.docx) "
        "or OpenDocument (.odt) document; import the articles inside it one by one"
    )


def test_a_zip_of_many_files_names_the_first_five_and_counts_the_rest():
    many = zip_of({f"page{number}.html": b"<p>x</p>" for number in range(8)})
    assert "(page0.html, page1.html, page2.html, page3.html, page4.html and 3 more)" in refusal(many, "pages.docx")


def test_a_spreadsheet_named_docx_is_refused_saying_it_is_a_spreadsheet():
    workbook = zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    assert (
        refusal(workbook, "budget.docx") == "this is an Excel workbook (.xlsx), not a document with an article's text"
    )
    spreadsheet = zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
    assert "an OpenDocument spreadsheet (.ods)" in refusal(spreadsheet, "budget.odt")


def test_a_damaged_docx_is_refused_saying_it_cannot_be_read():
    broken = zip_of({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w:document"})
    assert refusal(broken, "broken.docx").startswith("the Word document cannot be read (")
    assert refusal(word_document(["x"])[:300], "cut.docx").startswith("this is a damaged zip file")


def test_a_docx_that_would_unpack_past_the_limit_is_refused_before_it_is_opened(monkeypatch):
    monkeypatch.setattr(office_documents, "UNPACKED_LIMIT", 10_000)
    assert "would unpack to" in refusal(word_document(["A paragraph."] * 200), "big.docx")


def test_an_old_doc_and_an_rtf_are_refused_saying_what_to_save_them_as():
    assert "Word 97–2003 .doc" in refusal(documents.OLE_SIGNATURE + b"\x00" * 512, "old.doc")
    assert refusal(b"{\\rtf1\\ansi Hello}", "a.rtf").startswith("this is an RTF document; save it as .docx")


# --- OpenDocument ------------------------------------------------------------------------


def test_an_opendocument_text_gives_its_paragraphs_title_and_language():
    paragraphs = seed_paragraphs("001_6deae3e1fc49064b.txt")
    record = read_document(opendocument_text(paragraphs, title="Belarus cozies up"), name="story.odt")
    assert record.text.split("\n\n") == paragraphs
    assert (record.title, record.language) == ("Belarus cozies up", "en-GB")


def test_an_opendocument_text_keeps_headings_lists_and_spacing_and_leaves_out_notes():
    document = OpenDocumentText()
    document.text.addElement(odf_text.H(outlinelevel=1, text="Heading"))
    items = odf_text.List()
    for words in ("first item", "second item"):
        item = odf_text.ListItem()
        item.addElement(odf_text.P(text=words))
        items.addElement(item)
    document.text.addElement(items)
    paragraph = odf_text.P()
    teletype.addTextToElement(paragraph, "two  spaces\tand a tab")
    note = odf_text.Note(noteclass="footnote")
    note.addElement(odf_text.NoteCitation(text="1"))
    body = odf_text.NoteBody()
    body.addElement(odf_text.P(text="A footnote."))
    note.addElement(body)
    paragraph.addElement(note)
    paragraph.addElement(odf_text.LineBreak())
    paragraph.addText("next line")
    document.text.addElement(paragraph)
    buffer = io.BytesIO()
    document.write(buffer)
    assert read_document(buffer.getvalue(), name="n.odt").text == (
        "Heading\n\nfirst item\n\nsecond item\n\ntwo spaces and a tab\nnext line"
    )


def test_an_opendocument_text_with_no_text_is_refused():
    assert refusal(opendocument_text([]), "empty.odt") == "the OpenDocument text has no text"


def test_an_odt_without_its_content_is_refused():
    package = zip_of({"mimetype": b"application/vnd.oasis.opendocument.text", "styles.xml": b"<x/>"})
    assert refusal(package, "hollow.odt").startswith("the OpenDocument text cannot be read (KeyError")


def test_an_odt_with_entities_is_not_expanded():
    content = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
        b"<text:p>Before &b; after</text:p></office:text></office:body></office:document-content>"
    )
    package = zip_of({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": content})
    assert "aaaaaaaaaa" not in read_document(package, name="laughs.odt").text


# --- PDF ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", sorted(path.name for path in SEEDS.glob("*.txt")))
def test_a_pdf_gives_every_paragraph_of_the_article_even_across_pages(seed):
    paragraphs = seed_paragraphs(seed)
    record = read_document(pdf_document(paragraphs, title=paragraphs[0]), name="story.pdf")
    assert record.text.split("\n\n") == paragraphs
    assert (record.title, record.language) == (paragraphs[0], "en")


def test_a_pdf_titled_with_its_file_name_has_no_title_of_its_own():
    pdf = pdf_document(["A headline", "The body."], title="Microsoft Word - draft 3.docx")
    assert read_document(pdf, name="draft.pdf").title == ""


def test_a_pdf_with_no_text_layer_is_refused_saying_it_looks_scanned():
    assert refusal(scanned_pdf(), "scan.pdf") == (
        "the PDF has no text layer: its 2 page(s) are images only (a scan?); "
        "run it through text recognition (OCR) and import the result"
    )


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_a_password_protected_pdf_is_refused_saying_so(algorithm):
    locked = encrypted(pdf_document(["Headline", "Body."]), user_password="secret", algorithm=algorithm)
    assert refusal(locked, "locked.pdf") == (
        "the PDF is password-protected; remove the password (print it to a new PDF) and import that"
    )


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_a_pdf_encrypted_only_against_changes_opens_without_a_password(algorithm):
    paragraphs = ["Headline", "The body of the article."]
    locked = encrypted(pdf_document(paragraphs), user_password="", algorithm=algorithm)
    assert read_document(locked, name="restricted.pdf").text.split("\n\n") == paragraphs


def test_a_damaged_pdf_is_refused_saying_it_cannot_be_read():
    assert refusal(b"%PDF-1.7\nthis is not a pdf at all", "broken.pdf").startswith(
        "this is not a PDF that can be read ("
    )
    truncated = pdf_document(seed_paragraphs())[:2000]
    assert refusal(truncated, "cut.pdf").startswith(("this is not a PDF that can be read (", "the PDF has no"))


# --- web pages that go wrong -----------------------------------------------------------------


def test_a_truncated_page_still_gives_the_paragraphs_it_holds():
    cut = CNN_PAGE[: CNN_PAGE.index(b"Speaking of the war at Wednesday")]
    paragraphs = read_document(cut, name="cut.html").text.split("\n\n")
    assert paragraphs[0].startswith("Putin’s ally Lukashenko")
    assert paragraphs[-1].startswith("Beijing has denied the allegations")
    assert len(paragraphs) == 6


@pytest.mark.parametrize("length", [200, 3000])
def test_a_page_cut_before_its_article_is_refused_as_having_no_text(length):
    assert refusal(CNN_PAGE[:length], "cut.html").startswith("the page has no article text")


def test_a_page_with_no_article_text_is_refused_saying_so():
    home = (
        b"<!DOCTYPE html><html><head><title>The Outlet</title></head><body><nav><ul>"
        + b"".join(b'<li><a href="/section/%d">Section %d</a></li>' % (n, n) for n in range(40))
        + b'</ul></nav><div class="cookie-banner">We use cookies. <button>Accept</button></div>'
        b"<footer>&copy; 2023 The Outlet</footer></body></html>"
    )
    assert refusal(home, "home.html") == (
        "the page has no article text: only navigation, links and other page furniture "
        "(is it a home page, a search result or a login wall?)"
    )


def test_markup_that_is_not_a_page_at_all_is_refused():
    assert refusal(b"<html></html>", "empty.html").startswith("the page has no article text")
    assert refusal(b"<html>" + b"<div>" * 100_000 + b"deep", "deep.html").startswith(
        ("the page has no article text", "the page cannot be read as HTML")
    )


def test_a_page_over_the_limit_is_refused_before_it_is_parsed():
    huge = b"<!DOCTYPE html><html><body><article>" + b"<p>Lukashenko met Xi.</p>" * 900_000
    assert len(huge) > web_pages.WEB_PAGE_BYTES_LIMIT
    assert refusal(huge, "huge.html") == (
        f"the page is {len(huge):,} bytes; a web page may be at most {web_pages.WEB_PAGE_BYTES_LIMIT:,}"
    )


def test_a_document_over_the_limit_is_refused_whatever_it_is(monkeypatch):
    monkeypatch.setattr(documents, "DOCUMENT_BYTES_LIMIT", 1000)
    assert refusal(b"x" * 1001, "big.txt") == "the file is 1,001 bytes; a document to import may be at most 1,000"


def test_a_long_page_below_the_limit_gives_all_of_its_paragraphs():
    paragraphs = [
        f"Paragraph {number}: Lukashenko and Xi met in Beijing and signed a statement." for number in range(1000)
    ]
    page = "<!DOCTYPE html><html><head><title>Long</title></head><body><article><h1>Long</h1>"
    page += "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs) + "</article></body></html>"
    assert read_document(page.encode(), name="long.html").text.split("\n\n") == ["Long", *paragraphs]


# --- anything at all: an article or a reason, never a traceback -------------------------------

MARKUP = st.sampled_from(
    [
        "<!DOCTYPE html>", "<html>", "<head>", "<title>", "</title>", "<body>", "<article>", "</article>",
        "<p>", "</p>", "<br>", "<div class='entry-content'>", "</div>", "<script>", "</script>", "<!--", "-->",
        "<meta charset='", "utf-8", "klingon", "'>", "&amp;", "&#0;", "&#xD800;", "&nbsp;", "<table><tr><td>",
        "<ul><li>", "<blockquote>", "<h1>", "<svg><![CDATA[", "]]>", "<?xml version='1.0'?>", "\x00", "\r\n",
        "Lukashenko met Xi in Beijing and signed a pact on defence. ", "Минск ", "🇧🇾 ",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(MARKUP, max_size=60), name=st.sampled_from(["page.html", "page.txt", "page"]))
def test_any_markup_gives_an_article_or_a_reason(pieces, name):
    try:
        record = read_document("".join(pieces).encode("utf-8", "surrogatepass"), name=name)
    except ImportProblem as problem:
        assert str(problem)
    else:
        assert isinstance(record.text, str)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04", b"PK\x05\x06", documents.OLE_SIGNATURE, b"\xef\xbb\xbf"]),
    rest=st.binary(max_size=3000),
)
def test_any_bytes_give_an_article_or_a_reason(start, rest):
    try:
        read_document(start + rest, name="upload")
    except ImportProblem as problem:
        assert str(problem)


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(min_value=1, max_value=4000), noise=st.binary(min_size=1, max_size=64))
def test_a_damaged_word_pdf_or_opendocument_file_gives_an_article_or_a_reason(cut, noise):
    for whole in (WORD_SAMPLE, PDF_SAMPLE, ODT_SAMPLE):
        damaged = whole[:cut] + noise + whole[cut + len(noise) :]
        try:
            read_document(damaged, name="damaged")
        except ImportProblem as problem:
            assert str(problem)


WORD_SAMPLE = word_document(seed_paragraphs()[:5])
PDF_SAMPLE = pdf_document(seed_paragraphs()[:5])
ODT_SAMPLE = opendocument_text(seed_paragraphs()[:5])
