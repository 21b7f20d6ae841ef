"""doccano JSONL for sequence labelling (doccano 1.8: "JSONL" import and
export of a Sequence Labeling project).

One line per text: ``{"text": …, "label": [[start, end, "label"], …]}``,
offsets in characters (code points: doccano counts in Python, and its
browser side converts), end exclusive, as ours are. doccano keeps any other
key of an imported line as metadata and writes it back on export, so the
keys we add (title, source, url, reviewer, layer and the spans' notes) come
back through a doccano project.

Export writes a line per article and reviewer (or per article for the
consensus layer), so a model is trained on one person's reading at a time.
Import accepts doccano's own export (``label``, or ``entities`` objects from
a relation project), finds each article by its normalised text, or creates
it, and maps offsets through normalisation when the line's text is not yet
in our stored form (CRLF, decomposed accents).
"""

import json
from collections.abc import Iterator

from django.db.models import QuerySet

from annotate.actions.bulk_annotations import SpanDraft
from annotate.io import articles_in
from annotate.io.interop.drafts import ImportRejected, InteropReport, Lookups, text_field
from annotate.io.interop.rows import spans_by_article
from annotate.models import Annotation, Article
from annotate.rules import json_input, offsets

EXTRA_FIELDS = ("note", "speaker", "evidence_url", "decision_reason")
MAX_LINE_SPANS = 100_000


def export_chunks(queryset: QuerySet[Annotation]) -> Iterator[bytes]:
    for article, spans in spans_by_article(queryset):
        groups: dict[tuple[str, str], list] = {}
        for span in spans:
            groups.setdefault((span.layer, span.reviewer), []).append(span)
        lines = []
        for (layer, reviewer), group in sorted(groups.items()):
            line = {
                "id": article.pk,
                "text": article.text,
                "label": [[span.start, span.end, span.label] for span in group],
                "Comments": [],
                "title": article.title,
                "source": article.source,
                "url": article.url,
                "reviewer": reviewer,
                "layer": layer,
            }
            notes = [
                {
                    "start": s.start,
                    "end": s.end,
                    "label": s.label,
                    **{n: getattr(s, n) for n in EXTRA_FIELDS if getattr(s, n)},
                }
                for s in group
                if any(getattr(s, n) for n in EXTRA_FIELDS)
            ]
            if notes:
                line["notes"] = notes
            lines.append(json.dumps(line, ensure_ascii=False))
        yield ("\n".join(lines) + "\n").encode("utf-8")


def read_lines(data: bytes, *, default_reviewer: str | None = None, default_source: str | None = None):
    """A reader for ``drafts.run_import``; problems name the line (1-based)."""

    def read(report: InteropReport) -> tuple[list[SpanDraft], dict[int, str]]:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportRejected(f"the file is not UTF-8 (byte at position {error.start})") from None
        lookups = Lookups()
        drafts: list[SpanDraft] = []
        articles: dict[str, Article] = {}
        lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
        if not lines:
            raise ImportRejected("the file holds no lines")
        for number, line in lines:
            report.place = (number,)
            drafts.extend(_line_drafts(number, line, report, lookups, articles, default_reviewer, default_source))
        return drafts, {article.pk: article.text for article in articles.values() if article is not None}

    return read


