"""File formats for spreadsheets, with formula injection neutralised.

A cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
run as a formula by Excel, LibreOffice and Google Sheets. We prefix such a
cell with an apostrophe, and also any cell that already consists of
apostrophes followed by such a character, so that the escape can be undone
exactly: ``unescape_formula(escape_formula(v)) == v`` for every string. Our
own CSV/XLSX imports undo it, so a round trip loses nothing. JSON is not a
spreadsheet format and is written as is.
"""

import io
import zipfile

import tablib
from django.conf import settings
from import_export.formats import base_formats
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from annotate.io.zip_limits import ZipTooLarge, refuse_large_members
from annotate.rules import json_input

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Exports call escape_formula on every cell; checking the first character
# against a set first keeps the common case (plain text, numbers) cheap.
MAY_NEED_ESCAPE = frozenset("=+-@\t\r'")


def escape_formula(value):
    # isinstance rather than a class check: a str subclass (SafeString, say)
    # reaches a spreadsheet just the same, and costs the same to test.
    if isinstance(value, str) and value[:1] in MAY_NEED_ESCAPE and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(value):
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def xlsx_safe(value):
    """Escape formulas and replace the control characters XLSX cannot hold."""
    return xlsx_cell(escape_formula(value))


def xlsx_cell(value):
    """A cell already escaped for formulas, made storable in XLSX."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
    return value


def _map_dataset(dataset, func):
    """A copy of a tablib Dataset with ``func`` applied to every cell."""
    copy = dataset.__class__(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        copy.append([func(cell) for cell in row])
    return copy


class CSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        return super().export_data(_map_dataset(dataset, escape_formula), **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        return _map_dataset(super().create_dataset(in_stream, **kwargs), unescape_formula)


class XLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        return super().export_data(_map_dataset(dataset, xlsx_safe), **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        """Every XLSX import (the admin's, import_annotations) reads here, so
        a workbook that would unpack past ``settings.XLSX_MAX_UNPACKED_BYTES``
        is refused before openpyxl inflates any of it."""
        limit = settings.XLSX_MAX_UNPACKED_BYTES
        data = in_stream if isinstance(in_stream, bytes) else in_stream.read()
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as workbook:
                refuse_large_members(workbook, member_limit=limit, total_limit=limit)
        except zipfile.BadZipFile:
            pass  # not a zip at all: openpyxl says so in its own words below
        except ZipTooLarge as error:
            raise ValueError(f"the workbook is too large to read: {error} (XLSX_MAX_UNPACKED_BYTES)") from None
        return _map_dataset(super().create_dataset(data, **kwargs), unescape_formula)


class JSON(base_formats.JSON):
    def create_dataset(self, in_stream, **kwargs):
        """Read a list of objects by key. tablib takes the first object's keys
        as headers and every object's values by position, so records whose
        keys come in another order would silently swap columns."""
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode(self.encoding or "utf-8-sig")
        # Refuses hostile nesting and numbers by name (JsonProblem, a ValueError).
        data = json_input.parse(in_stream)
        if not (isinstance(data, list) and data and all(isinstance(item, dict) for item in data)):
            return super().create_dataset(in_stream, **kwargs)
        headers = list(dict.fromkeys(key for item in data for key in item))
        dataset = tablib.Dataset(headers=headers)
        for item in data:
            dataset.append([item.get(header) for header in headers])
        return dataset


SPREADSHEET_SAFE_FORMATS = [CSV, XLSX, JSON]
