"""Reading annotation files into Sourcemark: our own CSV/JSON/XLSX exports,
checked whole by ``AnnotationResource`` before anything is written."""

import csv
from collections.abc import Callable

import tablib

from annotate.io import spreadsheets
from annotate.io.articles_in import ImportProblem, csv_reason, decode_article_bytes
from annotate.io.file_formats import IMPORT_FORMATS, TABLE_FORMATS
from annotate.io.import_policy import ImportPolicy
from annotate.io.import_reports import AnnotationImportReport
from annotate.io.interop import doccano, drafts, webannotation
from annotate.io.resources import AnnotationResource
from annotate.rules import json_input


def annotation_dataset_from_bytes(data: bytes, file_format: str):
    """Read an annotation file (csv, json or xlsx) into a tablib Dataset,
    undoing the spreadsheet formula escape our exports apply."""
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
        dataset = tablib.Dataset(headers=headers)
        for item in parsed:
            dataset.append([item.get(h) for h in headers])
        return dataset
    try:
        text_or_bytes = data if file_format == "xlsx" else decode_article_bytes(data)
        return classes[file_format]().create_dataset(text_or_bytes)
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
    The writing pass is one transaction, so an interrupted import leaves the
    database as it was. ``progress(stage, row, rows)`` is called every
    PROGRESS_EVERY rows and at the last, with stage "checking" or "writing"."""
    report = AnnotationImportReport()
    try:
        dataset = annotation_dataset_from_bytes(data, file_format)
    except ImportProblem as problem:
        report.errors.append(str(problem))
        return report
    report.total = len(dataset)
    row_progress = _row_progress(progress, report.total)
    result = AnnotationResource(import_policy=policy).import_data(
        dataset, dry_run=True, use_transactions=True, rollback_on_validation_errors=True, progress=row_progress
    )
    report.errors = describe_import_errors(result)
    if not report.errors and not dry_run:
        result = AnnotationResource(import_policy=policy).import_data(
            dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True, progress=row_progress
        )
        report.errors = describe_import_errors(result)
        report.written = not report.errors
    totals = result.totals
    report.new, report.updated, report.unchanged = totals["new"], totals["update"], totals["skip"]
    return report


# A row takes milliseconds to check and write, so a line every hundred rows
# shows movement without flooding a log.
PROGRESS_EVERY = 100


def _row_progress(progress: Callable[[str, int, int], None] | None, total: int):
    if progress is None:
        return None

    def row_done(number: int, dry_run: bool) -> None:
        if number % PROGRESS_EVERY == 0 or number == total:
            progress("checking" if dry_run else "writing", number, total)

    return row_done


def describe_import_errors(result) -> list[str]:
    """One line per problem of a django-import-export Result, with row numbers
    counted from the first data row (the header is not a row)."""
    problems = [f"file: {error.error}" for error in result.base_errors]
    if problems:
        # A file-level problem (a missing column) fails every row the same
        # way; listing each row would bury the one line that says why.
        return problems
    rows: dict[int, list[str]] = {}
    for number, errors in result.row_errors():
        rows.setdefault(number, []).extend(str(error.error) for error in errors)
    for invalid in result.invalid_rows:
        for field_name, messages in invalid.error_dict.items():
            name = "row" if field_name == "__all__" else field_name
            rows.setdefault(invalid.number, []).extend(f"{name}: {m}" for m in messages)
    for number in sorted(rows):
        problems.append(f"row {number}: {'; '.join(rows[number])}")
    return problems


# ---- one entry point for every format -------------------------------------------


def _read_w3c(data: bytes, *, reviewer: str | None, source: str | None):
    return webannotation.read_collection(data, default_reviewer=reviewer)


def _read_doccano(data: bytes, *, reviewer: str | None, source: str | None):
    return doccano.read_lines(data, default_reviewer=reviewer, default_source=source)


# Other tools' formats: a reader of drafts for ``drafts.run_import``. The
# table formats (ours) go through AnnotationResource instead.
INTEROP_READERS = {"w3c": _read_w3c, "doccano": _read_doccano}


def import_annotation_file(
    data: bytes,
    file_format: str,
    *,
    user,
    keep_authors: bool = False,
    dry_run: bool = False,
    reviewer: str | None = None,
    source: str | None = None,
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
    say (the author of its spans, the outlet of a new article); ``progress``
    is called as rows are checked and written (table formats)."""
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
    reader = INTEROP_READERS[file_format](data, reviewer=reviewer, source=source)
    return drafts.run_import(reader, dry_run=dry_run, policy=policy)
