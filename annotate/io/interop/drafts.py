"""Writing annotations read from another tool's file: every row is checked
(label, reviewer, offsets against the text, quote) before anything is
written, and the file is written in one transaction, so a file with one bad
row leaves the database as it was. Rows that already exist (same article,
layer, reviewer, label and offsets) are updated, so importing a file twice
changes nothing the second time."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from annotate.actions import annotations
from annotate.io.import_reports import AnnotationImportReport
from annotate.models import SPAN_TEXT_LIMITS, Annotation, Article, Label


class ImportRejected(Exception):
    """A file that cannot be read at all (not JSON, wrong shape)."""


@dataclass
class SpanDraft:
    """One annotation read from a file, resolved to our rows, not yet saved.
    ``where`` says where it came from ("line 3, span 2") for error messages."""

    where: str
    article: Article
    label: Label
    start: int
    end: int
    quote: str
    reviewer: object
    layer: str = Annotation.Layer.REVIEWER
    note: str = ""
    speaker: str = ""
    evidence_url: str = ""
    decision_reason: str = ""
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    def natural_key(self) -> tuple:
        """As ``Annotation.natural_key``, so a draft finds the span it would repeat."""
        return (self.article.pk, self.layer, self.reviewer.pk, self.label.pk, self.start, self.end)


@dataclass
class InteropReport(AnnotationImportReport):
    """The CSV import's report, plus what only these formats do: spans found
    again by their quote, and articles made from a doccano line's text."""

    reanchored: int = 0
    articles_created: int = 0

    item_name = "annotation"

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def summary_details(self) -> str:
        extra = []
        if self.reanchored:
            extra.append(f"{self.reanchored} re-anchored by quote")
        if self.articles_created:
            extra.append(f"{self.articles_created} new article(s)")
        return f" ({', '.join(extra)})" if extra else ""


class Lookups:
    """Labels and users by the names files use for them, read once per import."""

    def __init__(self):
        self.labels: dict[str, Label] = {}
        for label in Label.objects.all():
            for key in (label.slug, label.name):
                self.labels[_label_key(key)] = label
        self._users: dict[str, object] = {}

    def label(self, value) -> Label:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"the label must be a label's name, got {value!r}")
        label = self.labels.get(_label_key(value))
        if label is None:
            known = ", ".join(sorted({label.slug for label in self.labels.values()}))
            raise ValueError(f"unknown label {value!r} (known: {known})")
        return label

    def user(self, username) -> object:
        if not isinstance(username, str) or not username.strip():
            raise ValueError("no reviewer: the file does not say who made it; give a default reviewer")
        if username not in self._users:
            self._users[username] = get_user_model().objects.filter(username=username).first()
        user = self._users[username]
        if user is None:
            raise ValueError(f"unknown reviewer {username!r}")
        return user


def _label_key(value: str) -> str:
    """ "Unsupported claim", "unsupported_claim" and "UNSUPPORTED-CLAIM" name one label."""
    return "".join(ch for ch in value.casefold() if ch.isalnum())


def text_field(report: InteropReport, where: str, name: str, value) -> str:
    """A free-text value from a file, or "" with an error for a non-text or overlong one."""
    if value is None:
        return ""
    if not isinstance(value, str):
        report.fail(where, f"{name} must be text, got {type(value).__name__}")
        return ""
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        report.fail(where, f"{name} contains a NUL character or an unpaired surrogate")
        return ""
    if len(value) > SPAN_TEXT_LIMITS[name]:
        report.fail(where, f"{name} is longer than {SPAN_TEXT_LIMITS[name]:,} characters")
        return ""
    return value


def save_drafts(drafts: list[SpanDraft], report: InteropReport, *, dry_run: bool = False, policy=None) -> InteropReport:
    """Write ``drafts`` (create or update) in the caller's transaction.
    The caller holds ``transaction.atomic()`` and rolls back when
    ``report.errors`` is not empty or on a dry run (``finish``)."""
    report.total = len(drafts)
    existing = _existing(drafts)
    seen: dict[tuple, str] = {}
    for draft in drafts:
        key = draft.natural_key()
        if key in seen:
            report.fail(draft.where, f"the same span as {seen[key]} (same reviewer, label and offsets)")
            continue
        seen[key] = draft.where
        current = existing.get(key)
        if policy is not None:
            refusal = policy.refusal(
                article=draft.article, layer=draft.layer, author=draft.reviewer, existing=current,
                created_at=draft.created_at if current is not None else None,
            )  # fmt: skip
            if refusal:
                report.fail(draft.where, refusal)
                continue
        who = policy.user if policy is not None else None
        created_at, updated_at = (
            policy.times(draft.created_at, draft.updated_at) if policy else (draft.created_at, draft.updated_at)
        )
        try:
            if current is None:
                annotations.annotation_create(
                    article=draft.article, label=draft.label, start=draft.start, end=draft.end, quote=draft.quote,
                    reviewer=draft.reviewer, layer=draft.layer, note=draft.note, speaker=draft.speaker,
                    evidence_url=draft.evidence_url, decision_reason=draft.decision_reason,
                    created_at=created_at, updated_at=updated_at, changed_by=who,
                )  # fmt: skip
                report.new += 1
                continue
            changes = {
                name: getattr(draft, name)
                for name in SPAN_TEXT_LIMITS
                if getattr(current, name) != getattr(draft, name)
            }
            if not changes:
                report.unchanged += 1
                continue
            annotations.annotation_update(current, changed_by=who, **changes)
            report.updated += 1
        except ValidationError as error:
            report.fail(draft.where, _validation_text(error))
    return report


def _existing(drafts: list[SpanDraft]) -> dict[tuple, Annotation]:
    articles = {draft.article.pk for draft in drafts if draft.article.pk}
    if not articles:
        return {}
    return {a.natural_key(): a for a in Annotation.objects.filter(article_id__in=articles).select_related("article")}


def _validation_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def run_import(read, *, dry_run: bool = False, policy=None) -> InteropReport:
    """Run ``read(report) -> list[SpanDraft]`` and save its drafts, all in one
    transaction that is rolled back on any problem or on a dry run. ``read``
    may create articles (doccano lines carry their text); those roll back too."""
    report = InteropReport()
    try:
        with transaction.atomic():
            drafts = read(report)
            if not report.errors:
                save_drafts(drafts, report, policy=policy)
            report.written = not report.errors and not dry_run
            if not report.written:
                transaction.set_rollback(True)
    except ImportRejected as problem:
        report.errors.append(str(problem))
        report.written = False
    if report.errors:
        report.new = report.updated = report.unchanged = report.articles_created = report.reanchored = 0
    return report
