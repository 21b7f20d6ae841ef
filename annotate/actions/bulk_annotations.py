"""Writing a whole file of spans at once. Every annotation import (our own
CSV/JSON/XLSX, W3C, doccano) reads its file into ``SpanDraft`` rows and
hands them to ``annotations_import``, which checks every one, then creates
and changes them with ``bulk_create``/``bulk_update`` and their history
rows in bulk, a batch at a time, in one transaction.

The checks are those of the page's create and change
(``annotations.annotation_create``/``annotation_update``), not a copy of
them: a span whose values certainly pass ``full_clean`` (whole-number
offsets inside the text, the quote the text holds there, no split
character, a known layer, storable text within its limits, a web address
the URL field takes) is let through on plain comparisons, and any other is
given to the model's own ``full_clean``, whose words the refusal uses. So
the bulk path refuses exactly what the page refuses, in the same words
(tests/actions/test_bulk_annotations.py runs hostile spans through both).

Queries do not grow with rows: the file's existing spans are read once
(per 500 articles), and each batch is one INSERT or UPDATE of spans and
one of history rows."""

import datetime as dt
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from annotate.actions import row_inserts
from annotate.actions.annotations import RELATED_FIELDS, _unique_refusal
from annotate.models import SPAN_TEXT_LIMITS, Annotation, Article, span_text_errors, web_url_errors
from annotate.rules import offsets

# Rows per INSERT on PostgreSQL; SQLite's 999 variables a statement make
# its batches smaller (``batch_size``).
BATCH_SIZE = 2000
# Articles per query when reading the spans they already hold.
ARTICLES_PER_QUERY = 500

LAYERS = frozenset(Annotation.Layer.values)
SPEAKER_LIMIT = Annotation._meta.get_field("speaker").max_length
# What a repeat of a span in one file must agree on, and an existing span
# may be changed in (the label is part of what names a span).
TEXT_FIELDS = tuple(SPAN_TEXT_LIMITS)


@dataclass(slots=True, eq=False)
class SpanDraft:
    """One span read from a file, resolved to our rows, not yet checked or
    saved. ``where`` names it in messages ("row 3", "line 2, span 1");
    ``order`` sorts messages into file order. A text field that is None
    was not in the file: a new span gets "", an existing one keeps its own.
    Times that are None mean "now" for a new span."""

    where: str
    order: tuple
    article_id: int
    label_id: int
    reviewer: object
    start: int
    end: int
    quote: str
    layer: str = Annotation.Layer.REVIEWER
    note: str | None = None
    speaker: str | None = None
    evidence_url: str | None = None
    decision_reason: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    def natural_key(self) -> tuple:
        """As ``Annotation.natural_key``, so a draft finds the span it would repeat."""
        return (self.article_id, self.layer, self.reviewer.pk, self.label_id, self.start, self.end)


