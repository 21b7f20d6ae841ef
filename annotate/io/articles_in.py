"""Reading articles into Sourcemark: seed folders, uploaded files and records.

Every path that creates an article (the ``import_articles`` command, the
admin's import, the seeds loaded by ``make run``, tests) goes through
``article_import``, so normalisation, validation and de-duplication happen in
one place.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from annotate.actions import article_versions
from annotate.actions.sources import SourceProblem, source_for_article
from annotate.io.article_records import ArticleRecord, ImportProblem, decode_article_bytes  # noqa: F401 (re-exported)
from annotate.io.documents import read_document
from annotate.models import ARTICLE_TEXT_LIMIT, Article, Source
from annotate.rules import json_input, offsets
from annotate.rules.domains import comparable_url
from annotate.rules.text import excerpt

# .json and .csv hold records (RECORD_COLUMNS); each of the others is one
# article, read by what its content is (annotate/io/documents.py).
RECORD_SUFFIXES = (".json", ".csv")
DOCUMENT_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx", ".odt")
ARTICLE_SUFFIXES = {*RECORD_SUFFIXES, *DOCUMENT_SUFFIXES}
SUPPORTED = ", ".join(DOCUMENT_SUFFIXES + RECORD_SUFFIXES)
# A browser's "Save page, complete" puts the page's pictures, scripts and
# embedded frames (which are .html files too) in "<page>_files" beside it.
SAVED_PAGE_FOLDER_SUFFIX = "_files"
METADATA_COLUMNS = ("title", "source", "byline", "url", "published", "language")
MANIFEST_COLUMNS = ("file", *METADATA_COLUMNS)
RECORD_COLUMNS = ("text", *METADATA_COLUMNS, "original_filename")
UNKNOWN = "Unknown"
# A folder's own manifest: used when no --manifest is given, never read as articles.
MANIFEST_NAME = "manifest.csv"


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # A new text of an article already here (the same URL): a new version.
    revised: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    # All or nothing was asked for and something failed: nothing was written.
    rolled_back: bool = False

    def summary(self) -> str:
        counts = (
            f"{len(self.created)} new, {len(self.updated)} updated, "
            + (f"{len(self.revised)} new version(s), " if self.revised else "")
            + f"{len(self.unchanged)} unchanged, {len(self.failed)} failed"
        )
        return f"{counts}; rolled back, nothing was written" if self.rolled_back else counts


def csv_reason(error: csv.Error) -> str:
    """Why the csv module refused a file, in words; for a field over the
    limit (set in apps.py) it says what the limit is for."""
    if "field larger than field limit" in str(error):
        return f"a field is longer than {ARTICLE_TEXT_LIMIT:,} characters, the most an article may hold"
    return f"not valid CSV ({error})"


def first_line_title(text: str) -> str:
    for line in text.split("\n"):
        if line.strip():
            return excerpt(line.strip(), 500)
    return ""


def parse_published(value: str | dt.date | None) -> dt.date | None:
    """ISO date (YYYY-MM-DD), or None for empty/"Unknown"."""
    if isinstance(value, dt.date):
        return value
    value = (value or "").strip()
    if not value or value.lower() == UNKNOWN.lower():
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ImportProblem(f"published date {value!r} is not a date like 2023-03-05") from None


def prepare_article(record: ArticleRecord) -> tuple[dict, Source]:
    """Normalise and validate a record; return (article field values, its outlet).

    The outlet is the one the record names, else the one its URL or site
    name matches, made when new (``actions.sources.source_for_article``).
    Used by ``article_import`` and by the admin's import Resource, so both
    accept and refuse exactly the same input.
    """
    text = offsets.normalise_text(record.text or "")
    if not text.strip():
        raise ImportProblem("the article has no text")
    if len(text) > ARTICLE_TEXT_LIMIT:
        raise ImportProblem(f"the text is {len(text):,} characters long; an article may hold {ARTICLE_TEXT_LIMIT:,}")
    if _LONE_SURROGATE.search(text):
        # Only reachable through JSON escapes like "\ud800": not a character,
        # and neither UTF-8 nor PostgreSQL can store it.
        raise ImportProblem("the text contains an unpaired surrogate (a broken \\u escape in JSON?)")
    if "\x00" in text:
        # Only reachable through JSON escapes ("\u0000"); PostgreSQL cannot
        # store it and SQLite's length() stops at it.
        raise ImportProblem("the text contains a NUL character (\\u0000)")
    title = (record.title or "").strip() or first_line_title(text)
    values = {
        "text": text,
        "sha256": Article.fingerprint(text),
        "title": excerpt(title, 500),
        "byline": (record.byline or "").strip(),
        "url": (record.url or "").strip(),
        "published": parse_published(record.published),
        "language": (record.language or "").strip() or "en",
        "original_filename": excerpt(record.original_filename or "", 255),
    }
    try:
        source = source_for_article(name=record.source or "", url=values["url"], site_name=record.site_name or "")
    except SourceProblem as problem:
        raise ImportProblem(f"the outlet cannot be recorded: {problem}") from None
    return values, source


@transaction.atomic
def article_import(record: ArticleRecord) -> tuple[Article, str]:
    """Create an article from a record, or recognise it.

    Returns the article and what happened: "created", "updated" (same text and
    file, new metadata), "revised" (a new text of the article at the same
    URL: a new version, its spans re-anchored, ``actions.article_versions``)
    or "unchanged". Raises ImportProblem for bad input and for the same text
    already imported under another file name.

    An article is identified by its text, then by its URL as two addresses
    of one page compare (``Article.url_key``), so a page fetched again, or
    the same story linked with other tracking parameters, is the same
    article; the newest of several with that URL takes the new text.
    """
    values, source = prepare_article(record)
    existing = Article.objects.select_related("source").filter(sha256=values["sha256"]).first()
    url_key = comparable_url(values["url"])
    if existing is None and url_key:
        same_page = Article.objects.filter(url_key=url_key).order_by("-text_recorded_at", "-id").first()
        if same_page is not None:
            try:
                article_versions.article_new_text(same_page, values, source=source)
            except article_versions.VersionProblem as problem:
                raise ImportProblem(str(problem)) from None
            same_page.refresh_from_db()
            return same_page, "revised"
    if existing is not None:
        if existing.original_filename and existing.original_filename != values["original_filename"]:
            raise ImportProblem(
                f"same text as article {existing.pk} ({existing.original_filename!r}), already imported"
            )
        changed = {
            name: value
            for name, value in values.items()
            if name not in ("text", "sha256") and getattr(existing, name) != value
        }
        if existing.source_id != source.pk:
            changed["source"] = source
        if not changed:
            return existing, "unchanged"
        for name, value in changed.items():
            setattr(existing, name, value)
        _save_validated(existing)
        return existing, "updated"
    article = Article(source=source, **values)
    _save_validated(article)
    return article, "created"


def _save_validated(article: Article) -> None:
    try:
        article.full_clean(validate_unique=False)
    except ValidationError as error:
        raise ImportProblem("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
    article.save()


def read_manifest(path: Path) -> dict[str, dict[str, str]]:
    """Read a manifest CSV: one row per file, columns from MANIFEST_COLUMNS.

    Returns metadata keyed by file name. Raises ImportProblem for unknown or
    missing columns, empty file names and files listed twice.
    """
    try:
        text = decode_article_bytes(Path(path).read_bytes())
    except FileNotFoundError:
        raise ImportProblem(f"manifest {path} does not exist") from None
    reader = csv.DictReader(io.StringIO(offsets.normalise_text(text)))
    try:
        return _manifest_entries(reader, path)
    except csv.Error as error:
        # DictReader's own line_num stops at the last good row; its reader's
        # counts the lines read, the failing one included.
        raise ImportProblem(f"manifest {path}, line {reader.reader.line_num}: {csv_reason(error)}") from None


def _manifest_entries(reader: csv.DictReader, path: Path) -> dict[str, dict[str, str]]:
    columns = [c.strip() for c in reader.fieldnames or []]
    unknown = [c for c in columns if c not in MANIFEST_COLUMNS]
    if unknown:
        raise ImportProblem(
            f"manifest {path}: unknown column(s) {', '.join(unknown)}; allowed: {', '.join(MANIFEST_COLUMNS)}"
        )
    if "file" not in columns:
        raise ImportProblem(f"manifest {path}: the 'file' column is missing")
    entries: dict[str, dict[str, str]] = {}
    for line_number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        name = row.pop("file", "")
        if not name:
            raise ImportProblem(f"manifest {path}, line {line_number}: no file name")
        if name in entries:
            raise ImportProblem(f"manifest {path}, line {line_number}: {name} is listed twice")
        entries[name] = row
    return entries


def find_article_files(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand files and folders into article files; report paths that are missing."""
    files: list[Path] = []
    missing: list[tuple[str, str]] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and p.suffix.lower() in ARTICLE_SUFFIXES
                    and p.name != MANIFEST_NAME
                    and not _in_saved_page_folder(p, path)
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append((str(path), "no such file or folder"))
    return files, missing


