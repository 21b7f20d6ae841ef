"""Word (.docx) and OpenDocument (.odt) documents as articles: the body's
paragraphs, headings, lists and tables in order, one paragraph each; the
headers, footers, comments and footnotes are the document's furniture and
stay out.

A .docx is read with python-docx; an .odt's content.xml is plain enough to
read with lxml directly. Both are zips, so their sizes are checked before
anything is inflated (zip_limits)."""

import io
import re
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from annotate.io.article_records import ArticleRecord, ImportProblem
from annotate.io.zip_limits import ZipTooLarge, refuse_large_members

# What a document may unpack to, its pictures included: a Word file of a
# long article with photos is a few MB; python-docx holds every part in
# memory, so a zip that claims more is refused before it is opened.
UNPACKED_LIMIT = 100_000_000
LANGUAGE_LIMIT = 16
TITLE_STYLES = {"title"}

_ODF = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}
_TEXT = f"{{{_ODF['text']}}}"
_TABLE = f"{{{_ODF['table']}}}"
# Inside a paragraph, these hold text that is not the paragraph's own.
_ODT_SKIPPED = {_TEXT + "note", f"{{{_ODF['office']}}}annotation", _TEXT + "tracked-changes"}
_SPACES = re.compile(r"[ \t]+")


def read_docx(data: bytes, *, name: str, url: str = "") -> ArticleRecord:
    """The article a Word document holds. Raises ImportProblem for a
    damaged one, one that unpacks too large, and one with no text."""
    _refuse_large(data)
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs, styled_title = _docx_paragraphs(document)
        properties = document.core_properties
        title, language = (properties.title or "").strip(), (properties.language or "").strip()
    except Exception as error:
        # python-docx raises KeyError for a missing part, lxml's errors for
        # broken XML, its own for a package that is not Word's.
        raise ImportProblem(f"the Word document cannot be read ({type(error).__name__}: {error})") from None
    if not paragraphs:
        raise ImportProblem("the Word document has no text")
    return ArticleRecord(
        text="\n\n".join(paragraphs),
        original_filename=name,
        title=title or styled_title,
        url=url,
        language=language if len(language) <= LANGUAGE_LIMIT else "",
    )


def _docx_paragraphs(document) -> tuple[list[str], str]:
    """(the body's paragraphs in order, the first one styled as a Title)."""
    paragraphs, title = [], ""
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = _clean(block.text)
            if text and not title and (block.style is not None) and (block.style.name or "").lower() in TITLE_STYLES:
                title = text
        elif isinstance(block, Table):
            text = _table_text([[cell.text for cell in _unmerged(row.cells)] for row in block.rows])
        else:  # pragma: no cover - python-docx yields only these two
            continue
        if text:
            paragraphs.append(text)
    return paragraphs, title


def _unmerged(cells: list) -> list:
    # A merged cell comes back once for every grid column it spans.
    return [cell for number, cell in enumerate(cells) if number == 0 or cell._tc is not cells[number - 1]._tc]


def read_odt(data: bytes, *, name: str, url: str = "") -> ArticleRecord:
    """The article an OpenDocument text holds. Raises ImportProblem for a
    damaged one, one that unpacks too large, and one with no text."""
    _refuse_large(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        content = _parse_xml(archive.read("content.xml"))
        meta = _parse_xml(archive.read("meta.xml")) if "meta.xml" in archive.namelist() else None
    except Exception as error:
        # A missing content.xml (KeyError), a member that does not inflate,
        # XML that does not parse: the document is not one we can read.
        raise ImportProblem(f"the OpenDocument text cannot be read ({type(error).__name__}: {error})") from None
    body = content.find("office:body/office:text", _ODF)
    paragraphs = list(_odt_blocks(body)) if body is not None else []
    if not paragraphs:
        raise ImportProblem("the OpenDocument text has no text")
    title = _clean(meta.findtext("office:meta/dc:title", "", _ODF)) if meta is not None else ""
    language = _clean(meta.findtext("office:meta/dc:language", "", _ODF)) if meta is not None else ""
    return ArticleRecord(
        text="\n\n".join(paragraphs),
        original_filename=name,
        title=title,
        url=url,
        language=language if len(language) <= LANGUAGE_LIMIT else "",
    )


def _parse_xml(data: bytes):
    # No entities, no network, no huge trees: the document is not trusted.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    return etree.fromstring(data, parser)


def _odt_blocks(element):
    """Each paragraph, heading and table row group of the body, in order;
    lists and sections are walked into."""
    for child in element:
        if child.tag in (_TEXT + "p", _TEXT + "h"):
            if text := _clean(_odt_inline(child)):
                yield text
        elif child.tag == _TABLE + "table":
            rows = [
                [_clean("\n".join(map(_odt_inline, cell.iter(_TEXT + "p")))) for cell in cells]
                for cells in (row.iter(_TABLE + "table-cell") for row in child.iter(_TABLE + "table-row"))
            ]
            if text := _table_text(rows):
                yield text
        elif child.tag not in _ODT_SKIPPED:
            yield from _odt_blocks(child)


def _odt_inline(element) -> str:
    """A paragraph's text: <text:s c="3"/> is three spaces, <text:tab/> a
    tab, <text:line-break/> a line break; spans and links are walked into,
    notes and comments left out."""
    pieces = [element.text or ""]
    for child in element:
        if child.tag == _TEXT + "s":
            pieces.append(" " * int(child.get(_TEXT + "c", "1") or 1))
        elif child.tag == _TEXT + "tab":
            pieces.append("\t")
        elif child.tag == _TEXT + "line-break":
            pieces.append("\n")
        elif child.tag not in _ODT_SKIPPED:
            pieces.append(_odt_inline(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def _table_text(rows: list[list[str]]) -> str:
    """A table as one paragraph, a line per row, its cells apart by " | "."""
    lines = (" | ".join(_clean(cell).replace("\n", " ") for cell in row) for row in rows)
    return "\n".join(line for line in lines if line.strip(" |"))


def _clean(text: str) -> str:
    """Each line's runs of spaces as one, the ends trimmed, blank lines out."""
    lines = (_SPACES.sub(" ", line).strip() for line in (text or "").split("\n"))
    return "\n".join(line for line in lines if line)


def _refuse_large(data: bytes) -> None:
    try:
        refuse_large_members(zipfile.ZipFile(io.BytesIO(data)), member_limit=UNPACKED_LIMIT, total_limit=UNPACKED_LIMIT)
    except ZipTooLarge as error:
        raise ImportProblem(f"the document is too large to open: {error}") from None
    except Exception as error:
        raise ImportProblem(f"this is a damaged zip file, not a document that can be read ({error})") from None
