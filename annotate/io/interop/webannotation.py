"""W3C Web Annotation (https://www.w3.org/TR/annotation-model/) as JSON-LD.

An export is one ``AnnotationCollection`` whose first (and only) page holds
every annotation. Each targets its article (the article's URL, or a URN made
from the fingerprint of its text when it has none) through two selectors:
a ``TextPositionSelector`` in code points, as our offsets are, and a
``TextQuoteSelector`` (exact, prefix, suffix), so a reader whose copy of the
text differs can still find the span. Bodies carry the label (``tagging``),
the note (``commenting``), a quote's speaker (``identifying``), the evidence
link (``linking``) and a consensus decision's reason (``assessing``); the
layer and the text's fingerprint are Sourcemark terms in our own namespace.

``read_collection`` takes such a file back: positions are used when they
still hold the quote, otherwise the quote is re-anchored
(``offsets.reanchor``); a quote that is nowhere in the text is an error.
"""

import datetime as dt
import json
import uuid
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime

from annotate.actions.bulk_annotations import SpanDraft
from annotate.io.interop.drafts import ImportRejected, InteropReport, Lookups, text_field
from annotate.io.interop.rows import ArticleRow, SpanRow, spans_by_article
from annotate.models import PLACED, Annotation, Article, ArticleVersion
from annotate.rules import json_input, offsets
from annotate.rules.domains import comparable_url

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
SOURCEMARK_NS = "urn:sourcemark:terms:"
# ``assessing`` is a Web Annotation motivation that older copies of the anno
# context do not define as a term; defining it here (oa: is the context's
# own prefix) makes the purpose expand to oa:assessing whichever copy a
# consumer has.
CONTEXT = [ANNO_CONTEXT, {"sourcemark": SOURCEMARK_NS, "assessing": "oa:assessing"}]
ARTICLE_URN = "urn:sourcemark:article:sha256:"
ANNOTATION_URN = "urn:sourcemark:annotation:"
USER_URN = "urn:sourcemark:user:"
# Bodies by purpose, and the SpanDraft field each fills on import.
TEXT_PURPOSES = {"commenting": "note", "identifying": "speaker", "assessing": "decision_reason"}


def article_target_source(article: ArticleRow | Article) -> str:
    return article.url or f"{ARTICLE_URN}{article.sha256}"


def annotation_json(article: ArticleRow, span: SpanRow) -> dict:
    prefix, suffix = offsets.quote_context(article.text, span.start, span.end)
    body = [{"type": "TextualBody", "purpose": "tagging", "value": span.label}]
    for purpose, name in TEXT_PURPOSES.items():
        value = getattr(span, name)
        if value:
            body.append({"type": "TextualBody", "purpose": purpose, "value": value, "format": "text/plain"})
    if span.evidence_url:
        body.append({"type": "SpecificResource", "purpose": "linking", "source": span.evidence_url})
    creator = {"id": f"{USER_URN}{span.reviewer}", "type": "Person", "nickname": span.reviewer}
    if span.reviewer_name:
        creator["name"] = span.reviewer_name
    return {
        "id": f"{ANNOTATION_URN}{span.pk}",
        "type": "Annotation",
        "motivation": "classifying",
        "created": _timestamp(span.created_at),
        "modified": _timestamp(span.updated_at),
        "creator": creator,
        "body": body,
        "target": {
            "source": article_target_source(article),
            "sourcemark:sha256": article.sha256,
            # The positions count in this text of the article (the page at
            # ``source`` may have changed since): its fingerprint and version.
            "state": {
                "id": f"{ARTICLE_URN}{article.sha256}",
                "type": "sourcemark:TextVersion",
                "sourcemark:version": article.text_version,
            },
            "selector": [
                {"type": "TextPositionSelector", "start": span.start, "end": span.end},
                {"type": "TextQuoteSelector", "exact": span.quote, "prefix": prefix, "suffix": suffix},
            ],
        },
        "sourcemark:layer": span.layer,
    }


