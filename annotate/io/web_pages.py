"""A web page (saved from a browser, or fetched) as an article: its main
text and what the page says about it, through trafilatura.

trafilatura finds the article among the page's navigation, cookie banners,
related links, comments and share buttons; what is ours is the decoding
(a page says its own encoding), how its blocks become the stored text
(paragraphs apart, by a blank line, as in a .txt article) and which of the
page's names for itself we keep.
"""

import codecs
import datetime as dt
import re

import trafilatura
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import use_config
from trafilatura.utils import load_html

from annotate.io.article_records import ArticleRecord, ImportProblem
from annotate.models import Article
from annotate.rules import domains
from annotate.rules.text import excerpt

# Markup, not text: a page over this is refused before it is parsed. News
# pages run from 100 kB to 2 MB of HTML; trafilatura's own download limit
# is 20 MB, and a page that size takes seconds to parse.
WEB_PAGE_BYTES_LIMIT = 20_000_000
URL_LIMIT = Article._meta.get_field("url").max_length
# trafilatura keeps a byline to a sentence or two; the column holds 300
# characters, and a longer one would refuse the whole page.
BYLINE_LIMIT = Article._meta.get_field("byline").max_length
LANGUAGE_LIMIT = 16

# Precision over recall: a reviewer marks every claim in the stored text,
# so a related-links list or a comment that got in would be read and marked
# as the outlet's; the default ("balanced") mode retries a short article
# with recall settings and then takes in a blog's sidebar and header.
_EXTRACTION = {
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_formatting": False,
    "include_links": False,
    "with_metadata": True,
}
_CONFIG = use_config()
# The signal-based timeout is only for trafilatura's command line; in a
# web worker's thread it cannot be set.
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")

# Labels that name Windows-1252 in practice: the HTML standard decodes them so.
_WINDOWS_1252_LABELS = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii", "cp819"}
_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", ": ", " · ", " » ")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
_BLANK_LINES = re.compile(r"[ \t]*\n(?:[ \t]*\n)+")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
# trafilatura's block elements; anything else inside one is inline.
_BLOCKS = {"p", "head", "list", "quote", "table", "code", "div"}


def read_web_page(data: bytes, *, name: str, url: str = "", content_type: str = "") -> ArticleRecord:
    """The article a page holds. Raises ImportProblem when the page is too
    large, says an encoding it is not in, or holds no article text."""
    if len(data) > WEB_PAGE_BYTES_LIMIT:
        raise ImportProblem(f"the page is {len(data):,} bytes; a web page may be at most {WEB_PAGE_BYTES_LIMIT:,}")
    markup = decode_web_page(data, content_type=content_type)
    try:
        tree = load_html(markup)
        document = (
            trafilatura.bare_extraction(
                tree, url=url or None, config=_CONFIG, date_extraction_params=_date_params(), **_EXTRACTION
            )
            if tree is not None
            else None
        )
    except (ValueError, TypeError, LookupError, RecursionError, AssertionError, etree.LxmlError) as error:
        # lxml and trafilatura raise these on markup they cannot walk; the
        # AssertionError is lxml's drop_tree() on a parentless element, which
        # htmldate's date search (inside trafilatura) reaches on some broken
        # markup (found by tests/io/test_documents.py's property test).
        raise ImportProblem(f"the page cannot be read as HTML ({type(error).__name__}: {error})") from None
    paragraphs = block_paragraphs(document.body) if document is not None and document.body is not None else []
    if not paragraphs:
        raise ImportProblem(
            "the page has no article text: only navigation, links and other page furniture "
            "(is it a home page, a search result or a login wall?)"
        )
    site_name = _site_name(document, tree)
    title = _without_site_name((document.title or "").strip(), site_name)
    if title and paragraphs[0] != title:
        # The headline is the outlet's claim too; a page keeps it above the
        # article body, and a .txt article starts with it.
        paragraphs.insert(0, title)
    return ArticleRecord(
        text="\n\n".join(paragraphs),
        original_filename=name,
        title=title,
        byline=excerpt((document.author or "").strip(), BYLINE_LIMIT),
        url=_page_url(document.url, fallback=url),
        published=_iso_date(document.date),
        language=_language(document.language, tree),
        site_name=site_name,
    )


