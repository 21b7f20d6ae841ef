"""Every annotation file format Sourcemark reads or writes, declared once:
its name on the command line, in the API and on the pages, its title in a
menu, its file suffix and its content type. Exports, imports, the API's
schema and the download pages all read this table."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FileFormat:
    name: str
    title: str
    suffix: str  # without the dot; may itself hold one ("claimreview.jsonld")
    content_type: str
    # AnnotationResource's columns (our own table shape), not another tool's.
    table: bool = False
    # Opened by spreadsheet programs, so formula cells are escaped.
    spreadsheet: bool = False
    exports: bool = True
    imports: bool = True


FILE_FORMATS: dict[str, FileFormat] = {
    f.name: f
    for f in (
        FileFormat("csv", "CSV", "csv", "text/csv; charset=utf-8", table=True, spreadsheet=True),
        FileFormat("json", "JSON", "json", "application/json", table=True),
        FileFormat(
            "xlsx",
            "Excel (XLSX)",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            table=True,
            spreadsheet=True,
        ),
        FileFormat(
            "w3c",
            "W3C Web Annotation (JSON-LD)",
            "jsonld",
            'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
        ),
        FileFormat("doccano", "doccano JSONL (sequence labelling)", "jsonl", "application/jsonl; charset=utf-8"),
        # Label Studio's own exports end in .json or .jsonl too: the import
        # tells them from ours and doccano's by their content.
        FileFormat("labelstudio", "Label Studio tasks (JSON)", "labelstudio.json", "application/json"),
        # Hypothesis's API and client write .json (and JSON-LD) too; told by content.
        FileFormat("hypothesis", "Hypothesis annotations (JSON)", "hypothesis.json", "application/json"),
        # Written for fact-checking sites and search engines; nothing to read back.
        FileFormat(
            "claimreview",
            "ClaimReview (consensus unsupported claims)",
            "claimreview.jsonld",
            "application/ld+json",
            imports=False,
        ),
    )
}

EXPORT_FORMATS = tuple(name for name, f in FILE_FORMATS.items() if f.exports)
IMPORT_FORMATS = tuple(name for name, f in FILE_FORMATS.items() if f.imports)
TABLE_FORMATS = tuple(name for name, f in FILE_FORMATS.items() if f.table)
CONTENT_TYPES = {name: f.content_type for name, f in FILE_FORMATS.items()}


def import_format_for(filename: str) -> str | None:
    """The import format a file name's suffix says (longest suffix first),
    or None when it says none."""
    lowered = filename.lower()
    by_length = sorted((f for f in FILE_FORMATS.values() if f.imports), key=lambda f: -len(f.suffix))
    return next((f.name for f in by_length if lowered.endswith("." + f.suffix)), None)