def _in_saved_page_folder(path: Path, top: Path) -> bool:
    """Whether ``path`` is inside the "<page>_files" folder that a browser
    saved beside "<page>.html" (or .htm)."""
    for folder in path.relative_to(top).parents:
        stem = folder.name.removesuffix(SAVED_PAGE_FOLDER_SUFFIX)
        if folder.name.endswith(SAVED_PAGE_FOLDER_SUFFIX) and any(
            (top / folder.parent / f"{stem}{suffix}").is_file() for suffix in (".html", ".htm")
        ):
            return True
    return False


def records_from_file(path: Path) -> Iterator[ArticleRecord]:
    """The article records one file holds: .json holds an object or a list
    of objects, .csv a row per article (RECORD_COLUMNS); any other file is
    one article, read as what its content is (a page saved as .txt is read
    as the page it is). A suffix we do not read is refused, saying which we do;
    a file with none is read by its content."""
    suffix = path.suffix.lower()
    if suffix and suffix not in ARTICLE_SUFFIXES:
        raise ImportProblem(f"{suffix} files cannot be imported; the kinds that can are {SUPPORTED}")
    data = path.read_bytes()
    if suffix == ".json":
        yield from _records_from_json(decode_article_bytes(data), path.name)
    elif suffix == ".csv":
        yield from _records_from_csv(decode_article_bytes(data), path.name)
    else:
        yield read_document(data, name=path.name)


