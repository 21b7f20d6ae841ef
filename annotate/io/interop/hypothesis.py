"""Hypothesis (https://web.hypothes.is) annotations, read and written.

Read: the shapes Hypothesis itself produces. Its API's search response
(``{"total", "rows"}``, h ``views/api/annotations.py``), the client's JSON
export (``{"export_date", "export_userid", "client_version",
"annotations"}``, client ``services/annotations-exporter.tsx``), a list of
annotations or one, and its JSON-LD (h ``presenters/annotation_jsonld.py``:
``creator: "acct:alice@hypothes.is"``, the comment as an untagged
``TextualBody``, each tag a ``tagging`` body). An annotation's ``uri`` (or
its target's ``source``) finds the article by address as two addresses of
one page compare (``domains.comparable_url``: scheme, ``www.``, trailing
slash, trackers). Its positions count UTF-16 units of the whole page's
``textContent`` (client ``types/api.ts``), navigation and all, so they are
only a hint: the span is found again by its ``TextQuoteSelector`` (the
quote, then its prefix and suffix to choose among repeats), a quote whose
spaces and line breaks differ from the stored text's (the page's
indentation) still matching. The comment (``text``) is the note; each tag
is a label (``label_map`` for tags that are not our labels' names); the
creator is a user through ``user_map`` (``acct:alice@hypothes.is=ana``), or
the default reviewer. Replies, page notes (no quote) and untagged
annotations are left out and counted.

Write: the client's export shape, which its "Import annotations" reads
(client ``helpers/import.ts``: an object with an ``annotations`` list; the
import keeps ``target``, ``tags``, ``text``, ``uri``, ``document`` and
whether ``permissions.read`` names a group): one annotation per span,
private (no group can read it), its label as the tag, its note as the
text, a ``TextQuoteSelector`` with context and a ``TextPositionSelector``
in UTF-16 units of our text, the creator ``acct:USERNAME@sourcemark``,
and what Hypothesis has no field for (layer, speaker, evidence,
decision) under ``sourcemark``, which h keeps as an annotation's extra
fields and our import reads back.
"""

import datetime as dt
import json
import re
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime

from annotate.actions.bulk_annotations import SpanDraft
from annotate.io.interop.drafts import ImportRejected, InteropReport, Lookups, text_field
from annotate.io.interop.rows import spans_by_article, stable_span_id
from annotate.models import Annotation, Article
from annotate.rules import domains, json_input, offsets

# The authority our export's creators are in: acct:ana@sourcemark is our ana.
AUTHORITY = "sourcemark"
EXTRA_FIELDS = ("speaker", "evidence_url", "decision_reason")

# ---------------------------------------------------------------- export


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def export_chunks(queryset: QuerySet[Annotation]) -> Iterator[bytes]:
    """The client's export file, streamed an annotation per line."""
    head = {
        "export_date": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
        "export_userid": "",
        "client_version": "Sourcemark",
    }
    yield json.dumps(head)[:-1].encode() + b', "annotations": ['
    separator = b"\n"
    for article, spans in spans_by_article(queryset):
        units = offsets.Utf16Map(article.text)
        for span in spans:
            user = f"acct:{span.reviewer}@{AUTHORITY}"
            prefix, suffix = offsets.quote_context(article.text, span.start, span.end)
            item = {
                "id": stable_span_id(article, span),
                "created": _timestamp(span.created_at),
                "updated": _timestamp(span.updated_at),
                "user": user,
                "uri": article.url,
                "text": span.note,
                "tags": [span.label],
                # Private: readable by its author only, shared with no group.
                "permissions": {"read": [user], "update": [user], "delete": [user], "admin": [user]},
                "target": [{
                    "source": article.url,
                    "selector": [
                        {"type": "TextPositionSelector", "start": units.to_utf16(span.start),
                         "end": units.to_utf16(span.end)},
                        {"type": "TextQuoteSelector", "exact": span.quote, "prefix": prefix, "suffix": suffix},
                    ],
                }],
                "document": {"title": [article.title]},
                "user_info": {"display_name": span.reviewer_name or span.reviewer},
                "sourcemark": {
                    "layer": span.layer, "article_sha256": article.sha256,
                    **{name: getattr(span, name) for name in EXTRA_FIELDS if getattr(span, name)},
                },
            }  # fmt: skip
            yield separator + json.dumps(item, ensure_ascii=False).encode("utf-8")
            separator = b",\n"
    yield b"\n]}\n"


