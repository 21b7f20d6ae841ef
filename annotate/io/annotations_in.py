"""Reading annotation files into Sourcemark: our own CSV/JSON/XLSX exports
(``annotation_tables``), W3C, doccano and Label Studio (``interop``), every
one checked whole and written by the one bulk writer (``drafts.save_drafts``)."""

import csv
import io
from collections.abc import Callable

import tablib
from django.db import transaction

from annotate.io import annotation_tables, spreadsheets
from annotate.io.articles_in import ImportProblem, csv_reason, decode_article_bytes
from annotate.io.file_formats import IMPORT_FORMATS, TABLE_FORMATS, import_format_for
from annotate.io.import_policy import ImportPolicy
from annotate.io.import_reports import AnnotationImportReport
from annotate.io.interop import doccano, drafts, hypothesis, labelstudio_in, webannotation
from annotate.rules import json_input


def annotation_table_from_bytes(data: bytes, file_format: str) -> tuple[list[str], list]:
    """Read an annotation file (csv, json or xlsx) into (headers, rows),
    undoing the spreadsheet formula escape our exports apply. A JSON file's
    objects are read by key, whatever their order, a key an object lacks
    being an empty cell."""
    classes = {"csv": spreadsheets.CSV, "json": spreadsheets.JSON, "xlsx": spreadsheets.XLSX}
    if file_format not in classes:
        raise ImportProblem(f"unknown format {file_format!r}; use csv, json or xlsx")
    if not data.strip():
        raise ImportProblem("the file is empty")
    if file_format == "json":
        try:
            parsed = json_input.parse(decode_article_bytes(data))
        except json_input.JsonProblem as problem:
            raise ImportProblem(str(problem)) from None
        if not isinstance(parsed, list) or not all(isinstance(item, dict) for item in parsed):
            raise ImportProblem("the JSON must be a list of objects, as the export writes it")
        if not parsed:
            raise ImportProblem("the file holds no annotations")
        headers = list(dict.fromkeys(key for item in parsed for key in item))
        return headers, [[item.get(h) for h in headers] for item in parsed]
    try:
        if file_format == "csv":
            return _csv_table(decode_article_bytes(data))
        dataset = classes[file_format]().create_dataset(data)
    except ImportProblem:
        raise
    except csv.Error as error:
        raise ImportProblem(f"cannot read the file as CSV: {csv_reason(error)}") from None
    except tablib.InvalidDimensions:
        # tablib raises it with no message when a row is longer than the header.
        raise ImportProblem(
            f"cannot read the file as {file_format.upper()}: a row has more cells than the header has columns"
        ) from None
    except Exception as error:  # tablib and openpyxl raise many kinds
        raise ImportProblem(f"cannot read the file as {file_format.upper()}: {error}") from None
    return list(dataset.headers or []), list(dataset)


def _csv_table(text: str) -> tuple[list[str], list[list[str]]]:
    """A CSV file read as tablib reads it for ``spreadsheets.CSV`` (the
    first row the header, blank lines skipped, short rows padded, a long
    one refused, formula escapes undone), without building two Datasets
    of it: for 10,000 rows that was most of the time spent reading."""
    reader = csv.reader(io.StringIO(text, newline=""))
    headers = next(reader, [])
    width, unescape = len(headers), spreadsheets.unescape_formula
    rows = []
    for row in reader:
        if not row:
            continue
        if len(row) > width:
            raise tablib.InvalidDimensions
        rows.append([unescape(cell) if cell[:1] == "'" else cell for cell in row] + [""] * (width - len(row)))
    return headers, rows


def import_annotation_table(
    data: bytes,
    *,
    file_format: str,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    policy: ImportPolicy | None = None,
) -> AnnotationImportReport:
    """Import an annotation export. The whole file is checked first; a file
    with any bad row writes nothing, and the report names every bad row.
    The file is read once; the writing is one transaction, so an interrupted
    import leaves the database as it was. ``progress(stage, row, rows)`` is
    called every PROGRESS_EVERY rows and at the last, with stage "checking"
    or "writing". With ``policy`` None the file is trusted (authors and
    times kept), as an operator's restore does."""
    report = AnnotationImportReport()
    try:
        headers, rows = annotation_table_from_bytes(data, file_format)
    except ImportProblem as problem:
        report.errors.append(str(problem))
        return report
    report.total = len(rows)
    with transaction.atomic():
        table = annotation_tables.read_table(headers, rows, report)
        if not report.errors:
            drafts.save_drafts(
                table.drafts, report, texts=table.texts, dry_run=dry_run, policy=policy,
                progress=progress, progress_every=PROGRESS_EVERY,
            )  # fmt: skip
    report.finish()
    return report


