"""What an article's new versions did to its spans, for the pages: the
spans still to settle (``spans_to_settle``: fuzzy placements to confirm,
orphans to place or dismiss) and an article's versions with their word
diffs (``article_versions``). Each reads in a fixed number of queries."""

from dataclasses import dataclass, field

from annotate import permissions
from annotate.models import AnchorState, Annotation, Article, ArticleVersion
from annotate.rules import offsets
from annotate.rules.word_diff import DiffRun, word_diff


@dataclass
class SpanToSettle:
    span: Annotation
    # The words as they were, in the text the span was made on or last
    # stood in, with their context.
    old_quote: str
    old_prefix: str
    old_suffix: str
    old_version: int
    # For a fuzzy span, the proposed extent's context in the current text.
    prefix: str = ""
    suffix: str = ""
    may_confirm: bool = False
    may_place: bool = False

    @property
    def is_fuzzy(self) -> bool:
        return self.span.anchor_state == AnchorState.FUZZY


def spans_to_settle(user, *, article_id: int | None = None) -> list[SpanToSettle]:
    """The fuzzy and orphaned spans the user is shown
    (``permissions.placements_to_settle_for``), by article and position,
    in four queries: the spans with their articles, labels and reviewers;
    the earlier texts the orphans count in; the fuzzy spans' history (where
    each stood before); and whether the user leads."""
    spans = (
        Annotation.all_spans.filter(permissions.placements_to_settle_for(user))
        .select_related("article", "label", "reviewer")
        .order_by("article_id", "start", "end", "id")
    )
    if article_id is not None:
        spans = spans.filter(article_id=article_id)
    spans = list(spans)
    if not spans:
        return []
    orphan_keys = {(s.article_id, s.article_version) for s in spans if s.anchor_state == AnchorState.ORPHANED}
    old_texts = {}
    if orphan_keys:
        rows = ArticleVersion.objects.filter(article_id__in={pk for pk, _ in orphan_keys}).values_list(
            "article_id", "number", "text"
        )
        old_texts = {(pk, number): text for pk, number, text in rows if (pk, number) in orphan_keys}
    fuzzy = {s.pk: s for s in spans if s.anchor_state == AnchorState.FUZZY}
    before = {}
    if fuzzy:
        # Each fuzzy span's newest record from an earlier version: where it stood.
        records = Annotation.history.filter(id__in=list(fuzzy)).order_by("id", "-history_id")
        for record in records.only("id", "start", "end", "quote", "article_version"):
            if record.id not in before and record.article_version < fuzzy[record.id].article_version:
                before[record.id] = record
    old_version_texts = _versions_for(before, fuzzy)
    lead = permissions.is_lead(user)
    found = []
    for span in spans:
        if span.anchor_state == AnchorState.ORPHANED:
            text = old_texts.get((span.article_id, span.article_version), "")
            prefix, suffix = offsets.quote_context(text, span.start, span.end) if text else ("", "")
            found.append(SpanToSettle(span, span.quote, prefix, suffix, span.article_version, may_place=lead))
            continue
        record = before.get(span.pk)
        old_text = old_version_texts.get((span.article_id, record.article_version), "") if record else ""
        old_prefix, old_suffix = (
            offsets.quote_context(old_text, record.start, record.end) if record and old_text else ("", "")
        )
        prefix, suffix = offsets.quote_context(span.article.text, span.start, span.end)
        found.append(
            SpanToSettle(
                span,
                record.quote if record else "",
                old_prefix,
                old_suffix,
                record.article_version if record else span.article_version,
                prefix,
                suffix,
                may_confirm=lead or span.reviewer_id == user.pk,
            )
        )
    return found


def _versions_for(before: dict, fuzzy: dict) -> dict[tuple[int, int], str]:
    """The earlier texts the fuzzy spans stood in (one query, none when
    there are none)."""
    keys = {(fuzzy[pk].article_id, record.article_version) for pk, record in before.items()}
    if not keys:
        return {}
    rows = ArticleVersion.objects.filter(article_id__in={pk for pk, _ in keys}).values_list(
        "article_id", "number", "text"
    )
    return {(pk, number): text for pk, number, text in rows if (pk, number) in keys}


@dataclass
class VersionView:
    number: int
    title: str
    recorded_at: object
    word_count: int
    current: bool
    # The change that made this version, from the one before (None for the first).
    change: ArticleVersion | None = None
    diff: list[DiffRun] = field(default_factory=list)


def article_versions(article: Article) -> list[VersionView]:
    """Every version of the article, newest first, each with the word diff
    from the one before it; one query (the earlier texts)."""
    earlier = list(ArticleVersion.objects.filter(article=article).order_by("number"))
    texts = [version.text for version in earlier] + [article.text]
    views = [VersionView(v.number, v.title, v.recorded_at, v.word_count, current=False) for v in earlier] + [
        VersionView(article.text_version, article.title, article.text_recorded_at, article.word_count, True)
    ]
    for index in range(1, len(views)):
        views[index].change = earlier[index - 1]
        views[index].diff = word_diff(texts[index - 1], texts[index])
    return list(reversed(views))
