"""An article as a reader hands it over, and the one reason type every
article reader raises. Kept apart from ``articles_in`` so the document
readers (``documents``, ``web_pages``, ...) and ``articles_in`` can all
use them without importing each other."""

from dataclasses import dataclass


class ImportProblem(Exception):
    """A file or record that cannot be imported; the message says why."""


@dataclass
class ArticleRecord:
    """An article as read from a file, before normalisation."""

    text: str
    original_filename: str = ""
    title: str = ""
    source: str = ""
    byline: str = ""
    url: str = ""
    published: str = ""
    language: str = ""
    # The page's own name for its outlet (og:site_name, say): not a source
    # the record names, but what the outlet is matched by when it names none.
    site_name: str = ""


def decode_article_bytes(data: bytes) -> str:
    """Decode a file's bytes as UTF-8, refusing anything else by name."""
    if not data.strip():
        raise ImportProblem("the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportProblem("the file is UTF-16; save it as UTF-8 and import it again")
    if b"\x00" in data[:8192]:
        raise ImportProblem("the file is binary, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex().upper()
        raise ImportProblem(
            f"the file is not UTF-8 (byte 0x{bad} at position {error.start}); save it as UTF-8 and import it again"
        ) from None
    if "\x00" in text:
        raise ImportProblem("the file is binary, not text")
    # Excel's "CSV UTF-8" and Notepad start files with a BOM; left in, it
    # would glue itself to the first CSV header or break json.loads.
    return text.removeprefix("\ufeff")
