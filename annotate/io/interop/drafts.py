"""Writing annotations read from a file, whatever its format: readers turn
a file into ``SpanDraft`` rows (``bulk_annotations``), and ``save_drafts``
hands them to the one bulk writer with the importer's rights. Every row is
checked (label, reviewer, offsets against the text, quote, the importer's
rights) before anything is written, and the file is written in one
transaction, so a file with one bad row leaves the database as it was.
Rows that already exist (same article, layer, reviewer, label and offsets)
are updated, so importing a file twice changes nothing the second time."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from annotate.actions.bulk_annotations import SpanDraft, annotations_import
from annotate.io import articles_in
from annotate.io.import_reports import AnnotationImportReport
from annotate.models import Article, Label
from annotate.rules import json_input, offsets


class ImportRejected(Exception):
    """A file that cannot be read at all (not JSON, wrong shape)."""


@dataclass
class InteropReport(AnnotationImportReport):
    """The CSV import's report, plus what only these formats do: spans found
    again by their quote, articles made from a doccano line's or a Label
    Studio task's text, spans whose file counted in UTF-16 units (older
    Label Studio), and what a file holds that Sourcemark leaves out on
    purpose (skipped annotations, results of other kinds), by kind."""

    reanchored: int = 0
    articles_created: int = 0
    utf16: int = 0
    left_out: dict[str, int] = field(default_factory=dict)

    item_name = "annotation"

    def leave_out(self, kind: str, count: int = 1) -> None:
        self.left_out[kind] = self.left_out.get(kind, 0) + count

    def finish(self) -> None:
        super().finish()
        if self.errors:
            self.articles_created = self.reanchored = self.utf16 = 0

    def summary_details(self) -> str:
        extra = []
        if self.reanchored:
            extra.append(f"{self.reanchored} re-anchored by quote")
        if self.articles_created:
            extra.append(f"{self.articles_created} new article(s)")
        if self.utf16:
            extra.append(f"{self.utf16} counted in UTF-16 units, as older Label Studio wrote them")
        extra.extend(f"{count} {kind} left out" for kind, count in sorted(self.left_out.items()))
        return f" ({', '.join(extra)})" if extra else ""


class Lookups:
    """Labels and users by the names files use for them, read once per import.
    ``label_map`` names our label for a file's own (``--label-map PER=fact``):
    another tool's project rarely calls its labels what ours are called."""

    def __init__(self, *, label_map: dict[str, str] | None = None):
        self.labels: dict[str, Label] = {}
        for label in Label.objects.all():
            for key in (label.slug, label.name):
                self.labels[_label_key(key)] = label
        self.label_map = {_label_key(theirs): ours for theirs, ours in (label_map or {}).items()}
        self._users: dict[str, object] = {}
        self._emails: dict[str, list] = {}
        # A file names a few labels many times: each name is keyed once.
        self._found: dict[str, Label] = {}

    def label(self, value) -> Label:
        if isinstance(value, str) and value in self._found:
            return self._found[value]
        label = self._label(value)
        self._found[value] = label
        return label

    def _label(self, value) -> Label:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"the label must be a label's name, got {value!r}")
        if (mapped := self.label_map.get(_label_key(value))) is not None:
            label = self.labels.get(_label_key(mapped))
            if label is None:
                raise ValueError(f"the label map names {value!r} {mapped!r}, which is no label here")
            return label
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

    def users_with_email(self, email: str) -> list:
        """The users whose email is ``email`` (as mail compares: any case);
        more than one means the email names nobody in particular."""
        key = email.casefold()
        if key not in self._emails:
            found = []
            if email.strip() and json_input.unstorable_reason(email) is None:
                found = list(get_user_model().objects.filter(email__iexact=email).order_by("pk")[:2])
            self._emails[key] = found
        return self._emails[key]


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


def name_map(entries: Iterable[str], *, option: str) -> dict[str, str]:
    """``["7=ana", "alice@x.org=ana"]`` as ``{"7": "ana", "alice@x.org": "ana"}``:
    what a file calls someone or something, and our name for it. The last
    ``=`` divides them (a username or slug holds none). Raises ValueError
    naming ``option`` and the entry for one without both halves."""
    mapping: dict[str, str] = {}
    for entry in entries:
        theirs, equals, ours = entry.strip().rpartition("=")
        if not equals or not theirs.strip() or not ours.strip():
            raise ValueError(f"{option} {entry!r}: expected THEIRS=OURS, like 7=ana")
        mapping[theirs.strip()] = ours.strip()
    return mapping


def article_for_text(
    mapping: offsets.NormalisationMap,
    metadata: dict,
    where: str,
    report: InteropReport,
    *,
    articles: dict,
    default_source: str | None,
    file_name: str,
) -> Article | None:
    """The article whose stored text is ``mapping``'s normalised text, or a
    new one made through the one path that makes articles
    (``articles_in.article_import``: normalised, validated, a page already
    known by its URL given a new version), from ``metadata`` (title,
    source, url, byline, published, language; any missing). ``articles``
    caches each by fingerprint for the rest of the file, so the many tasks
    or lines of one text look it up once. None, with the problem recorded,
    when the article cannot be made."""
    fingerprint = Article.fingerprint(mapping.normal)
    if fingerprint not in articles:
        articles[fingerprint] = Article.objects.filter(sha256=fingerprint).first()
    article = articles[fingerprint]
    if article is not None:
        return article
    values = {}
    for key in ("title", "source", "url", "byline", "published", "language"):
        value = metadata.get(key)
        if value is not None and not isinstance(value, str):
            report.fail(where, f"{key} must be text")
            return None
        values[key] = value or ""
    values["source"] = values["source"] or default_source or ""
    record = articles_in.ArticleRecord(text=mapping.raw, original_filename=f"{file_name}-{fingerprint[:12]}", **values)
    try:
        article, _ = articles_in.article_import(record)
    except articles_in.ImportProblem as problem:
        report.fail(where, str(problem))
        return None
    report.articles_created += 1
    articles[fingerprint] = article
    return article