def decode_web_page(data: bytes, *, content_type: str = "") -> str:
    """The page as text, in the encoding it says it is in: a byte order
    mark, else the Content-Type's charset, else its own <meta charset> (or
    XML declaration), else UTF-8. A page that is not in the encoding it
    names (or in UTF-8, when it names none) is refused, saying where."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding, said="its byte order mark")
    header = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type, re.IGNORECASE)
    if header:
        return _decode(data, _codec_name(header.group(1)), said="the Content-Type")
    start = data[:4096]
    declared = _XML_ENCODING.search(start) or _CHARSET.search(start)
    if declared:
        label = declared.group(1).decode("ascii")
        encoding = _codec_name(label)
        # A page read as bytes cannot be UTF-16 without a BOM; the HTML
        # standard reads such a declaration as UTF-8.
        return _decode(data, "utf-8" if encoding.startswith("utf_16") else encoding, said="its <meta charset>")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportProblem(
            f"the page is not UTF-8 (byte 0x{data[error.start : error.start + 1].hex().upper()} at position "
            f"{error.start:,}) and does not say which encoding it is in (no <meta charset>)"
        ) from None


def _codec_name(label: str) -> str:
    label = label.strip().lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        raise ImportProblem(f"the page says it is in the encoding {label!r}, which is not one we know") from None


def _decode(data: bytes, encoding: str, *, said: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        byte = data[error.start : error.start + 1].hex().upper()
        raise ImportProblem(
            f"the page is not in the encoding {said} names, {encoding}: byte 0x{byte} at position {error.start:,}"
        ) from None


def _date_params() -> dict:
    # Only dates the page states (meta tags, <time>, JSON-LD, the URL):
    # htmldate's extensive search also reads a footer's "© 2023" as
    # 2023-01-01, a date the article never had.
    return {"extensive_search": False, "original_date": True, "max_date": dt.date.today().isoformat()}


def block_paragraphs(body: HtmlElement) -> list[str]:
    """The text of trafilatura's output blocks as paragraphs, in order: one
    per <p>, heading, list, table or quoted paragraph, and one per run of
    text that a page split with blank lines (<br><br>) inside one block."""
    paragraphs: list[str] = []
    for element in body:
        if element.tag in ("quote", "div") and len(element) and all(child.tag in _BLOCKS for child in element):
            if (element.text or "").strip():
                paragraphs.extend(_split_blank_lines(_collapse(element.text)))
            paragraphs.extend(block_paragraphs(element))
            continue
        paragraphs.extend(_split_blank_lines(_block_text(element)))
    return paragraphs


def _block_text(element: HtmlElement) -> str:
    if element.tag == "list":
        items = (_inline_text(item).strip() for item in element.iter("item"))
        return "\n".join(f"- {item}" for item in items if item)
    if element.tag == "table":
        rows = (" | ".join(_inline_text(cell).strip() for cell in row.iter("cell")) for row in element.iter("row"))
        return "\n".join(row for row in rows if row.strip(" |"))
    if element.tag == "code":
        return "".join(element.itertext())
    return _inline_text(element)


def _inline_text(element: HtmlElement) -> str:
    """Text as a browser lays it out: runs of white space are one space, a
    <br> (trafilatura's <lb/>) is a line break."""
    pieces = [_collapse(element.text)]
    for child in element:
        pieces.append("\n" if child.tag == "lb" else _inline_text(child))
        pieces.append(_collapse(child.tail))
    return "".join(pieces)


def _collapse(text: str | None) -> str:
    return _SPACES.sub(" ", text or "")


def _split_blank_lines(text: str) -> list[str]:
    blocks = (
        "\n".join(line.strip() for line in block.split("\n") if line.strip()) for block in _BLANK_LINES.split(text)
    )
    return [block for block in blocks if block]


def _site_name(document, tree: HtmlElement) -> str:
    """The page's name for its outlet: og:site_name or the publisher
    trafilatura read, else what the <title> adds to the headline ("Blog:
    Headline", "Headline | Site"). trafilatura's fallback to the host name
    is no name of the site's own, and is left out."""
    site_name = (document.sitename or "").strip()
    hosts = {domains.url_host(document.url or ""), domains.bare_domain(document.hostname or "")}
    if site_name and domains.bare_domain(site_name) not in hosts:
        return site_name
    title = (document.title or "").strip()
    page_title = " ".join((tree.findtext(".//title") or "").split())
    for separator in _TITLE_SEPARATORS:
        if title and page_title.startswith(title + separator):
            return page_title[len(title + separator) :].strip()
        if title and page_title.endswith(separator + title):
            return page_title[: -len(separator + title)].strip()
    return ""


def _without_site_name(title: str, site_name: str) -> str:
    """ "Headline | CNN" as "Headline": og:title often carries the site's name."""
    for separator in _TITLE_SEPARATORS:
        if site_name and title.lower().endswith((separator + site_name).lower()):
            return title[: -len(separator + site_name)].strip()
        if site_name and title.lower().startswith((site_name + separator).lower()):
            return title[len(site_name + separator) :].strip()
    return title


def _page_url(canonical: str | None, *, fallback: str) -> str:
    """The page's canonical URL when it is a web address we can store,
    else the one it came from."""
    for candidate in (canonical or "", fallback):
        candidate = candidate.strip()
        if candidate and len(candidate) <= URL_LIMIT and candidate.split(":", 1)[0].lower() in ("http", "https"):
            try:
                URLValidator()(candidate)
            except ValidationError:
                continue
            return candidate
    return ""


def _iso_date(value: str | None) -> str:
    try:
        return dt.date.fromisoformat((value or "")[:10]).isoformat()
    except ValueError:
        return ""


def _language(detected: str | None, tree: HtmlElement) -> str:
    """A BCP 47 tag: trafilatura's, else <html lang>, else the page's
    Content-Language or og:locale ("en_GB" → "en-GB")."""
    meta = tree.xpath(
        "//meta[translate(@http-equiv, 'CONTENT-LANGUAGE', 'content-language')='content-language']/@content"
        " | //meta[@property='og:locale']/@content"
    )
    for value in (detected, tree.get("lang"), tree.get("xml:lang"), *meta):
        tag = (value or "").strip().replace("_", "-").split(",")[0].strip()
        if tag and len(tag) <= LANGUAGE_LIMIT and _LANGUAGE_TAG.fullmatch(tag):
            return tag
    return ""
