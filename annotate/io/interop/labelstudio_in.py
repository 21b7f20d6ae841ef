"""Reading Label Studio tasks (``labelstudio`` describes the format and
writes it): its JSON export, one task as its cloud storage writes it,
JSON-MIN, and JSONL, into drafts for ``drafts.run_import``."""

import datetime as dt
import json
import re
from dataclasses import dataclass

from django.utils.dateparse import parse_datetime

from annotate.actions.bulk_annotations import SpanDraft
from annotate.io.interop.drafts import ImportRejected, InteropReport, Lookups, article_for_text, text_field
from annotate.io.interop.labelstudio import REGION_FIELDS
from annotate.models import Annotation
from annotate.rules import json_input, offsets

READ_FIELDS = ("note", *REGION_FIELDS)
# Region types that are spans of something other than a plain text (an
# image, an HTML page, a dialogue): refused by name, never silently lost.
ELSEWHERE = "labels"
# Keys of a JSON-MIN item that are the converter's, not the task's data.
MIN_KEYS = frozenset({"id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time", "agreement"})


def looks_like_tasks(data: bytes) -> bool:
    """Whether a .json or .jsonl file is Label Studio's rather than our own
    JSON export or a doccano file: its first item has ``data`` and
    ``annotations`` (or the ``completions`` of Label Studio before 1.0, or
    ``predictions``), or is a JSON-MIN item (``annotator`` or
    ``annotation_id`` beside its ``text``). A file that is not JSON is not."""
    first_line = next((line for line in data.split(b"\n") if line.strip()), b"")
    try:
        # A line of JSONL is enough to tell; a JSON file is read whole.
        first = json_input.parse(first_line.decode("utf-8-sig"), one_line=True)
    except (UnicodeDecodeError, json_input.JsonProblem):
        try:
            items = _items_of(data)
        except ImportRejected:
            return False
        first = items[0] if items else None
    if isinstance(first, list):
        first = first[0] if first else None
    if not isinstance(first, dict):
        return False
    keys = set(first)
    full = isinstance(first.get("data"), dict) and bool(keys & {"annotations", "completions", "predictions"})
    return full or ("text" in keys and bool(keys & {"annotator", "annotation_id"}))


@dataclass
class _Options:
    default_reviewer: str | None
    default_source: str | None
    user_map: dict[str, str]


def read_tasks(
    data: bytes,
    *,
    default_reviewer: str | None = None,
    default_source: str | None = None,
    user_map: dict[str, str] | None = None,
    label_map: dict[str, str] | None = None,
):
    """A reader for ``drafts.run_import``: Label Studio's JSON export (a
    list of tasks, or one task as its cloud storage writes a file per task),
    JSON-MIN, or JSONL with a task or JSON-MIN item per line. Problems name
    the task (1-based, in file order, with Label Studio's id), the
    annotation and the result ("task 3 (id 87), annotation 1, result 2").

    ``completed_by`` is mapped to a user by ``user_map`` (its id, email or
    username to our username), else by email, else by the username our own
    export writes beside it, else to ``default_reviewer``; any other is
    refused by name."""
    options = _Options(default_reviewer, default_source, user_map or {})

    def read(report: InteropReport) -> tuple[list[SpanDraft], dict[int, str]]:
        items = _items_of(data)
        if not items:
            raise ImportRejected("the file holds no tasks")
        reader = _Reader(report, Lookups(label_map=label_map), options)
        for number, item in enumerate(items, start=1):
            report.place = (number,)
            reader.task(number, item)
        return reader.drafts, reader.texts

    return read


def _items_of(data: bytes) -> list:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(f"the file is not UTF-8 (byte at position {error.start})") from None
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) > 1 and lines[0].lstrip().startswith("{") and lines[0].rstrip().endswith("}"):
        # JSONL: a task per line (a pretty-printed single task has a "{"
        # alone on its first line, and is read whole below).
        items = []
        for number, line in enumerate(lines, start=1):
            try:
                items.append(json_input.parse(line, one_line=True))
            except json_input.JsonProblem as problem:
                raise ImportRejected(f"line {number}: {problem}") from None
        return items
    try:
        parsed = json_input.parse(text)
    except json_input.JsonProblem as problem:
        raise ImportRejected(str(problem)) from None
    if isinstance(parsed, dict):
        return [parsed]
    if not isinstance(parsed, list):
        raise ImportRejected("expected Label Studio tasks: a JSON list of tasks, one task, or a task per line")
    return parsed