def _records_from_json(text: str, name: str) -> Iterator[ArticleRecord]:
    try:
        data = json_input.parse(text)
    except json_input.JsonProblem as problem:
        raise ImportProblem(str(problem)) from None
    items = data if isinstance(data, list) else [data]
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ImportProblem(f"record {number} is not an object")
        yield _record_from_mapping(item, f"{name}#{number}", where=f"record {number}")


def _records_from_csv(text: str, name: str) -> Iterator[ArticleRecord]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        columns = reader.fieldnames or []
        if "text" not in columns:
            raise ImportProblem("the CSV has no 'text' column")
        for line_number, row in enumerate(reader, start=2):
            yield _record_from_mapping(row, f"{name}#{line_number}", where=f"line {line_number}")
    except csv.Error as error:
        # The line an editor finds the problem on: the underlying reader
        # counts lines read (a quoted field may hold several), the failing
        # one included, where DictReader's own count stops at the last row.
        raise ImportProblem(f"line {reader.reader.line_num}: {csv_reason(error)}") from None


def _record_from_mapping(item: dict, default_name: str, *, where: str) -> ArticleRecord:
    unknown = sorted(set(item) - set(RECORD_COLUMNS))
    if unknown:
        raise ImportProblem(f"{where}: unknown field(s) {', '.join(map(str, unknown))}")
    values = {}
    for key in RECORD_COLUMNS:
        value = item.get(key) or ""
        if not isinstance(value, str):
            raise ImportProblem(f"{where}: {key} must be text")
        values[key] = value
    if not values["text"].strip():
        raise ImportProblem(f"{where}: the article has no text")
    values["original_filename"] = values["original_filename"] or default_name
    return ArticleRecord(**values)


