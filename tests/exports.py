"""Reading an export back, for tests that check what a download holds."""

import csv
import io
import json


def read_export(data: bytes, export_format: str) -> list[dict]:
    """The rows of a CSV or JSON export as dicts (CSV cells are all text)."""
    if export_format == "json":
        return json.loads(data.decode("utf-8"))
    if export_format == "csv":
        return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    raise ValueError(f"cannot read {export_format!r}")