# ---------------------------------------------------------------- import


def looks_like_hypothesis(data: bytes) -> bool:
    """Whether a .json or .jsonld file is Hypothesis's: an API search
    response, the client's export, or annotations with an ``acct:`` user
    or creator."""
    try:
        document = json_input.parse(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json_input.JsonProblem):
        return False
    if isinstance(document, dict):
        if isinstance(document.get("rows"), list) and "total" in document:
            return True
        if isinstance(document.get("annotations"), list) and "export_userid" in document:
            return True
    first = document[0] if isinstance(document, list) and document else document
    if not isinstance(first, dict):
        return False
    who = first.get("user", first.get("creator"))
    return isinstance(who, str) and who.startswith("acct:")


def read_annotations(
    data: bytes,
    *,
    default_reviewer: str | None = None,
    user_map: dict[str, str] | None = None,
    label_map: dict[str, str] | None = None,
):
    """A reader for ``drafts.run_import``; problems name the annotation
    (1-based, in file order) and its Hypothesis id."""

    def read(report: InteropReport) -> tuple[list[SpanDraft], dict[int, str]]:
        items = _annotations_in(_parse(data), report)
        reader = _Reader(report, Lookups(label_map=label_map), user_map or {}, default_reviewer)
        for number, item in enumerate(items, start=1):
            where = f"annotation {number}"
            if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
                where += f" ({item['id']})"
            report.place = (number,)
            reader.annotation(where, item)
        return reader.drafts, reader.texts

    return read


