"""Reading annotations for an interop export: grouped by article, with the
article's text loaded once per article and labels and reviewers as lookup
tables, so an export takes a fixed number of queries whatever its size."""

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from annotate.models import PLACED, Annotation, Article, Label


@dataclass(frozen=True)
class ArticleRow:
    pk: int
    title: str
    source: str
    url: str
    published: object
    text: str
    sha256: str
    text_version: int


@dataclass(frozen=True)
class SpanRow:
    pk: int
    label: str
    start: int
    end: int
    quote: str
    note: str
    speaker: str
    evidence_url: str
    reviewer: str
    reviewer_name: str
    layer: str
    decision_reason: str
    created_at: object
    updated_at: object
    # Who the reviewer is to another system: Label Studio matches its
    # annotators by email.
    reviewer_id: int = 0
    reviewer_email: str = ""


SPAN_COLUMNS = (
    "id", "article_id", "label_id", "start", "end", "quote", "note", "speaker", "evidence_url",
    "reviewer_id", "layer", "decision_reason", "created_at", "updated_at",
)  # fmt: skip


def spans_by_article(queryset: QuerySet[Annotation]) -> Iterator[tuple[ArticleRow, list[SpanRow]]]:
    """(article, its spans in text order) for every article the queryset
    touches, in article id order. Memory holds one article at a time.

    Placed spans only, whatever the queryset holds: these formats carry the
    article's current text (doccano) or its fingerprint (W3C), which an
    orphan's offsets do not count in."""
    queryset = queryset.filter(PLACED)
    labels = dict(Label.objects.values_list("pk", "slug"))
    users = {
        pk: (username, f"{first} {last}".strip(), email)
        for pk, username, first, last, email in get_user_model()
        .objects.filter(pk__in=queryset.values("reviewer_id"))
        .values_list("pk", "username", "first_name", "last_name", "email")
    }
    articles = (
        Article.objects.filter(pk__in=queryset.values("article_id"))
        .order_by("pk")
        .values_list("pk", "title", "source__name", "url", "published", "text", "sha256", "text_version")
        .iterator(chunk_size=20)
    )
    spans = queryset.order_by("article_id", "start", "end", "layer", "reviewer_id", "label_id", "id").values_list(
        *SPAN_COLUMNS
    )
    current: ArticleRow | None = None
    group: list[SpanRow] = []
    # start, end, quote, note, speaker, evidence_url: SpanRow's own order.
    for pk, article_id, label_id, *text_fields, reviewer_id, layer, reason, created, updated in spans.iterator(
        chunk_size=2000
    ):
        if current is None or current.pk != article_id:
            if current is not None:
                yield current, group
            while True:
                current = ArticleRow(*next(articles))
                if current.pk == article_id:
                    break
            group = []
        username, full_name, email = users[reviewer_id]
        group.append(
            SpanRow(
                pk,
                labels[label_id],
                *text_fields,
                username,
                full_name,
                layer,
                reason,
                created,
                updated,
                reviewer_id,
                email,
            )  # fmt: skip
        )
    if current is not None:
        yield current, group


def stable_span_id(article: ArticleRow, span: SpanRow) -> str:
    """Ten characters from the span's natural key (the text's fingerprint,
    layer, reviewer, label, offsets), letters, digits, ``-`` and ``_``
    (Label Studio's id alphabet): the same span has the same id in every
    export, whatever its database id, and after a round trip."""
    key = f"{article.sha256}:{span.layer}:{span.reviewer}:{span.label}:{span.start}:{span.end}"
    return base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest())[:10].decode()