def import_paths(
    paths: Iterable[Path],
    *,
    manifest: Path | None = None,
    source: str | None = None,
    all_or_nothing: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportReport:
    """Import every article under ``paths``, each file whole or not at all.

    The run is one transaction, committed when the last file is done, so a
    run that is interrupted (killed, the machine stops) leaves the database
    as it was before it. Inside it each file has its own savepoint: a bad
    file is reported and rolled back alone while the others go in, unless
    ``all_or_nothing``, when any failure rolls back the whole run
    (``report.rolled_back``). ``progress(number, total, path)`` is called
    after each file is done.
    """
    report = ImportReport()
    paths = [Path(p) for p in paths]
    if manifest is None:
        found = [p / MANIFEST_NAME for p in paths if (p / MANIFEST_NAME).is_file()]
        manifest = found[0] if len(found) == 1 else None
    files, missing = find_article_files(paths)
    report.failed.extend(missing)
    metadata: dict[str, dict[str, str]] = {}
    if manifest is not None:
        try:
            metadata = read_manifest(manifest)
        except ImportProblem as problem:
            report.failed.append((str(manifest), str(problem)))
            return report
        known = {f.name for f in files}
        for name in metadata:
            if name not in known:
                report.failed.append((str(manifest), f"names {name}, which is not among the files imported"))
        files = [f for f in files if f.resolve() != Path(manifest).resolve()]
    with transaction.atomic():
        for number, path in enumerate(files, start=1):
            _import_file(path, metadata, source, report)
            if progress:
                progress(number, len(files), str(path))
        if all_or_nothing and report.failed:
            transaction.set_rollback(True)
            report.rolled_back = True
    return report


def _import_file(path: Path, metadata: dict[str, dict[str, str]], source: str | None, report: ImportReport) -> None:
    try:
        # A file is imported whole or not at all: a JSON list with one bad
        # record leaves none of its articles behind.
        with transaction.atomic():
            outcomes = [
                (record.original_filename, _import_record(record, path))
                for record in _with_metadata(records_from_file(path), metadata, path, source)
            ]
        for name, outcome in outcomes:
            getattr(report, outcome).append(name)
    except ImportProblem as problem:
        report.failed.append((str(path), str(problem)))
    except OSError as error:
        report.failed.append((str(path), error.strerror or str(error)))
    except DatabaseError:
        # Not this file's fault (a lock, a lost connection): the run stops.
        raise
    except Exception as error:
        # Anything else a reader or a library raises on one file is that
        # file's failure: its savepoint is rolled back and the other files go
        # in, as a bad file's always do; the reason is named, not a traceback.
        report.failed.append((str(path), f"cannot be read ({type(error).__name__}: {error})"))


def _import_record(record: ArticleRecord, path: Path) -> str:
    """``article_import`` for one record of ``path``; a problem with a record
    of a .json/.csv file says which record, since the file holds many."""
    try:
        return article_import(record)[1]
    except ImportProblem as problem:
        if path.suffix.lower() in RECORD_SUFFIXES:
            raise ImportProblem(f"{record.original_filename}: {problem}") from None
        raise


def _with_metadata(
    records: Iterable[ArticleRecord], metadata: dict[str, dict[str, str]], path: Path, source: str | None
) -> Iterator[ArticleRecord]:
    # A manifest row describes a file that is one article; what it gives
    # wins over what a page or document says about itself, and what it
    # leaves empty keeps that.
    extra = metadata.get(path.name, {}) if path.suffix.lower() not in RECORD_SUFFIXES else {}
    for record in records:
        for key, value in extra.items():
            if value:
                setattr(record, key, value)
        if source and not record.source:
            record.source = source
        yield record