class _Reader:
    """The drafts of one file, task by task, with what the tasks share
    looked up once: articles by text, users by what the file calls them."""

    def __init__(self, report: InteropReport, lookups: Lookups, options: _Options):
        self.report, self.lookups, self.options = report, lookups, options
        self.drafts: list[SpanDraft] = []
        self.texts: dict[int, str] = {}
        self.articles: dict = {}
        self.reviewers: dict[str, object] = {}

    # -- tasks

    def task(self, number: int, item) -> None:
        where = f"task {number}"
        if isinstance(item, dict) and isinstance(item.get("id"), int) and not isinstance(item["id"], bool):
            where += f" (id {item['id']})"
        if not isinstance(item, dict):
            self.report.fail(where, "a task must be a JSON object")
            return
        if isinstance(item.get("data"), dict) or "annotations" in item or "completions" in item:
            self._full_task(number, where, item)
        elif "text" in item:
            self._min_item(number, where, item)
        else:
            self.report.fail(where, "not a Label Studio task: no data (JSON export) and no text (JSON-MIN)")

    def _full_task(self, number: int, where: str, item: dict) -> None:
        if item.get("predictions"):
            self.report.fail(where, "predictions are suggestions, which Sourcemark does not import yet")
            return
        data = item.get("data")
        annotations = item.get("annotations", item.get("completions", []))
        if not isinstance(annotations, list):
            self.report.fail(where, "annotations must be a list")
            return
        if isinstance(item.get("drafts"), list) and item["drafts"]:
            # A snapshot's unsubmitted work: not an annotator's answer yet.
            self.report.leave_out("draft(s)", len(item["drafts"]))
        mapping, article = self._article(where, data if isinstance(data, dict) else {})
        if article is None:
            return
        for index, annotation in enumerate(annotations, start=1):
            self._annotation(where, (number, index), annotation, mapping, article)

    def _min_item(self, number: int, where: str, item: dict) -> None:
        """A JSON-MIN item: one annotation of one task, its data's keys at
        the top beside a list of region values per control (the converter's
        ``convert_to_json_min``: ``prettify_result`` of each control's values)."""
        mapping, article = self._article(where, item)
        if article is None:
            return
        annotator = item.get("annotator")
        completed_by = {"email": annotator} if isinstance(annotator, str) and "@" in annotator else annotator
        try:
            reviewer = self._reviewer(completed_by)
        except ValueError as error:
            self.report.fail(where, str(error))
            return
        created, updated = self._time(item.get("created_at"), where), self._time(item.get("updated_at"), where)
        regions = [
            value
            for key, values in item.items()
            if key not in MIN_KEYS and isinstance(values, list)
            for value in values
            if isinstance(value, dict) and "start" in value and "end" in value
        ]
        for index, value in enumerate(regions, start=1):
            self.report.place = (number, index)
            kinds = [key for key in value if key.endswith(ELSEWHERE) and key != "labels"]
            if kinds:
                self.report.fail(f"{where}, result {index}", _elsewhere(kinds[0]))
                continue
            if "labels" not in value:
                # A per-region text: JSON-MIN drops the region's id, so it
                # cannot be told which span it belongs to.
                self.report.leave_out("per-region text(s)")
                continue
            self._spans(
                f"{where}, result {index}", (number, index), value, {}, mapping, article, reviewer,
                Annotation.Layer.REVIEWER, created, updated,
            )  # fmt: skip

    def _article(self, where: str, data: dict):
        raw = data.get("text")
        if not isinstance(raw, str) or not raw.strip():
            self.report.fail(where, "no text: Sourcemark reads the task's text from data.text")
            return None, None
        mapping = offsets.NormalisationMap(raw)
        article = article_for_text(
            mapping, data, where, self.report, articles=self.articles,
            default_source=self.options.default_source, file_name="labelstudio",
        )  # fmt: skip
        if article is not None:
            self.texts[article.pk] = article.text
        return mapping, article

    # -- annotations and their results

    def _annotation(self, task_where: str, order: tuple, annotation, mapping, article) -> None:
        where = f"{task_where}, annotation {order[-1]}"
        self.report.place = order
        if not isinstance(annotation, dict):
            self.report.fail(where, "an annotation must be a JSON object")
            return
        if annotation.get("was_cancelled") is True or annotation.get("skipped") is True:
            self.report.leave_out("skipped annotation(s)")
            return
        results = annotation.get("result")
        if not isinstance(results, list):
            self.report.fail(where, "result must be a list of regions")
            return
        try:
            reviewer = self._reviewer(annotation.get("completed_by"))
        except ValueError as error:
            self.report.fail(where, str(error))
            return
        layer = Annotation.Layer.CONSENSUS if annotation.get("ground_truth") is True else Annotation.Layer.REVIEWER
        created = self._time(annotation.get("created_at"), where)
        updated = self._time(annotation.get("updated_at"), where)
        fields: dict[str, dict[str, str]] = {}
        regions = []
        for index, result in enumerate(results, start=1):
            result_where = f"{where}, result {index}"
            self.report.place = (*order, index)
            if not isinstance(result, dict) or not isinstance(result.get("type"), str):
                self.report.fail(result_where, "a result must be an object with a type")
                continue
            kind = result["type"].lower()
            value = result.get("value")
            if kind == "labels":
                regions.append((index, result_where, result))
            elif kind == "textarea" and result.get("from_name") in REGION_FIELDS and "id" in result:
                texts = value.get("text") if isinstance(value, dict) else None
                joined = _joined(texts)
                if joined is None:
                    self.report.fail(result_where, f"{result['from_name']}: value.text must be a list of texts")
                    continue
                fields.setdefault(str(result["id"]), {})[result["from_name"]] = joined
            elif kind.endswith(ELSEWHERE):
                self.report.fail(result_where, _elsewhere(kind))
            else:
                # Choices about the whole text, relations between regions,
                # ratings: nothing of Sourcemark's holds them.
                self.report.leave_out(f"{kind} result(s)")
        for index, result_where, result in regions:
            self.report.place = (*order, index)
            own = dict(fields.get(str(result.get("id")), {}))
            meta = result.get("meta")
            if isinstance(meta, dict) and "text" in meta:
                note = _joined(meta["text"])
                if note is None:
                    self.report.fail(result_where, "meta.text (the region's note) must be a list of texts")
                    continue
                own["note"] = note
            times = meta.get("sourcemark") if isinstance(meta, dict) else None
            span_created, span_updated = created, updated
            if isinstance(times, dict):
                span_created = self._time(times.get("created_at"), result_where) or created
                span_updated = self._time(times.get("updated_at"), result_where) or updated
            value = result.get("value")
            self._spans(
                result_where, (*order, index), value, own, mapping, article, reviewer, layer,
                span_created, span_updated,
            )  # fmt: skip

    def _spans(self, where, order, value, fields, mapping, article, reviewer, layer, created, updated) -> None:
        """A draft per label of one region's ``value``."""
        report = self.report
        if not isinstance(value, dict):
            report.fail(where, "value must be an object with start, end and labels")
            return
        start, end, quote, names = value.get("start"), value.get("end"), value.get("text"), value.get("labels")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            report.fail(where, f"value.start and value.end must be whole numbers, got {start!r} and {end!r}")
            return
        if not isinstance(names, list) or not names:
            report.fail(where, "value.labels must name at least one label")
            return
        if quote is not None and not isinstance(quote, str):
            report.fail(where, "value.text must be the region's text")
            return
        try:
            start, end = _code_points(mapping.raw, start, end, quote, report)
            span = mapping.map(start, end)
        except offsets.SpanError as error:
            report.fail(where, str(error))
            return
        values = {name: text_field(report, where, name, fields.get(name)) for name in READ_FIELDS}
        for name in names:
            try:
                label = self.lookups.label(name)
            except ValueError as error:
                report.fail(where, str(error))
                continue
            self.drafts.append(
                SpanDraft(
                    where=where,
                    order=order,
                    article_id=article.pk,
                    label_id=label.pk,
                    start=span.start,
                    end=span.end,
                    quote=article.text[span.start : span.end],
                    reviewer=reviewer,
                    layer=layer,
                    created_at=created,
                    updated_at=updated or created,
                    **values,
                )  # fmt: skip
            )

    # -- people and times

    def _reviewer(self, completed_by):
        """The user an annotation's ``completed_by`` names; ValueError
        naming it (and how to map it) when it names nobody here."""
        if completed_by is None:
            if self.options.default_reviewer:
                return self.lookups.user(self.options.default_reviewer)
            raise ValueError("the annotation does not say who made it (completed_by); give a default reviewer")
        if isinstance(completed_by, bool) or not isinstance(completed_by, int | str | dict):
            raise ValueError("completed_by must be an annotator's id or an object with their email")
        if isinstance(completed_by, dict):
            email, number, username = (completed_by.get(key) for key in ("email", "id", "username"))
        else:
            email, number, username = None, completed_by, None
        keys = [str(key) for key in (number, email, username) if isinstance(key, int | str) and str(key)]
        cache_key = json.dumps(keys)
        if cache_key not in self.reviewers:
            self.reviewers[cache_key] = self._find_reviewer(email, username, keys)
        return self.reviewers[cache_key]

    def _find_reviewer(self, email, username, keys: list[str]):
        # An entry of the map is the importer's own word, so it comes first.
        for key in keys:
            if key in self.options.user_map:
                return self.lookups.user(self.options.user_map[key])
        if isinstance(email, str) and email:
            found = self.lookups.users_with_email(email)
            if len(found) > 1:
                raise ValueError(f"more than one user has the email {email!r}: map it (--user-map {email}=USERNAME)")
            if found:
                return found[0]
        if isinstance(username, str) and username:
            try:
                return self.lookups.user(username)
            except ValueError:
                pass
        if self.options.default_reviewer:
            return self.lookups.user(self.options.default_reviewer)
        who = " ".join(keys[:1] + [f"({key})" for key in keys[1:]]) or "?"
        example = next((key for key in keys if "@" in key), keys[0] if keys else "ID")
        raise ValueError(
            f"annotator {who} is no Sourcemark user: map it (--user-map {example}=USERNAME) or give a default reviewer"
        )

    def _time(self, value, where: str) -> dt.datetime | None:
        """A date-time as Label Studio writes it (ISO 8601 in UTC), or the
        seconds since 1970 of its versions before 1.0; None when absent."""
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return dt.datetime.fromtimestamp(value, tz=dt.UTC)
            except (OverflowError, OSError, ValueError):
                pass
        else:
            try:
                parsed = parse_datetime(value) if isinstance(value, str) else None
            except ValueError:  # well-formed but impossible, like month 13
                parsed = None
            if parsed is not None and parsed.tzinfo is not None:
                return parsed
        self.report.fail(where, f"{value!r} is not a date-time with a time zone, like 2024-03-05T10:00:00Z")
        return None