def _timestamp(value) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def export_chunks(queryset: QuerySet[Annotation]) -> Iterator[bytes]:
    """The collection, streamed: the header, then one annotation per line.

    The collection and its page each have an IRI (model 5.1 and 5.2: they
    MUST), a ``urn:uuid:`` made for this export. A page MUST have at least
    one item, so an export that matches nothing is a collection with
    ``total`` 0 and no page."""
    total = queryset.filter(PLACED).count()
    collection_id = f"urn:uuid:{uuid.uuid4()}"
    head = {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": "Sourcemark annotations",
        "generator": {"type": "Software", "name": "Sourcemark"},
        "generated": _timestamp(dt.datetime.now(dt.UTC)),
        "total": total,
    }
    if not total:
        yield (json.dumps(head, ensure_ascii=False, indent=1) + "\n").encode()
        return
    opening = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    page = {"id": f"urn:uuid:{uuid.uuid4()}", "type": "AnnotationPage", "partOf": collection_id, "startIndex": 0}
    yield (opening + ',\n "first": ' + json.dumps(page, ensure_ascii=False)[:-1] + ', "items": [').encode()
    first = True
    for article, spans in spans_by_article(queryset):
        lines = [json.dumps(annotation_json(article, span), ensure_ascii=False) for span in spans]
        yield (("\n" if first else ",\n") + ",\n".join(lines)).encode("utf-8")
        first = False
    yield b"\n]}\n}\n"


# ---------------------------------------------------------------- import


def read_collection(data: bytes, *, default_reviewer: str | None = None):
    """A reader for ``drafts.run_import``: the annotations of a W3C file as
    drafts, each problem recorded against "annotation N" (1-based, in file
    order) with its id when it has one."""

    def read(report: InteropReport) -> tuple[list[SpanDraft], dict[int, str]]:
        items = _annotations_in(_parse(data))
        report.total = len(items)
        lookups = Lookups()
        articles = _ArticleFinder()
        drafts = []
        texts: dict[int, str] = {}
        for number, item in enumerate(items, start=1):
            where = f"annotation {number}"
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                where += f" ({item['id']})"
            report.place = (number,)
            draft = _draft(item, where, report, lookups, articles, default_reviewer, texts)
            if draft is not None:
                drafts.append(draft)
        return drafts, texts

    return read