@dataclass
class BulkImportResult:
    """What ``annotations_import`` did or, with problems, would not do.
    ``problems`` are (draft, message) in draft order, plus (None, message)
    for one about the whole file; any problem means nothing was written."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[SpanDraft | None, str]] = field(default_factory=list)
    written: bool = False


Refusal = Callable[[SpanDraft, Annotation | None], str | None]
Progress = Callable[[str, int, int], None]


def batch_size() -> int:
    """Changed spans per batch: one UPDATE of spans and one INSERT of their
    history rows each, on this database (Django splits a batch the backend
    cannot take in one statement; a smaller batch keeps it to one)."""
    history = Annotation.history.model
    widest = max(len(Annotation._meta.concrete_fields), len(history._meta.concrete_fields))
    per_statement = connection.ops.bulk_batch_size(["x"] * widest, [None] * BATCH_SIZE)
    return max(1, min(BATCH_SIZE, per_statement))


def create_batch_size() -> int:
    """New spans per batch: one INSERT of spans and one copy of them into
    the history (``row_inserts``), as many as one statement takes here."""
    return row_inserts.rows_per_insert(_INSERTED)


def queries_for(*, new: int, updated: int) -> int:
    """The statements ``annotations_import`` adds for writing ``new`` and
    ``updated`` spans, on top of its fixed reads: two per batch of each."""
    return 2 * math.ceil(new / create_batch_size()) + 2 * math.ceil(updated / batch_size())


@transaction.atomic
def annotations_import(
    drafts: Sequence[SpanDraft],
    *,
    texts: Mapping[int, str],
    changed_by,
    refusal: Refusal | None = None,
    keep_times: bool = True,
    write: bool = True,
    progress: Progress | None = None,
    progress_every: int = 100,
) -> BulkImportResult:
    """Create or change every span of ``drafts``, or none of them.

    A draft whose natural key (article, layer, reviewer, label, offsets)
    is already stored changes that span's free-text fields, if any differ
    (a new version, updated now, as ``annotation_update`` does), and is
    otherwise unchanged; any other draft is a new span. The same span may
    appear again in one file only saying the same thing, and then counts as
    unchanged; a repeat that disagrees refuses the file, naming both rows.

    ``texts`` holds the text of every draft's article, by id; ``refusal``
    says why the importer may not write a draft (None: they may), asked
    before anything else about it; with ``keep_times`` a new span takes the
    draft's times, else it is made now. ``changed_by`` is named in every
    history row. With ``write`` False, or with any problem, nothing is
    written. A span another writer stored while this ran refuses the file
    (``problems``) rather than raising. ``progress(stage, done, total)`` is
    called every ``progress_every`` drafts checked ("checking") and as
    batches are written ("writing")."""
    result = BulkImportResult()
    now = timezone.now()
    articles = {pk: Article(pk=pk, text=text) for pk, text in texts.items()}
    existing, consensus = _stored_spans(articles)
    seen: dict[tuple, SpanDraft] = {}
    creates: list[Annotation] = []
    updates: list[Annotation] = []
    changed: set[str] = set()
    total = len(drafts)
    for number, draft in enumerate(drafts, start=1):
        if progress is not None and (number % progress_every == 0 or number == total):
            progress("checking", number, total)
        key = draft.natural_key()
        first = seen.get(key)
        if first is not None:
            difference = _difference(first, draft, keep_times=keep_times)
            if difference is None:
                result.unchanged += 1
            else:
                result.problems.append((draft, _repeat_problem(first, difference)))
            continue
        seen[key] = draft
        current = existing.get(key)
        if refusal is not None and (reason := refusal(draft, current)) is not None:
            result.problems.append((draft, reason))
            continue
        article = articles[draft.article_id]
        if current is None:
            problem = _plan_create(draft, article, consensus, creates, now, keep_times=keep_times)
        elif changes := _changes(draft, current):
            problem = _plan_update(current, changes, article, updates, now)
            changed.update(changes)
        else:
            result.unchanged += 1
            continue
        if problem is not None:
            result.problems.append((draft, problem))
    result.new, result.updated = len(creates), len(updates)
    if result.problems or not write:
        return result
    try:
        _write(
            creates, updates, sorted(changed), changed_by=changed_by, now=now,
            progress=progress, every=progress_every, total=total,
        )  # fmt: skip
    except IntegrityError as error:
        unique = _unique_refusal(error)
        if unique is None:
            raise
        result.problems.append((None, _race_problem(unique)))
        return result
    if progress is not None:
        progress("writing", total, total)
    result.written = True
    return result


def _stored_spans(articles: Mapping[int, Article]) -> tuple[dict[tuple, Annotation], dict[tuple, tuple]]:
    """The spans the articles hold, by natural key, locked for the rest of
    the transaction (on PostgreSQL; SQLite's IMMEDIATE transaction holds the
    whole database), and the consensus layer's (article, label, start, end)
    to the natural key of the span that holds it."""
    existing: dict[tuple, Annotation] = {}
    consensus: dict[tuple, tuple] = {}
    ids = sorted(articles)
    for first in range(0, len(ids), ARTICLES_PER_QUERY):
        chunk = ids[first : first + ARTICLES_PER_QUERY]
        # Which version each text is: a new span's offsets count in it.
        for pk, text_version in Article.objects.filter(pk__in=chunk).values_list("pk", "text_version"):
            articles[pk].text_version = text_version
        for span in Annotation.objects.select_for_update().filter(article_id__in=chunk).order_by():
            key = span.natural_key()
            existing[key] = span
            if span.layer == Annotation.Layer.CONSENSUS:
                consensus[(span.article_id, span.label_id, span.start, span.end)] = key
    return existing, consensus


def _plan_create(draft, article, consensus, creates, now, *, keep_times: bool) -> str | None:
    """Add the new span ``draft`` describes to ``creates``, or say why not."""
    if draft.layer == Annotation.Layer.CONSENSUS:
        place = (draft.article_id, draft.label_id, draft.start, draft.end)
        if place in consensus:
            # What the database's annotation_unique_consensus_span would refuse.
            return _unique_message("annotation_unique_consensus_span")
        consensus[place] = draft.natural_key()
    created_at = (draft.created_at if keep_times else None) or now
    span = _unsaved_span({
        "id": None, "article_id": draft.article_id, "label_id": draft.label_id, "reviewer_id": draft.reviewer.pk,
        "start": draft.start, "end": draft.end, "quote": draft.quote, "layer": draft.layer,
        "note": _given(draft.note), "speaker": _given(draft.speaker), "evidence_url": _given(draft.evidence_url),
        "decision_reason": _given(draft.decision_reason), "based_on_id": None, "client_id": None, "version": 1,
        "article_version": article.text_version, "anchor_state": Annotation.AnchorState.EXACT,
        "created_at": created_at, "updated_at": (draft.updated_at if keep_times else None) or created_at,
    })  # fmt: skip
    if _certainly_valid(span, article.text, new=True):
        creates.append(span)
        return None
    # The slow path, for the few that may not pass: the model's own checks,
    # whose cleaned values are then what is written.
    span = Annotation(*(getattr(span, name) for name in _COLUMNS))
    problem = _validation_problem(span, article, new=True)
    if problem is None:
        creates.append(span)
    return problem


def _changes(draft: SpanDraft, span: Annotation) -> dict[str, str]:
    """The text fields the draft gives that differ from the stored span's."""
    return {
        name: value
        for name in TEXT_FIELDS
        if (value := getattr(draft, name)) is not None and value != getattr(span, name)
    }