def _line_drafts(
    number, line, report, lookups: Lookups, articles: dict, default_reviewer, default_source
) -> list[SpanDraft]:
    where = f"line {number}"
    try:
        item = json_input.parse(line, one_line=True)
    except json_input.JsonProblem as problem:
        report.fail(where, str(problem))
        return []
    if not isinstance(item, dict):
        report.fail(where, "each line must be a JSON object with text and label")
        return []
    if isinstance(item.get("meta"), dict):
        # doccano versions differ in whether kept metadata comes back at the
        # top level or under "meta"; read both, the top level winning.
        item = {**item["meta"], **item}
    raw = item.get("text", item.get("data"))
    if not isinstance(raw, str) or not raw.strip():
        report.fail(where, "text must be the article's text")
        return []
    spans = _spans_of(item, where, report)
    if spans is None:
        return []
    report.total += len(spans)
    try:
        reviewer = lookups.user(_reviewer_of(item) or default_reviewer)
    except ValueError as error:
        report.fail(where, str(error))
        return []
    layer = item.get("layer") or Annotation.Layer.REVIEWER
    if layer not in Annotation.Layer.values:
        report.fail(where, f"layer must be reviewer or consensus, got {layer!r}")
        return []
    mapping = offsets.NormalisationMap(raw)
    article = _article_for(item, mapping, where, report, default_source, articles)
    if article is None:
        return []
    notes = _notes_of(item, where, report)
    drafts = []
    for index, (start, end, label_name) in enumerate(spans, start=1):
        span_where = f"{where}, span {index}"
        report.place = (number, index)
        try:
            label = lookups.label(label_name)
            mapped = mapping.map(start, end)
        except (ValueError, offsets.SpanError) as error:
            report.fail(span_where, str(error))
            continue
        extra = notes.get((start, end, label_name), {})
        drafts.append(
            SpanDraft(
                where=span_where,
                order=(number, index),
                article_id=article.pk,
                label_id=label.pk,
                start=mapped.start,
                end=mapped.end,
                quote=article.text[mapped.start : mapped.end],
                reviewer=reviewer,
                layer=layer,
                **{name: text_field(report, span_where, name, extra.get(name)) for name in EXTRA_FIELDS},
            )  # fmt: skip
        )
    return drafts


def _spans_of(item: dict, where: str, report: InteropReport) -> list[tuple] | None:
    """[(start, end, label)] from ``label``/``labels`` triples or ``entities`` objects."""
    if "entities" in item and "label" not in item:
        raw = item["entities"]
        if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
            report.fail(where, "entities must be a list of objects with start_offset, end_offset and label")
            return None
        triples = [[e.get("start_offset"), e.get("end_offset"), e.get("label")] for e in raw]
    else:
        triples = item.get("label", item.get("labels", []))
    if not isinstance(triples, list):
        report.fail(where, "label must be a list of [start, end, label]")
        return None
    if len(triples) > MAX_LINE_SPANS:
        report.fail(where, f"more than {MAX_LINE_SPANS:,} spans on one line")
        return None
    spans = []
    for index, triple in enumerate(triples, start=1):
        if isinstance(triple, str):
            report.fail(where, "label holds plain labels: this is a text-classification file, not sequence labelling")
            return None
        ok = (
            isinstance(triple, list)
            and len(triple) == 3
            and all(isinstance(v, int) and not isinstance(v, bool) for v in triple[:2])
        )
        if not ok:
            report.fail(f"{where}, span {index}", f"expected [start, end, label], got {json.dumps(triple)[:80]}")
            continue
        spans.append(tuple(triple))
    return spans


def _reviewer_of(item: dict) -> str | None:
    for key in ("reviewer", "username", "user"):
        if isinstance(item.get(key), str) and item[key]:
            return item[key]
    return None


def _notes_of(item: dict, where: str, report: InteropReport) -> dict[tuple, dict]:
    notes = item.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, dict) for n in notes):
        report.fail(where, "notes must be a list of objects")
        return {}
    return {(n.get("start"), n.get("end"), n.get("label")): n for n in notes}


def _article_for(item: dict, mapping, where: str, report: InteropReport, default_source, articles: dict):
    """The article with this text, or a new one made through the same
    import path as files (normalised, validated). ``articles`` keeps each
    by fingerprint: lines of one text (one per reviewer) look it up once."""
    fingerprint = Article.fingerprint(mapping.normal)
    if fingerprint not in articles:
        articles[fingerprint] = Article.objects.filter(sha256=fingerprint).first()
    article = articles[fingerprint]
    if article is not None:
        return article
    metadata = {}
    for key in ("title", "source", "url", "byline", "published", "language"):
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            report.fail(where, f"{key} must be text")
            return None
        metadata[key] = value or ""
    metadata["source"] = metadata["source"] or default_source or ""
    record = articles_in.ArticleRecord(text=mapping.raw, original_filename=f"doccano-{fingerprint[:12]}", **metadata)
    try:
        article, _ = articles_in.article_import(record)
    except articles_in.ImportProblem as problem:
        report.fail(where, str(problem))
        return None
    report.articles_created += 1
    articles[fingerprint] = article
    return article
