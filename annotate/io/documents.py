"""One entry point for an article that arrives as a file or a fetched body:
``read_document`` tells what the bytes are by their content (not by the
file's name, which is often wrong: a page saved as .txt, a .docx that is a
zip of photos) and hands them to the reader for that kind.

    HTML       web_pages.py (trafilatura: the article without the page's chrome)
    PDF        pdf_documents.py (pypdf; the text layer only)
    DOCX, ODT  office_documents.py (python-docx; ODT's content.xml)
    text       decode_article_bytes, as a .txt file always was

Anything else is refused with an ImportProblem saying what it is.
"""

import io
import re
import zipfile
import zlib

from annotate.io.article_records import ArticleRecord, ImportProblem, decode_article_bytes

# A whole document of the kind, before it is read. Far beyond any article
# (the largest real news page we know of is about 5 MB of markup, a long
# report as PDF a few MB); bounded so one file cannot hold a worker for
# minutes or take gigabytes of memory while it is parsed.
DOCUMENT_BYTES_LIMIT = 50_000_000

HTML_MEDIA_TYPES = {"text/html", "application/xhtml+xml"}
ODT_MIME_TYPES = {"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text-template"}
# What else a zip or an OLE file may be, named so the refusal says it.
OTHER_ZIP_KINDS = {
    "xl/workbook.xml": "an Excel workbook (.xlsx)",
    "ppt/presentation.xml": "a PowerPoint presentation (.pptx)",
}
OTHER_ODF_KINDS = {
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (.ods)",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (.odp)",
    "application/epub+zip": "an e-book (EPUB)",
}
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What zipfile raises for a damaged archive: a bad directory, a member that
# does not inflate (zlib), an unknown compression method, a member that
# needs a password.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, zlib.error,
              NotImplementedError, RuntimeError)  # fmt: skip

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# How an HTML document starts once any BOM, blank space, comments (a
# browser's "saved from url" note, a CMS banner) and an XML declaration are
# skipped: a doctype or one of the tags that only open a page.
_HTML_START = re.compile(
    r"\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*(?:<!--.*?-->\s*)*)?"
    r"(?:<!doctype\s+html|<(?:html|head|body|meta|title)[\s/>])",
    re.IGNORECASE | re.DOTALL,
)
# Enough of the start to see past a long comment or a doctype with its DTD.
_SNIFF_BYTES = 65_536


def read_document(data: bytes, *, name: str, url: str = "", content_type: str = "") -> ArticleRecord:
    """The article ``data`` holds, with what the document says about itself.

    ``name`` becomes the record's original file name; ``url`` is where it
    came from, if anywhere (a page's canonical URL replaces it);
    ``content_type`` is an HTTP response's Content-Type, a hint: the content
    decides, and only text with no markup of its own is read as HTML because
    the hint says so. Raises ImportProblem saying why the bytes cannot be
    an article.
    """
    if len(data) > DOCUMENT_BYTES_LIMIT:
        raise ImportProblem(
            f"the file is {len(data):,} bytes; a document to import may be at most {DOCUMENT_BYTES_LIMIT:,}"
        )
    kind = document_kind(data, content_type=content_type, name=name)
    # The readers are imported when a document of their kind comes: with
    # trafilatura, lxml, pypdf and python-docx loaded, every web worker
    # would hold some 50 MB more and start a quarter of a second later,
    # though most never read a page.
    if kind == "html":
        from annotate.io import web_pages

        return web_pages.read_web_page(data, name=name, url=url, content_type=content_type)
    if kind == "pdf":
        from annotate.io import pdf_documents

        return pdf_documents.read_pdf(data, name=name, url=url)
    if kind in ("docx", "odt"):
        from annotate.io import office_documents

        read = office_documents.read_docx if kind == "docx" else office_documents.read_odt
        return read(data, name=name, url=url)
    return ArticleRecord(text=decode_article_bytes(data), original_filename=name, url=url)


def document_kind(data: bytes, *, content_type: str = "", name: str = "") -> str:
    """ "html", "pdf", "docx", "odt" or "text", by the content; raises
    ImportProblem for a kind we recognise but cannot read (a spreadsheet,
    an old .doc, a zip of something else).

    ``content_type`` (an HTTP Content-Type) and a name ending in .html/.htm
    only decide between HTML and text, for markup that does not start the
    way a whole page does (a fragment that starts with a <div>)."""
    start = data[:_SNIFF_BYTES]
    if start.lstrip(b"\xef\xbb\xbf \t\r\n\f").startswith(b"%PDF-"):
        return "pdf"
    if start.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    if start.startswith(OLE_SIGNATURE):
        raise ImportProblem(
            "this is an old Office file (Word 97–2003 .doc or similar), not a .docx; "
            "save it as .docx or PDF and import that"
        )
    if start.startswith(b"{\\rtf"):
        raise ImportProblem("this is an RTF document; save it as .docx or PDF and import that")
    if _HTML_START.match(_sniff_text(start)):
        return "html"
    media_type = content_type.split(";", 1)[0].strip().lower()
    named_html = name.lower().endswith((".html", ".htm"))
    if (media_type in HTML_MEDIA_TYPES or named_html) and b"<" in start:
        return "html"
    return "text"


def _sniff_text(start: bytes) -> str:
    """The start of the bytes as text, good enough to see markup in: a
    UTF-16 page (Windows' "Unicode" save) by its BOM, anything else as
    Latin-1, which decodes every byte and keeps ASCII markup as it is."""
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if start.startswith(bom):
            return start[len(bom) :].decode(encoding, errors="replace")
    return start.removeprefix(_BOMS[0]).decode("latin-1")


def _zip_kind(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        mimetype = _odf_mimetype(archive, names)
    except ZIP_ERRORS as error:
        raise ImportProblem(f"this is a damaged zip file, not a document that can be read ({error})") from None
    if "word/document.xml" in names:
        return "docx"
    if mimetype in ODT_MIME_TYPES:
        return "odt"
    for member, kind in OTHER_ZIP_KINDS.items():
        if member in names:
            raise ImportProblem(f"this is {kind}, not a document with an article's text")
    if mimetype in OTHER_ODF_KINDS:
        raise ImportProblem(f"this is {OTHER_ODF_KINDS[mimetype]}, not a document with an article's text")
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5:,} more" if len(names) > 5 else "")
    raise ImportProblem(
        f"this is a zip archive of other files ({shown or 'empty'}), not a Word (.docx) or OpenDocument (.odt) "
        "document; import the articles inside it one by one"
    )


def _odf_mimetype(archive: zipfile.ZipFile, names: list[str]) -> str:
    """An OpenDocument file's first member, "mimetype", names its kind."""
    if "mimetype" not in names or archive.getinfo("mimetype").file_size > 200:
        return ""
    return archive.read("mimetype").decode("ascii", errors="replace").strip()
