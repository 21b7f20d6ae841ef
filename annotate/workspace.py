"""What the review workspace reads and writes: annotation payloads with
offsets in both units, and the create/change/delete operations behind the
JSON endpoints (which only parse, call these, and answer)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet

from annotate import assignments, offsets, permissions, services
from annotate.http import JsonError
from annotate.models import Annotation, Article, Label

EDITABLE_FIELDS = ("label", "note", "speaker", "evidence_url")
TEXT_LIMITS = {"note": 10_000, "speaker": 300, "evidence_url": 2000}


def annotations_on_page(article: Article) -> QuerySet[Annotation]:
    return article.annotations.select_related("label", "reviewer").order_by("start", "end", "id")


def page_state(article: Article, user, *, show_others: bool = False, reviewer: str | None = None) -> dict:
    """What the article page shows this user: the spans they may see, whether
    they may add spans, and the view switches they may use. Asks the database
    once whether the user has submitted the article."""
    utf16 = offsets.Utf16Map(article.text)
    submitted = permissions.has_submitted(user, article.pk)
    visible = permissions.visible_spans(user, submitted=submitted, show_others=show_others, reviewer=reviewer)
    lead = permissions.is_lead(user)
    return {
        "annotations": [
            annotation_payload(a, utf16, user, submitted=submitted)
            for a in annotations_on_page(article).filter(visible)
        ],
        "can_annotate": permissions.can_annotate(user, article, submitted=submitted),
        "submitted": submitted,
        "is_lead": lead,
        "independent": settings.INDEPENDENT_REVIEW and not lead,
        "may_show_others": submitted and not lead and settings.INDEPENDENT_REVIEW,
        "showing_others": show_others,
        "reviewer_filter": reviewer if lead else None,
    }


def annotation_payload(annotation: Annotation, utf16: offsets.Utf16Map, user, *, submitted: bool | None = None) -> dict:
    """An annotation as the browser sees it: code point offsets (``start``,
    ``end``), the same in UTF-16 units (``start16``, ``end16``) for the DOM,
    and whether this user may change it."""
    return {
        "id": annotation.pk,
        "label": annotation.label.slug,
        "start": annotation.start,
        "end": annotation.end,
        "start16": utf16.to_utf16(annotation.start),
        "end16": utf16.to_utf16(annotation.end),
        "quote": annotation.quote,
        "note": annotation.note,
        "speaker": annotation.speaker,
        "evidence_url": annotation.evidence_url,
        "reviewer": annotation.reviewer.get_username(),
        "layer": annotation.layer,
        "created_at": annotation.created_at.isoformat(),
        "updated_at": annotation.updated_at.isoformat(),
        "can_change": permissions.can_change_annotation(user, annotation, submitted=submitted),
    }


def label_payload(label: Label) -> dict:
    return {"slug": label.slug, "name": label.name, "colour": label.colour, "shortcut": label.shortcut or ""}


def _label_from(value) -> Label:
    if not isinstance(value, str) or not value:
        raise JsonError("label must be a label's slug", field="label")
    label = Label.objects.filter(slug=value).first()
    if label is None:
        raise JsonError(f"unknown label {value!r}", field="label")
    return label


def _text_fields(data: dict) -> dict:
    values = {}
    for name, limit in TEXT_LIMITS.items():
        if name in data:
            value = data[name]
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise JsonError(f"{name} must be text", field=name)
            if len(value) > limit:
                raise JsonError(f"{name} is longer than {limit:,} characters", field=name)
            values[name] = value.strip() if name != "note" else value
    return values


def _codepoint_from(utf16: offsets.Utf16Map, data: dict, name: str) -> int:
    try:
        return utf16.to_codepoint(data.get(name))
    except offsets.SpanError as error:
        raise JsonError(str(error), field=name) from None


def annotation_create_from_browser(*, article: Article, data: dict, user) -> Annotation:
    """Create a span from the browser's request: UTF-16 offsets (``start16``,
    ``end16``) or code point offsets (``start``, ``end``), and the quote the
    reviewer selected, which must match the stored text exactly."""
    if not permissions.can_annotate(user, article):
        if user.is_active and permissions.has_submitted(user, article.pk):
            raise PermissionDenied("you have submitted this article; a lead must reopen it before you can add spans")
        raise PermissionDenied("you may not annotate this article")
    unknown = set(data) - {"label", "start", "end", "start16", "end16", "quote", *TEXT_LIMITS}
    if unknown:
        raise JsonError(f"unknown field(s): {', '.join(sorted(map(str, unknown)))}")
    label = _label_from(data.get("label"))
    # Errors name the fields the request used, so a UTF-16 request hears
    # about start16/end16 rather than offsets it never sent.
    fields = {"start": "start", "end": "end"}
    if "start16" in data or "end16" in data:
        fields = {"start": "start16", "end": "end16"}
        utf16 = offsets.Utf16Map(article.text)
        start = _codepoint_from(utf16, data, "start16")
        end = _codepoint_from(utf16, data, "end16")
    else:
        start, end = data.get("start"), data.get("end")
    quote = data.get("quote")
    if not isinstance(quote, str):
        raise JsonError("quote must be the selected text", field="quote")
    try:
        offsets.validate_span(article.text, start, end, quote)
    except offsets.SpanError as error:
        raise JsonError(str(error), field=fields.get(error.field, error.field)) from None
    if Annotation.objects.filter(
        article=article, layer=Annotation.Layer.REVIEWER, reviewer=user, label=label, start=start, end=end
    ).exists():
        raise JsonError(f"you already marked this span as {label.name}", status=409)
    text_fields = _text_fields(data)
    try:
        annotation = services.annotation_create(
            article=article, label=label, start=start, end=end, quote=quote, reviewer=user, **text_fields
        )
    except (IntegrityError, ValidationError) as error:
        # Two identical requests racing past the check above: the unique
        # constraint (or full_clean's check of it) decides, and the loser
        # hears the same 409 as a plain repeat.
        if isinstance(error, ValidationError) and "__all__" not in getattr(error, "message_dict", {}):
            raise
        raise JsonError(f"you already marked this span as {label.name}", status=409) from None
    assignments.assignment_mark_started(article=article, reviewer=user)
    return annotation


def annotation_change_from_browser(*, annotation: Annotation, data: dict, user) -> Annotation:
    if not permissions.can_change_annotation(user, annotation):
        raise PermissionDenied(_refusal(user, annotation, "change"))
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise JsonError(f"cannot change {', '.join(sorted(map(str, unknown)))}")
    changes = _text_fields(data)
    if "label" in data:
        changes["label"] = _label_from(data["label"])
    try:
        return services.annotation_update(annotation, **changes)
    except ValidationError as error:
        if "__all__" in getattr(error, "message_dict", {}):
            raise JsonError("you already marked this span with that label", status=409) from None
        raise


def annotation_delete_from_browser(*, annotation: Annotation, user) -> None:
    if not permissions.can_change_annotation(user, annotation):
        raise PermissionDenied(_refusal(user, annotation, "delete"))
    services.annotation_delete(annotation)


def _refusal(user, annotation: Annotation, verb: str) -> str:
    if annotation.reviewer_id == user.pk:
        return f"you have submitted this article; a lead must reopen it before you can {verb} its spans"
    return f"only the reviewer who made this span may {verb} it"