def _code_points(raw: str, start: int, end: int, quote: str | None, report: InteropReport) -> tuple[int, int]:
    """[start, end) in code points of ``raw``: as given when the region's
    text is there, else as UTF-16 units when those give it (counted in the
    report); raises SpanError when neither does. Without a text to compare,
    the offsets are taken as code points, as Label Studio counts today."""
    if quote is None or not 0 <= start < end:
        return start, end
    if _same_text(raw[start:end], quote):
        return start, end
    units = offsets.Utf16Map(raw)
    try:
        start16, end16 = units.to_codepoint(start), units.to_codepoint(end)
    except offsets.SpanError:
        start16 = end16 = None
    if start16 is not None and _same_text(raw[start16:end16], quote):
        report.utf16 += 1
        return start16, end16
    counted = f"{raw[start:end]!r} in code points"
    if start16 is not None:
        counted += f", {raw[start16:end16]!r} in UTF-16 units"
    raise offsets.SpanError(f"value.text {quote!r} is not the text at [{start}, {end}) ({counted})")


# Label Studio writes a region's line breaks into value.text as a backslash
# and an n (the "\\n" of emoji.cy.ts), and may trim or fold its spaces; the
# quote we store is the article's own text, so the comparison only has to
# tell which way the offsets count.
_SPACE = re.compile(r"(?:\\n|\s)+")


def _same_text(found: str, quote: str) -> bool:
    return found == quote or _SPACE.sub(" ", found).strip() == _SPACE.sub(" ", quote).strip() != ""


def _joined(texts) -> str | None:
    """A per-region text (a list of lines, Label Studio's shape, or one
    string) as one string; None for anything else."""
    if isinstance(texts, str):
        return texts
    if isinstance(texts, list) and all(isinstance(t, str) for t in texts):
        return "\n".join(texts)
    return None


def _elsewhere(kind: str) -> str:
    return (
        f"{kind} regions are not spans of a plain text; Sourcemark reads labels regions on a <Text> object "
        "(value.start, value.end, value.labels)"
    )
