"""Writing annotations read from a file, whatever its format: readers turn
a file into ``SpanDraft`` rows (``bulk_annotations``), and ``save_drafts``
hands them to the one bulk writer with the importer's rights. Every row is
checked (label, reviewer, offsets against the text, quote, the importer's
rights) before anything is written, and the file is written in one
transaction, so a file with one bad row leaves the database as it was.
Rows that already exist (same article, layer, reviewer, label and offsets)
are updated, so importing a file twice changes nothing the second time."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from annotate.actions.bulk_annotations import SpanDraft, annotations_import
from annotate.io.import_reports import AnnotationImportReport
from annotate.models import Label
from annotate.rules import json_input


class ImportRejected(Exception):
    """A file that cannot be read at all (not JSON, wrong shape)."""


@dataclass
class InteropReport(AnnotationImportReport):
    """The CSV import's report, plus what only these formats do: spans found
    again by their quote, and articles made from a doccano line's text."""

    reanchored: int = 0
    articles_created: int = 0

    item_name = "annotation"

    def finish(self) -> None:
        super().finish()
        if self.errors:
            self.articles_created = self.reanchored = 0

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
            # A name no database column can hold names nobody (PostgreSQL
            # would refuse even to look for it).
            storable = json_input.unstorable_reason(username) is None
            self._users[username] = get_user_model().objects.filter(username=username).first() if storable else None
        user = self._users[username]
        if user is None:
            raise ValueError(f"unknown reviewer {username!r}")
        return user


def _label_key(value: str) -> str:
    """ "Unsupported claim", "unsupported_claim" and "UNSUPPORTED-CLAIM" name one label."""
    return "".join(ch for ch in value.casefold() if ch.isalnum())


def text_field(report: AnnotationImportReport, where: str, name: str, value) -> str:
    """A free-text value from a file, or "" with an error for one that is
    not text. (Its length and characters are the model's to check.)"""
    if value is None:
        return ""
    if not isinstance(value, str):
        report.fail(where, f"{name} must be text, got {type(value).__name__}")
        return ""
    return value


def save_drafts(
    drafts: list[SpanDraft],
    report: AnnotationImportReport,
    *,
    texts: dict[int, str],
    dry_run: bool = False,
    policy=None,
    progress: Callable[[str, int, int], None] | None = None,
    progress_every: int = 100,
) -> AnnotationImportReport:
    """Check ``drafts`` and, unless ``report`` already holds a problem or
    this is a dry run, write them (``bulk_annotations.annotations_import``),
    as ``policy``'s user and within their rights (None: trust the file, as
    an operator's restore does). ``texts`` holds the drafts' articles'
    texts by id. The drafts are checked even when the file is already
    refused, so that the report names every row's problem at once."""
    if policy is not None:
        policy.prepare(texts)
    result = annotations_import(
        drafts,
        texts=texts,
        changed_by=policy.user if policy is not None else None,
        refusal=policy.draft_refusal if policy is not None else None,
        keep_times=policy is None or policy.keep_authors,
        write=not dry_run and not report.failed,
        progress=progress,
        progress_every=progress_every,
    )
    for draft, message in result.problems:
        if draft is None:
            report.errors.append(message)
        else:
            report.fail(draft.where, message, order=draft.order)
    report.new, report.updated, report.unchanged = result.new, result.updated, result.unchanged
    report.written = result.written
    return report


def run_import(read, *, dry_run: bool = False, policy=None) -> InteropReport:
    """Run ``read(report) -> (list[SpanDraft], texts)`` and save its drafts, all
    in one transaction that is rolled back on any problem or on a dry run.
    ``read`` may create articles (doccano lines carry their text); those
    roll back too."""
    report = InteropReport()
    try:
        with transaction.atomic():
            drafts, texts = read(report)
            # A reader counts what its file holds, a bad item included.
            report.total = report.total or len(drafts)
            save_drafts(drafts, report, texts=texts, dry_run=dry_run, policy=policy)
            if not report.written:
                transaction.set_rollback(True)
    except ImportRejected as problem:
        report.errors.append(str(problem))
        report.written = False
    report.finish()
    return report
