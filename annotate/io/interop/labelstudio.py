"""Label Studio tasks (https://labelstud.io/guide/export.html): its JSON
export, JSON-MIN and JSONL, read and written for a text project whose
labeling config is ``labeling_config`` (a ``<Labels>`` control on a
``<Text>`` object).

A task is one text (``data.text``) with its ``annotations``, one per
annotator, each a ``result`` list of regions. A span is a region of type
``labels``: ``value.start``/``value.end`` (end exclusive), the quoted
``value.text`` and ``value.labels``, one span per label. Label Studio keeps
a region's note in ``meta.text`` (its ``NormalizationMixin``) and the
answers of per-region controls as more results with the region's id, so
the speaker, evidence link and a consensus decision's reason are
per-region ``<TextArea>`` results named after those fields.

Offsets: Label Studio counts code points today (its Cypress test
``tests/integration/e2e/ner/emoji.cy.ts``: "Should calculate offsets by
code points"); versions of 2021 counted UTF-16 units, so every span after
an emoji is off (label-studio issue #1347). A region's offsets are taken as
code points when ``value.text`` is there, and as UTF-16 units when only
they give ``value.text``.

Reading is ``labelstudio_in``. Export writes one task per article, one annotation per reviewer, and the
consensus as its own annotation with ``ground_truth: true``;
``completed_by`` carries the reviewer's email, which is how Label
Studio's import finds its annotators (``tasks/serializers.py``,
``_insert_valid_completed_by``). Region ids are made from the span's
natural key, so the same span has the same id in every export.
"""

import datetime as dt
import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from annotate.io.interop.rows import ArticleRow, SpanRow, spans_by_article, stable_span_id
from annotate.models import Annotation, Label

# The labeling config's names, which every region carries.
FROM_NAME = "label"
TO_NAME = "text"
# Our span fields a per-region <TextArea> of that name holds (the note is
# the region's meta.text, Label Studio's own place for it).
REGION_FIELDS = ("speaker", "evidence_url", "decision_reason")


# ---------------------------------------------------------------- export


def labeling_config(labels: Iterable[tuple[str, str, str, str]]) -> str:
    """The labeling config XML for a project that our export loads into:
    ``labels`` are (name, colour, shortcut, description). The label's name
    is the value regions carry; its colour, key and description become the
    ``<Label>``'s background, hotkey and hint."""
    view = ElementTree.Element("View")
    # Without pre-wrap Label Studio shows an article's paragraphs as one.
    ElementTree.SubElement(view, "Style").text = ".htx-text { white-space: pre-wrap; }"
    ElementTree.SubElement(view, "Header", value="$title")
    control = ElementTree.SubElement(view, "Labels", name=FROM_NAME, toName=TO_NAME)
    for name, colour, shortcut, description in labels:
        attributes = {"value": name, "background": colour}
        if shortcut:
            attributes["hotkey"] = shortcut.lower()
        if description:
            attributes["hint"] = description
        ElementTree.SubElement(control, "Label", attributes)
    ElementTree.SubElement(view, "Text", name=TO_NAME, value="$text", saveTextResult="yes")
    placeholders = {
        "speaker": "Speaker (for quotes)",
        "evidence_url": "Evidence URL",
        "decision_reason": "Why the consensus holds (leads)",
    }
    for name in REGION_FIELDS:
        ElementTree.SubElement(
            view, "TextArea", name=name, toName=TO_NAME, perRegion="true", editable="true", maxSubmissions="1",
            placeholder=placeholders[name],
        )  # fmt: skip
    ElementTree.indent(view)
    return ElementTree.tostring(view, encoding="unicode") + "\n"


def labeling_config_of_labels() -> str:
    """``labeling_config`` for the labels Sourcemark has now, in their order."""
    labels = Label.objects.order_by("order", "pk").values_list("name", "colour", "shortcut", "description")
    return labeling_config(labels)


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _results(article: ArticleRow, span: SpanRow, label_name: str) -> list[dict]:
    rid = stable_span_id(article, span)
    value = {"start": span.start, "end": span.end, "text": span.quote}
    region = {
        "id": rid, "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels", "origin": "manual",
        "value": {**value, "labels": [label_name]},
        # Label Studio keeps a region's meta as it is; its own key is text.
        "meta": {"sourcemark": {"created_at": _timestamp(span.created_at), "updated_at": _timestamp(span.updated_at)}},
    }  # fmt: skip
    if span.note:
        region["meta"]["text"] = [span.note]
    results = [region]
    for name in REGION_FIELDS:
        if getattr(span, name):
            results.append({
                "id": rid, "from_name": name, "to_name": TO_NAME, "type": "textarea", "origin": "manual",
                "value": {**value, "text": [getattr(span, name)]},
            })  # fmt: skip
    return results


def task_json(article: ArticleRow, spans: list[SpanRow], label_names: dict[str, str]) -> dict:
    """One article's task: its text and what we know of it under ``data``
    (Label Studio keeps every key of data), one annotation per reviewer and
    layer, the consensus marked as ground truth."""
    groups: dict[tuple[str, str], list[SpanRow]] = {}
    for span in spans:
        groups.setdefault((span.layer, span.reviewer), []).append(span)
    annotations = []
    for (layer, _), group in sorted(groups.items()):
        first = group[0]
        annotations.append({
            "completed_by": {"id": first.reviewer_id, "email": first.reviewer_email, "username": first.reviewer},
            "result": [result for span in group for result in _results(article, span, label_names[span.label])],
            "was_cancelled": False,
            "ground_truth": layer == Annotation.Layer.CONSENSUS,
            "created_at": _timestamp(min(span.created_at for span in group)),
            "updated_at": _timestamp(max(span.updated_at for span in group)),
        })  # fmt: skip
    data = {"text": article.text, "title": article.title, "source": article.source, "url": article.url}
    if article.published:
        data["published"] = article.published.isoformat()
    data.update(
        sourcemark_article_id=article.pk, sourcemark_sha256=article.sha256,
        sourcemark_text_version=article.text_version,
    )  # fmt: skip
    return {"id": article.pk, "data": data, "annotations": annotations, "predictions": []}


def export_chunks(queryset: QuerySet[Annotation]) -> Iterator[bytes]:
    """A JSON list of tasks, streamed a task (one article) per line."""
    label_names = dict(Label.objects.values_list("slug", "name"))
    yield b"["
    separator = b"\n"
    for article, spans in spans_by_article(queryset):
        yield separator + json.dumps(task_json(article, spans, label_names), ensure_ascii=False).encode("utf-8")
        separator = b",\n"
    yield b"\n]\n"
