"""STAND-IN, replaced at merge: the documents branch writes the real
``read_document`` (trafilatura extraction of saved and fetched web pages
with their metadata, PDF through pypdf, the outlet matched by the URL's
domain), with this same signature. It exists only so the URL-fetch branch
runs before that one lands; nothing else belongs in this file.

What it does, simply and honestly: an HTML page's main text and title,
byline and site name through trafilatura, paragraphs one blank line apart;
anything else is refused with a reason.
"""

from urllib.parse import urlsplit

import trafilatura

from annotate.io.articles_in import ArticleRecord, ImportProblem


def read_document(data: bytes, *, name: str, url: str = "", content_type: str = "") -> ArticleRecord:
    """The article a document's bytes hold, not yet normalised (that is
    ``articles_in.article_import``'s work). Raises ImportProblem saying why
    when there is no article to be had."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/pdf" or data.startswith(b"%PDF-"):
        raise ImportProblem("PDF files cannot be imported yet")
    if kind not in ("", "text/html", "application/xhtml+xml") and not name.lower().endswith((".html", ".htm")):
        raise ImportProblem(f"{kind or 'this kind of file'} is not a web page")
    text = trafilatura.extract(data, url=url or None, output_format="txt", include_comments=False)
    if not text or not text.strip():
        raise ImportProblem("the page has no article text")
    metadata = trafilatura.extract_metadata(data, default_url=url or None)
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return ArticleRecord(
        text="\n\n".join(paragraphs),
        original_filename=name,
        title=(metadata.title if metadata else "") or "",
        byline=(metadata.author if metadata else "") or "",
        source=(metadata.sitename if metadata else "") or host,
        url=url,
        published=(metadata.date if metadata else "") or "",
        language=(metadata.language if metadata else "") or "",
    )
