"""A PDF as an article: the text of its text layer, page by page, through
pypdf. A scan (pages that are only images) has no text to read and is
refused saying so; so is a PDF locked with a password."""

import io
import logging
import math
import re

from pypdf import PasswordType, PdfReader

from annotate.io.article_records import ArticleRecord, ImportProblem

# pypdf reports a damaged cross-reference table and the like through
# logging; with no handler anywhere, Python prints such a record on the
# command's stderr between our own messages. A deployment that configures
# logging still gets them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

LANGUAGE_LIMIT = 16
_SPACES = re.compile(r"[ \t\u00a0]{2,}")
# A gap this many times the usual line spacing is a paragraph's own space:
# Word's Normal style leaves 8 pt after 11 pt type (1.6 lines), a report
# with spaceBefore half a line 1.5; a line that wraps is 1.0.
_PARAGRAPH_GAP = 1.3
# Line spacing as a share of the type size when a page shows none of its own.
_SINGLE_SPACING = 1.2
# Word's "Save as PDF" and many printers put the file name in the title.
_FILE_NAME_TITLE = re.compile(r"(?i)^(?:microsoft (?:word|powerpoint) - )?.*\.(?:docx?|odt|rtf|txt|pdf)$")


def read_pdf(data: bytes, *, name: str, url: str = "") -> ArticleRecord:
    """The article a PDF holds. Raises ImportProblem for a damaged PDF, one
    with a password, and one with no text layer."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise ImportProblem(
                "the PDF is password-protected; remove the password (print it to a new PDF) and import that"
            )
        pages = [_page_paragraphs(page) for page in reader.pages]
        title, language = _metadata(reader)
    except ImportProblem:
        raise
    except Exception as error:
        # pypdf raises its own errors for a broken file, and plain ones
        # (KeyError, ValueError, RecursionError...) for broken objects inside it.
        raise ImportProblem(f"this is not a PDF that can be read ({type(error).__name__}: {error})") from None
    if not pages:
        raise ImportProblem("the PDF has no pages")
    paragraphs = _across_pages(pages)
    if not paragraphs:
        raise ImportProblem(
            f"the PDF has no text layer: its {len(pages):,} page(s) are images only (a scan?); "
            "run it through text recognition (OCR) and import the result"
        )
    return ArticleRecord(text="\n\n".join(paragraphs), original_filename=name, title=title, url=url, language=language)


def _page_paragraphs(page) -> list[str]:
    """A page's text as paragraphs. A PDF has lines placed on the page, not
    paragraphs: a gap between two lines wider than the page's usual line
    spacing for that size of type (a paragraph's space before or after), a
    change of type size (a heading) or a jump back up the page (the next
    column) starts a new paragraph; the lines of one paragraph, wrapped
    where the page ran out of width, are joined again."""
    pieces: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font_dict, font_size):
        # The text matrix times the current transformation: where on the
        # page (y) the text is, and how tall it really is.
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
        pieces.append((text, y, round((font_size or 0) * scale, 1)))

    page.extract_text(visitor_text=visit)
    lines = _lines(pieces)
    spacing = _usual_spacing(lines)
    paragraphs: list[list[str]] = []
    previous = None
    for text, y, size in lines:
        if previous is None or _starts_paragraph(previous, (y, size), spacing):
            paragraphs.append([])
        paragraphs[-1].append(text)
        previous = (y, size)
    return [_joined(lines) for lines in paragraphs]


def _across_pages(pages: list[list[str]]) -> list[str]:
    """The pages' paragraphs in one list; a page that starts in the middle
    of a sentence (with a small letter) goes on with the paragraph before."""
    paragraphs: list[str] = []
    for page in pages:
        for number, paragraph in enumerate(page):
            if number == 0 and paragraphs and paragraph[:1].islower():
                paragraphs[-1] = _joined([paragraphs[-1], paragraph])
            else:
                paragraphs.append(paragraph)
    return paragraphs


def _lines(pieces: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """(text, y, type size) of each line, in the order the page draws them;
    pypdf ends a line's last piece with a newline."""
    lines = []
    text, y, size = "", None, 0.0
    for piece, piece_y, piece_size in pieces:
        for number, part in enumerate(piece.split("\n")):
            if number:
                if text.strip():
                    lines.append((_SPACES.sub(" ", text).strip(), y, size))
                text, y = "", None
            if part:
                if y is None:
                    y, size = piece_y, piece_size
                text += part
    if text.strip():
        lines.append((_SPACES.sub(" ", text).strip(), y, size))
    return lines


def _usual_spacing(lines: list[tuple[str, float, float]]) -> dict[float, float]:
    """For each type size, the distance down from one line to the next
    inside a paragraph: the smallest such step, since most steps may be
    between paragraphs when they are one or two lines long (a news story).
    When every step is the same and wider than any single spacing, each
    line is a paragraph of its own."""
    gaps: dict[float, list[float]] = {}
    for (_, y1, size1), (_, y2, size2) in zip(lines, lines[1:], strict=False):
        if size1 == size2 and 0.9 * size1 <= y1 - y2 < 3 * size1:
            gaps.setdefault(size1, []).append(y1 - y2)
    spacing = {}
    for size, found in gaps.items():
        smallest, widest = min(found), max(found)
        alike = widest - smallest < 0.1 * smallest
        spacing[size] = _SINGLE_SPACING * size if alike and smallest > 1.5 * size else smallest
    return spacing


def _starts_paragraph(previous: tuple[float, float], line: tuple[float, float], spacing: dict[float, float]) -> bool:
    (y1, size1), (y2, size2) = previous, line
    if abs(size1 - size2) > 0.5:
        return True
    usual = spacing.get(size2, _SINGLE_SPACING * size2)
    return not 0 < y1 - y2 <= _PARAGRAPH_GAP * usual


def _joined(lines: list[str]) -> str:
    paragraph = ""
    for line in lines:
        # A word broken at the line's end keeps its hyphen, and no space.
        paragraph += line if not paragraph or paragraph.endswith("-") else " " + line
    return paragraph


def _metadata(reader: PdfReader) -> tuple[str, str]:
    """(title, language) from the document information and catalogue."""
    info = reader.metadata
    title = " ".join(str(info.title or "").split()) if info is not None else ""
    if _FILE_NAME_TITLE.match(title):
        title = ""
    language = str(reader.trailer["/Root"].get("/Lang") or "").strip()
    return title, language if len(language) <= LANGUAGE_LIMIT else ""