def _parse(data: bytes):
    try:
        return json_input.parse(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ImportRejected(f"the file is not UTF-8 (byte at position {error.start})") from None
    except json_input.JsonProblem as problem:
        raise ImportRejected(str(problem)) from None


def _annotations_in(document) -> list:
    """The annotations of a collection (with its first page embedded), a
    page, a list of annotations or one annotation."""
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        raise ImportRejected("expected a W3C AnnotationCollection, AnnotationPage or Annotation object")
    kind = _kind(document.get("type"))
    if kind == "AnnotationCollection":
        page = document.get("first")
        if isinstance(page, str):
            raise ImportRejected(
                f"the collection's first page is only named ({page}), not embedded: fetch the whole collection "
                "(every page) and import it as one file whose first page holds every item"
            )
        if document.get("total") == 0 and page is None:
            return []
        if isinstance(page, dict) and isinstance(page.get("items"), list):
            if page.get("next"):
                raise ImportRejected("the collection is split into pages; import one file that embeds all items")
            return page["items"]
        if isinstance(document.get("items"), list):
            return document["items"]
        raise ImportRejected("the AnnotationCollection has no embedded first page with items")
    if kind == "AnnotationPage":
        if isinstance(document.get("items"), list):
            return document["items"]
        raise ImportRejected("the AnnotationPage has no items")
    if kind == "Annotation":
        return [document]
    raise ImportRejected(f"expected a W3C AnnotationCollection, AnnotationPage or Annotation, got type {kind!r}")


# The W3C types a file may give, as the protocol's containers send them
# ("type": ["BasicContainer", "AnnotationCollection"]): the one we read.
_KINDS = ("AnnotationCollection", "AnnotationPage", "Annotation")


def _kind(value):
    """The W3C type a ``type`` value names: a string, or the one of ours in
    a list of types (others, such as ldp:BasicContainer, are ignored)."""
    if isinstance(value, list):
        ours = [kind for kind in value if kind in _KINDS]
        return ours[0] if len(ours) == 1 else value
    return value


class _ArticleFinder:
    """Articles by the fingerprint of their text (our URN or term), else by URL."""

    def __init__(self):
        self.by_hash: dict[str, Article | None] = {}
        self.by_url: dict[str, list[Article]] = {}

    def find(self, target: dict) -> Article:
        fingerprint = target.get("sourcemark:sha256")
        source = target.get("source")
        if not isinstance(fingerprint, str) and isinstance(source, str) and source.startswith(ARTICLE_URN):
            fingerprint = source.removeprefix(ARTICLE_URN)
        if isinstance(fingerprint, str) and fingerprint:
            if fingerprint not in self.by_hash:
                # The current text's, else an earlier version's: the
                # annotation was made on that text, and its quote finds
                # the words in the current one.
                found = Article.objects.filter(sha256=fingerprint).first()
                if found is None:
                    version = ArticleVersion.objects.filter(sha256=fingerprint).select_related("article").first()
                    found = version.article if version is not None else None
                self.by_hash[fingerprint] = found
            if self.by_hash[fingerprint] is not None:
                return self.by_hash[fingerprint]
        if not isinstance(source, str) or not source:
            raise ValueError("the target names no article (target.source)")
        if source.startswith(ARTICLE_URN):
            raise ValueError(f"no article has the text {source} names; import the article first")
        if source not in self.by_url:
            # As two addresses of one page compare (trackers, www., http/https).
            key = comparable_url(source)
            self.by_url[source] = list(Article.objects.filter(url_key=key)[:2]) if key else []
        found = self.by_url[source]
        if not found:
            raise ValueError(f"no article has the URL {source}; import the article first")
        if len(found) > 1:
            raise ValueError(f"more than one article has the URL {source}; the file must name the text's sha256")
        return found[0]


def _draft(
    item, where, report, lookups: Lookups, articles: _ArticleFinder, default_reviewer, texts: dict[int, str]
) -> SpanDraft | None:
    if not isinstance(item, dict):
        report.fail(where, "an annotation must be a JSON object")
        return None
    target = item.get("target")
    if isinstance(target, list):
        target = target[0] if len(target) == 1 else None
    if not isinstance(target, dict):
        report.fail(where, "target must be one object with a source and selectors")
        return None
    try:
        article = articles.find(target)
    except ValueError as error:
        report.fail(where, str(error))
        return None
    bodies = item.get("body", [])
    bodies = list(bodies) if isinstance(bodies, list) else [bodies]
    if "bodyValue" in item:
        # Model 3.2.5: a plain text body with no other properties; ours is the note.
        if not isinstance(item["bodyValue"], str):
            report.fail(where, "bodyValue must be a string")
            return None
        if any(isinstance(b, dict) and b.get("purpose") == "commenting" for b in bodies):
            report.fail(where, "has both bodyValue and a commenting body; give the note once")
            return None
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": item["bodyValue"]})
    tags = [b.get("value") for b in bodies if isinstance(b, dict) and b.get("purpose") in ("tagging", "classifying")]
    if len(tags) != 1:
        report.fail(where, f"needs exactly one tagging body naming the label, found {len(tags)}")
        return None
    try:
        label = lookups.label(tags[0])
        reviewer = lookups.user(_creator_name(item.get("creator")) or default_reviewer)
    except ValueError as error:
        report.fail(where, str(error))
        return None
    span = _locate(article.text, target.get("selector"), where, report)
    if span is None:
        return None
    layer = item.get("sourcemark:layer", Annotation.Layer.REVIEWER)
    if layer not in Annotation.Layer.values:
        report.fail(where, f"sourcemark:layer must be reviewer or consensus, got {layer!r}")
        return None
    values = dict.fromkeys(TEXT_PURPOSES.values(), "")
    for body in bodies:
        if isinstance(body, dict) and body.get("purpose") in TEXT_PURPOSES:
            name = TEXT_PURPOSES[body["purpose"]]
            values[name] = text_field(report, where, name, body.get("value"))
    links = [b.get("source", b.get("id")) for b in bodies if isinstance(b, dict) and b.get("purpose") == "linking"]
    evidence = text_field(report, where, "evidence_url", links[0]) if links else ""
    created, modified = _time(item.get("created"), where, report), _time(item.get("modified"), where, report)
    texts[article.pk] = article.text
    return SpanDraft(
        where=where, order=report.place, article_id=article.pk, label_id=label.pk, start=span.start, end=span.end,
        quote=article.text[span.start : span.end], reviewer=reviewer, layer=layer, evidence_url=evidence,
        created_at=created, updated_at=modified or created, **values,
    )  # fmt: skip


def _creator_name(creator) -> str | None:
    if isinstance(creator, list):
        creator = creator[0] if creator else None
    if isinstance(creator, str):
        return creator.removeprefix(USER_URN)
    if isinstance(creator, dict):
        for key in ("nickname", "id"):
            value = creator.get(key)
            if isinstance(value, str) and value:
                return value.removeprefix(USER_URN)
    return None


def _locate(text: str, selectors, where: str, report: InteropReport) -> offsets.Extent | None:
    """The span the selectors describe, preferring positions that still hold
    the quote, then the quote re-anchored; None (with the error recorded)
    when neither works."""
    selectors = selectors if isinstance(selectors, list) else [selectors]
    position = next((s for s in selectors if isinstance(s, dict) and s.get("type") == "TextPositionSelector"), None)
    quote = next((s for s in selectors if isinstance(s, dict) and s.get("type") == "TextQuoteSelector"), None)
    start = end = None
    if position is not None:
        start, end = position.get("start"), position.get("end")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            report.fail(where, "TextPositionSelector start and end must be whole numbers")
            return None
    if quote is None:
        if position is None:
            report.fail(where, "no TextPositionSelector or TextQuoteSelector")
            return None
        try:
            # Whether the span may split a character is Annotation.clean's
            # call: a span stored before that rule may come back as it is.
            offsets.validate_span(text, start, end, whole_graphemes=False)
        except offsets.SpanError as error:
            report.fail(where, str(error))
            return None
        return offsets.Extent(start, end)
    exact, prefix, suffix = quote.get("exact"), quote.get("prefix", ""), quote.get("suffix", "")
    if not isinstance(exact, str) or not exact or not isinstance(prefix, str) or not isinstance(suffix, str):
        report.fail(where, "TextQuoteSelector needs a non-empty exact (and text prefix and suffix)")
        return None
    # A file written on another system may hold CRLF or decomposed accents;
    # the quote and its context are pieces of a text, so a leading U+FEFF is
    # kept (normalise_text would strip it as a byte order mark).
    exact, prefix, suffix = (offsets.normalise_piece(part) for part in (exact, prefix, suffix))
    try:
        span = offsets.reanchor(text, exact, prefix=prefix, suffix=suffix, start=start)
    except offsets.SpanError as error:
        report.fail(where, f"cannot re-anchor: {error}")
        return None
    if span.start != start or (end is not None and span.end != end):
        report.reanchored += 1
    return span


def _time(value, where: str, report: InteropReport) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well-formed but impossible, like month 13
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        report.fail(where, f"{value!r} is not a date-time with a time zone, like 2024-03-05T10:00:00Z")
        return None
    return parsed