def _parse(data: bytes):
    try:
        return json_input.parse(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ImportRejected(f"the file is not UTF-8 (byte at position {error.start})") from None
    except json_input.JsonProblem as problem:
        raise ImportRejected(str(problem)) from None


def _annotations_in(document, report: InteropReport) -> list:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        if isinstance(document.get("rows"), list):
            # An API search with _separate_replies lists the replies apart.
            if isinstance(document.get("replies"), list) and document["replies"]:
                report.leave_out("reply(ies)", len(document["replies"]))
            return document["rows"]
        if isinstance(document.get("annotations"), list):
            return document["annotations"]
        if "target" in document:
            return [document]
    raise ImportRejected(
        "expected Hypothesis annotations: an API search response (total, rows), the client's export "
        "(annotations), a list of annotations or one"
    )


class _Reader:
    def __init__(self, report: InteropReport, lookups: Lookups, user_map: dict[str, str], default_reviewer):
        self.report, self.lookups = report, lookups
        self.user_map, self.default_reviewer = user_map, default_reviewer
        self.drafts: list[SpanDraft] = []
        self.texts: dict[int, str] = {}
        self.articles: dict[str, Article | None] = {}
        # Each article's UTF-16 positions, built once for all its annotations.
        self.units: dict[int, offsets.Utf16Map] = {}

    def annotation(self, where: str, item) -> None:
        report = self.report
        if not isinstance(item, dict):
            report.fail(where, "an annotation must be a JSON object")
            return
        if item.get("references"):
            report.leave_out("reply(ies)")
            return
        jsonld = "body" in item or "creator" in item
        target = item.get("target")
        if isinstance(target, list):
            target = target[0] if target else None
        if not isinstance(target, dict):
            report.fail(where, "target must be a list holding one object with a source and selectors")
            return
        selectors = target.get("selector") or []
        selectors = selectors if isinstance(selectors, list) else [selectors]
        quote = next((s for s in selectors if isinstance(s, dict) and s.get("type") == "TextQuoteSelector"), None)
        if quote is None:
            report.leave_out("page note(s)")
            return
        tags, note = _tags_and_note(item, jsonld)
        if tags is None or note is None:
            report.fail(where, "tags must be a list of texts and the comment (text) a text")
            return
        if not tags:
            report.leave_out("untagged annotation(s)")
            return
        labels = []
        for tag in tags:
            try:
                labels.append(self.lookups.label(tag))
            except ValueError as error:
                report.fail(where, f"tag {tag!r}: {error}; map it (--label-map {tag}=SLUG)")
        try:
            reviewer = self._reviewer(item.get("creator" if jsonld else "user"))
        except ValueError as error:
            report.fail(where, str(error))
            return
        url = target.get("source") if isinstance(target.get("source"), str) else item.get("uri")
        extra = item.get("sourcemark") if isinstance(item.get("sourcemark"), dict) else {}
        article = self._article(url, extra.get("article_sha256"), where)
        if article is None or len(labels) != len(tags):
            return
        if article.pk not in self.units:
            self.units[article.pk] = offsets.Utf16Map(article.text)
        span = self._anchor(article.text, self.units[article.pk], quote, selectors, where)
        if span is None:
            return
        created = self._time(item.get("created"), where)
        updated = self._time(item.get("modified" if jsonld else "updated"), where)
        layer = extra.get("layer", Annotation.Layer.REVIEWER)
        if layer not in Annotation.Layer.values:
            report.fail(where, f"sourcemark.layer must be reviewer or consensus, got {layer!r}")
            return
        values = {name: text_field(report, where, name, extra.get(name)) for name in EXTRA_FIELDS}
        self.texts[article.pk] = article.text
        for label in labels:
            self.drafts.append(
                SpanDraft(
                    where=where,
                    order=report.place,
                    article_id=article.pk,
                    label_id=label.pk,
                    start=span.start,
                    end=span.end,
                    quote=article.text[span.start : span.end],
                    reviewer=reviewer,
                    layer=layer,
                    note=note,
                    created_at=created,
                    updated_at=updated or created,
                    **values,
                )  # fmt: skip
            )

    def _reviewer(self, creator):
        if isinstance(creator, dict):
            creator = creator.get("id") or creator.get("nickname")
        if not isinstance(creator, str) or not creator:
            if self.default_reviewer:
                return self.lookups.user(self.default_reviewer)
            raise ValueError("the annotation names no creator (user); give a default reviewer")
        for key in (creator, creator.removeprefix("acct:")):
            if key in self.user_map:
                return self.lookups.user(self.user_map[key])
        account = re.fullmatch(r"acct:([^@]+)@(.+)", creator)
        if account and account.group(2) == AUTHORITY:
            # Our own export's creators are our usernames.
            return self.lookups.user(account.group(1))
        if self.default_reviewer:
            return self.lookups.user(self.default_reviewer)
        raise ValueError(
            f"creator {creator!r} is no Sourcemark user: map it (--user-map {creator}=USERNAME) or give a default "
            "reviewer"
        )

    def _article(self, url, fingerprint, where: str) -> Article | None:
        """The article by the text our own export names, else by the page's address."""
        if isinstance(fingerprint, str) and fingerprint:
            if fingerprint not in self.articles:
                self.articles[fingerprint] = Article.objects.filter(sha256=fingerprint).first()
            if self.articles[fingerprint] is not None:
                return self.articles[fingerprint]
        if not isinstance(url, str) or not url:
            self.report.fail(where, "the annotation names no page (uri, target.source)")
            return None
        key = domains.comparable_url(url)
        if not key:
            self.report.fail(where, f"{url!r} is not a web page's address, which is how articles are found")
            return None
        if key not in self.articles:
            # The newest of several with that address, as the article import takes it.
            found = Article.objects.filter(url_key=key).order_by("-text_recorded_at", "-id").first()
            self.articles[key] = found
        if self.articles[key] is None:
            self.report.fail(where, f"no article has the address {url}; import the article first")
        return self.articles[key]

    def _anchor(self, text: str, units, quote: dict, selectors: list, where: str) -> offsets.Extent | None:
        exact, prefix, suffix = quote.get("exact"), quote.get("prefix") or "", quote.get("suffix") or ""
        if not (isinstance(exact, str) and exact and isinstance(prefix, str) and isinstance(suffix, str)):
            self.report.fail(where, "the TextQuoteSelector needs a quote (exact) and text prefix and suffix")
            return None
        exact, prefix, suffix = (offsets.normalise_piece(part) for part in (exact, prefix, suffix))
        position = next((s for s in selectors if isinstance(s, dict) and s.get("type") == "TextPositionSelector"), None)
        hint = None
        if position is not None and isinstance(position.get("start"), int):
            try:
                hint = units.to_codepoint(position["start"])
            except offsets.SpanError:
                hint = None
        try:
            span = offsets.reanchor(text, exact, prefix=prefix, suffix=suffix, start=hint)
        except offsets.SpanError:
            span = reanchor_across_spaces(text, exact, prefix=prefix, suffix=suffix, start=hint)
        if span is None:
            self.report.fail(where, f"cannot place the quote {exact[:60]!r}: it is nowhere in the article's text")
            return None
        if span.start != hint:
            self.report.reanchored += 1
        return span

    def _time(self, value, where: str) -> dt.datetime | None:
        if value is None:
            return None
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.report.fail(where, f"{value!r} is not a date-time with a time zone, like 2024-03-05T10:00:00+00:00")
            return None
        return parsed


def _tags_and_note(item: dict, jsonld: bool) -> tuple[list | None, str | None]:
    """(tags, comment) of an API annotation, or of JSON-LD's bodies; None
    for either when it is not what Hypothesis writes."""
    if not jsonld:
        tags, note = item.get("tags", []), item.get("text", "")
    else:
        bodies = item.get("body", [])
        bodies = [b for b in (bodies if isinstance(bodies, list) else [bodies]) if isinstance(b, dict)]
        tags = [b.get("value") for b in bodies if b.get("purpose") == "tagging"]
        comments = [b.get("value") for b in bodies if b.get("purpose") in (None, "commenting")]
        note = comments[0] if comments else ""
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        tags = None
    return tags, note if isinstance(note, str) else None


def reanchor_across_spaces(
    text: str, exact: str, *, prefix: str = "", suffix: str = "", start: int | None = None
) -> offsets.Extent | None:
    """Where ``exact`` sits in ``text`` when their spaces differ: a page's
    ``textContent`` keeps the indentation and line breaks of its HTML,
    while an article's text has a paragraph's words one space apart. Each
    run of white space in the quote matches any run in the text; among
    several matches the one whose surroundings (spaces folded alike) best
    match the prefix and suffix wins, ties going to the one nearest
    ``start``. None when the words do not occur at all."""
    words = exact.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    fold = re.compile(r"\s+")
    want_before, want_after = fold.sub(" ", prefix).rstrip(), fold.sub(" ", suffix).lstrip()
    hint = start if isinstance(start, int) and start >= 0 else 0

    def score(match) -> tuple[int, int]:
        before = fold.sub(" ", text[max(0, match.start() - len(prefix)) : match.start()]).rstrip()
        after = fold.sub(" ", text[match.end() : match.end() + len(suffix)]).lstrip()
        common_before = next((n for n in range(min(len(before), len(want_before)), 0, -1)
                              if before[-n:] == want_before[-n:]), 0)  # fmt: skip
        common_after = next((n for n in range(min(len(after), len(want_after)), 0, -1)
                             if after[:n] == want_after[:n]), 0)  # fmt: skip
        return common_before + common_after, -abs(match.start() - hint)

    best = max(matches, key=score)
    return offsets.Extent(best.start(), best.end())