# A line every hundred rows shows movement without flooding a log.
PROGRESS_EVERY = 100


# ---- one entry point for every format -------------------------------------------


def import_format_of(data: bytes, filename: str) -> str | None:
    """The import format of a file: its suffix's (``import_format_for``),
    except that a .json or .jsonl file holding Label Studio tasks is
    ``labelstudio``, and a .json or .jsonld file of Hypothesis's (its API,
    its client's export, its JSON-LD) is ``hypothesis``: those tools name
    their files so. None when the suffix names no format."""
    by_suffix = import_format_for(filename)
    if by_suffix in ("json", "doccano") and labelstudio_in.looks_like_tasks(data):
        return "labelstudio"
    if by_suffix in ("json", "w3c") and hypothesis.looks_like_hypothesis(data):
        return "hypothesis"
    return by_suffix


def _read_w3c(data: bytes, *, reviewer: str | None, source: str | None, **maps):
    return webannotation.read_collection(data, default_reviewer=reviewer)


def _read_doccano(data: bytes, *, reviewer: str | None, source: str | None, **maps):
    return doccano.read_lines(data, default_reviewer=reviewer, default_source=source)


def _read_labelstudio(data: bytes, *, reviewer: str | None, source: str | None, user_map, label_map):
    return labelstudio_in.read_tasks(
        data, default_reviewer=reviewer, default_source=source, user_map=user_map, label_map=label_map
    )


def _read_hypothesis(data: bytes, *, reviewer: str | None, source: str | None, user_map, label_map):
    return hypothesis.read_annotations(data, default_reviewer=reviewer, user_map=user_map, label_map=label_map)


# Other tools' formats: a reader of drafts for ``drafts.run_import``. The
# table formats (ours) are read by ``annotation_tables``.
INTEROP_READERS = {
    "w3c": _read_w3c,
    "doccano": _read_doccano,
    "labelstudio": _read_labelstudio,
    "hypothesis": _read_hypothesis,
}
# The formats that read a user map and a label map (another tool's names
# for people and labels).
MAPPED_FORMATS = ("labelstudio", "hypothesis")


def import_annotation_file(
    data: bytes,
    file_format: str,
    *,
    user,
    keep_authors: bool = False,
    dry_run: bool = False,
    reviewer: str | None = None,
    source: str | None = None,
    user_map: dict[str, str] | None = None,
    label_map: dict[str, str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> AnnotationImportReport:
    """Import an annotation file of any format Sourcemark reads
    (``file_formats.IMPORT_FORMATS``) as ``user``; the command, the API and
    the admin all call this. Whatever the format, the whole file is checked
    first and a file with any problem writes nothing (``report.errors``
    names each, by row or line).

    Every row must be one ``user`` could write on the page (their own
    spans on articles they may annotate; consensus spans if they lead,
    until the article is adjudicated), and a file's authors and times are
    not taken, unless ``keep_authors``, which only staff restoring data may
    ask for (``ImportPolicy``). The history names ``user`` for every row.

    ``reviewer`` and ``source`` fill in what another tool's file may not
    say (the author of its spans, the outlet of a new article);
    ``user_map`` and ``label_map`` turn another tool's names for its
    annotators and labels into our usernames and label slugs
    (``MAPPED_FORMATS``); ``progress`` is called as rows are checked and
    written (table formats)."""
    policy = ImportPolicy(user, keep_authors=keep_authors)
    if (refusal := policy.refusal_of_file) is not None:
        report = AnnotationImportReport()
        report.errors.append(refusal)
        return report
    if file_format in TABLE_FORMATS:
        return import_annotation_table(data, file_format=file_format, dry_run=dry_run, progress=progress, policy=policy)
    if file_format not in INTEROP_READERS:
        report = AnnotationImportReport()
        report.errors.append(f"unknown format {file_format!r}; use one of {', '.join(IMPORT_FORMATS)}")
        return report
    if (user_map or label_map) and file_format not in MAPPED_FORMATS:
        report = AnnotationImportReport()
        report.errors.append(f"a user or label map is for {', '.join(MAPPED_FORMATS)} files, not {file_format}")
        return report
    reader = INTEROP_READERS[file_format](
        data, reviewer=reviewer, source=source, user_map=user_map or {}, label_map=label_map or {}
    )
    return drafts.run_import(reader, dry_run=dry_run, policy=policy)
