"""Our own annotation files (CSV, JSON, XLSX: ``AnnotationResource``'s
columns, README "Export schema") read into ``SpanDraft`` rows for the bulk
writer, with the articles, labels and reviewers they name looked up once
for the whole file.

The Resource stays the declaration of the shape: its column names, its
required columns, and its widgets for the cells that need parsing (whole
numbers, times). What the Resource's own row-by-row import looked up per
row (the article, the label, the reviewer) is looked up here from tables
read once, and refused in the words its widgets use."""

from collections.abc import Sequence

from django.contrib.auth import get_user_model

from annotate.actions.bulk_annotations import SpanDraft
from annotate.io.import_reports import AnnotationImportReport
from annotate.io.resources import ANNOTATION_REQUIRED_COLUMNS, AnnotationResource
from annotate.models import MAX_ID, SPAN_TEXT_LIMITS, Annotation, Article, Label
from annotate.rules import json_input

# Ids and names per query: far below any database's limit on parameters.
PER_QUERY = 500
# The natural key's cells in the order the Resource's row import read
# them: the first that fails is the row's one problem, as it was there.
# (The layer is text; a bad one is the model's to refuse.)
KEY_CELLS = ("article_id", "reviewer", "label", "start", "end")


class TableDrafts:
    """A table's rows as drafts, and the texts of the articles they name."""

    def __init__(self):
        self.drafts: list[SpanDraft] = []
        self.texts: dict[int, str] = {}


def read_table(headers: Sequence[str], rows: Sequence[Sequence], report: AnnotationImportReport) -> TableDrafts:
    """The drafts of a table's rows (row 1 is the first after the header).
    A row whose article, label, reviewer or offsets cannot be read gets its
    problem in ``report`` and no draft; a row with a bad time gets both (the
    rest of it is still checked, so a row's problems are reported at once)."""
    found = TableDrafts()
    missing = [column for column in ANNOTATION_REQUIRED_COLUMNS if column not in headers]
    if missing:
        # Every row would fail the same way; one line says why.
        report.errors.append(f"file: missing column(s): {', '.join(missing)}")
        return found
    column = {name: index for index, name in enumerate(headers)}
    widgets = {name: f.widget for name, f in AnnotationResource().fields.items()}
    article_index, reviewer_index = column["article_id"], column["reviewer"]
    found.texts = _article_texts({_article_id(row[article_index]) for row in rows} - {None})
    users = _users({_lookup_key(row[reviewer_index]) for row in rows} - {None})
    labels = dict(Label.objects.values_list("slug", "pk"))
    lookups = {"article_id": found.texts, "reviewer": users, "label": labels}
    nouns = {"article_id": "article", "reviewer": "reviewer", "label": "label"}
    keys = {"article_id": _article_id, "reviewer": _lookup_key, "label": _lookup_key}
    optional = [(name, column.get(name)) for name in SPAN_TEXT_LIMITS]
    times = [(name, column.get(name)) for name in ("created_at", "updated_at")]
    layer_index = column.get("layer")
    start_widget, end_widget, time_widget = widgets["start"].clean, widgets["end"].clean, widgets["created_at"].clean
    for number, row in enumerate(rows, start=1):
        where = f"row {number}"
        values = {}
        try:
            for name in KEY_CELLS:
                cell = row[column[name]]
                if name == "start":
                    values[name] = start_widget(cell)
                elif name == "end":
                    values[name] = end_widget(cell)
                else:
                    values[name] = _looked_up(cell, lookups[name], keys[name], nouns[name])
        except ValueError as error:
            report.fail(where, str(error), order=(number,))
            continue
        stamps = {}
        for name, index in times:
            cell = row[index] if index is not None else None
            if cell in (None, ""):
                stamps[name] = None
                continue
            try:
                stamps[name] = time_widget(cell)
            except ValueError as error:
                report.fail(where, f"{name}: {error}", order=(number,))
                stamps[name] = None
        layer = row[layer_index] if layer_index is not None else None
        found.drafts.append(
            SpanDraft(
                where=where,
                order=(number,),
                article_id=values["article_id"],
                label_id=values["label"],
                reviewer=values["reviewer"],
                start=values["start"],
                end=values["end"],
                quote=_text(row[column["quote"]]),
                layer=Annotation.Layer.REVIEWER if layer in (None, "") else _text(layer),
                **{name: None if index is None else _text(row[index]) for name, index in optional},
                **stamps,
            )  # fmt: skip
        )
    return found


def _text(value) -> str:
    """A text cell as the Resource's TextWidget reads it."""
    return "" if value is None else str(value)


def _lookup_key(value):
    """A label or reviewer cell as the Resource's lookup matched it: text,
    stripped (a number in a JSON file is its digits); None for an empty
    cell or one no database could be asked about."""
    if value is None:
        return None
    key = value.strip() if isinstance(value, str) else str(value)
    if not key or json_input.unstorable_reason(key) is not None:
        return None
    return key


def _article_id(value) -> int | None:
    """An article cell as a primary key lookup takes it (int() of it, as
    Django's does), or None when it cannot name an article."""
    if isinstance(value, str):
        value = value.strip()
    if value in (None, ""):
        return None
    try:
        pk = Article._meta.pk.get_prep_value(value)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk <= MAX_ID else None


def _looked_up(cell, table: dict, key_of, noun: str):
    """The row ``cell`` names in ``table``, raising ValueError in the words
    of the Resource's LookupWidget when it names none."""
    shown = cell.strip() if isinstance(cell, str) else cell
    if shown in (None, ""):
        raise ValueError(f"no {noun} given")
    key = key_of(cell)
    if key is None or key not in table:
        raise ValueError(f"unknown {noun} {shown!r}")
    # An article's value is its text; the writer wants its id.
    return key if noun == "article" else table[key]


def _article_texts(ids: set[int]) -> dict[int, str]:
    """Each article's text by id: the only column the writer needs."""
    texts = {}
    ordered = sorted(ids)
    for first in range(0, len(ordered), PER_QUERY):
        texts.update(Article.objects.filter(pk__in=ordered[first : first + PER_QUERY]).values_list("pk", "text"))
    return texts


def _users(names: set[str]) -> dict[str, object]:
    users = {}
    ordered = sorted(names)
    model = get_user_model()
    for first in range(0, len(ordered), PER_QUERY):
        chunk = ordered[first : first + PER_QUERY]
        users.update((user.get_username(), user) for user in model.objects.filter(**{"username__in": chunk}))
    return users