def _plan_update(span: Annotation, changes: dict[str, str], article, updates, now) -> str | None:
    """Apply ``changes`` to the stored ``span`` and add it to ``updates``, or say why not."""
    for name, value in changes.items():
        setattr(span, name, value)
    # As annotation_update: a new version, changed now.
    span.updated_at = now
    span.version += 1
    problem = _validation_problem(span, article, new=False)
    if problem is None:
        updates.append(span)
    return problem


# Every column, in the order Model.__init__ takes them positionally.
_COLUMNS = tuple(f.attname for f in Annotation._meta.concrete_fields)


class _NewSpan:
    """A new span's columns, by attname, and nothing else: what the plain
    checks read and the INSERT writes. A model instance costs a third of
    an import's checking time at 10,000 spans, and is made only for the
    spans that need the model's own checks."""

    __slots__ = _COLUMNS

    def __init__(self, values: dict):
        for name in _COLUMNS:
            setattr(self, name, values[name])


def _unsaved_span(values: dict) -> _NewSpan:
    """A new span with every column given (no defaults are asked for)."""
    return _NewSpan(values)


def _given(value: str | None) -> str:
    return "" if value is None else value


def _validation_problem(span: Annotation, article: Article, *, new: bool) -> str | None:
    """Why ``full_clean`` (as the page's create or change runs it) refuses
    the span, or None. Spans that pass the plain checks never reach it."""
    if _certainly_valid(span, article.text, new=new):
        return None
    # clean() reads the article's text; give it the one already held.
    Annotation.article.field.set_cached_value(span, article)
    try:
        span.full_clean(exclude=RELATED_FIELDS, validate_constraints=False)
    except ValidationError as error:
        return describe_validation_error(error)
    return None


def _certainly_valid(span: Annotation, text: str, *, new: bool) -> bool:
    """Whether ``full_clean`` would pass the span, judged without it: each
    condition here is one a field or ``Annotation.clean`` checks, and a span
    that fails any goes to ``full_clean`` itself. A span kept where it is
    stored is not asked whether it splits a character (``Annotation.clean``)."""
    start, end = span.start, span.end
    if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
        return False
    if text[start:end] != span.quote or span.layer not in LAYERS:
        return False
    if new and (offsets.cluster_split_by(text, start) or offsets.cluster_split_by(text, end)):
        return False
    for name in TEXT_FIELDS:
        if type(getattr(span, name)) is not str:
            return False
    if len(span.speaker) > SPEAKER_LIMIT or span_text_errors(span):
        return False
    if span.evidence_url and not _web_url_passes(span.evidence_url):
        return False
    return isinstance(span.created_at, dt.datetime) and isinstance(span.updated_at, dt.datetime)


@functools.lru_cache(maxsize=4096)
def _web_url_passes(url: str) -> bool:
    """Whether the evidence_url field and ``web_url_errors`` take ``url``;
    a file links many spans to few pages, so each is asked once."""
    try:
        Annotation._meta.get_field("evidence_url").clean(url, None)
    except ValidationError:
        return False
    return not web_url_errors(evidence_url=url)


def describe_validation_error(error: ValidationError) -> str:
    """A ValidationError as one line: "field: message" for each field's
    messages, a message about the whole span on its own."""
    if not hasattr(error, "error_dict"):
        return "; ".join(error.messages)
    return "; ".join(
        message if name == NON_FIELD_ERRORS else f"{name}: {message}"
        for name, messages in error.message_dict.items()
        for message in messages
    )


def _difference(first: SpanDraft, repeat: SpanDraft, *, keep_times: bool) -> str | None:
    """The first field a repeated span's second appearance says otherwise, or None."""
    names = (*TEXT_FIELDS, "created_at", "updated_at") if keep_times else TEXT_FIELDS
    return next((name for name in names if getattr(first, name) != getattr(repeat, name)), None)


def _repeat_problem(first: SpanDraft, difference: str) -> str:
    return (
        f"the same span as {first.where} (same article, layer, reviewer, label and offsets), with another {difference}"
    )


def _unique_message(name: str) -> str:
    constraint = next(c for c in Annotation._meta.constraints if c.name == name)
    return str(constraint.violation_error_message)


def _race_problem(unique: ValidationError) -> str:
    return (
        f"while this file was being written, someone else saved one of its spans: {' '.join(unique.messages)} "
        "Nothing was written; import the file again to see which rows are new"
    )


def _write(creates, updates, fields: list[str], *, changed_by, now, progress, every: int, total: int) -> None:
    """The writes, a batch at a time, in a savepoint: a unique constraint
    that another writer's span breaks rolls back to it."""
    done = 0
    with transaction.atomic():
        for rows, write, size in (
            (creates, _create_batch, create_batch_size()),
            (updates, _update_batch, batch_size()),
        ):
            for first in range(0, len(rows), size):
                batch = rows[first : first + size]
                write(batch, fields=fields, size=size, changed_by=changed_by, now=now)
                if progress is not None:
                    # A line for every ``every`` rows the batch took past.
                    for mark in range((done // every + 1) * every, min(done + len(batch) + 1, total), every):
                        progress("writing", mark, total)
                done += len(batch)


# What a new span's INSERT gives: every column but the id the database picks.
_INSERTED = tuple(name for name in _COLUMNS if name != "id")


def _create_batch(batch, *, fields, size, changed_by, now) -> None:
    """One INSERT of the batch's spans and one copy of them into the
    history, naming ``changed_by`` with no change reason, as a save through
    the page leaves it (``row_inserts``: bulk_create's own cost per row was
    most of an import's time)."""
    ids = row_inserts.insert_rows(
        Annotation, _INSERTED, [[getattr(span, name) for name in _INSERTED] for span in batch]
    )
    row_inserts.copy_to_history(Annotation, ids, date=now, user_id=getattr(changed_by, "pk", None))


def _update_batch(batch, *, fields, size, changed_by, now) -> None:
    bulk_update_with_history(
        batch, Annotation, [*fields, "updated_at", "version"], batch_size=size,
        default_user=changed_by, default_change_reason=None, default_date=now,
    )  # fmt: skip
