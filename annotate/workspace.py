"""What the review workspace reads and writes: annotation payloads with
offsets in both units, and the create/change/delete operations behind the
JSON endpoints (which only parse, call these, and answer)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import Http404

from annotate import assignments, curation, offsets, permissions, services
from annotate.http import JsonError
from annotate.models import Annotation, Article, Assignment, Label
from annotate.permissions import ASK

EDITABLE_FIELDS = ("label", "note", "speaker", "evidence_url")
TEXT_LIMITS = {"note": 10_000, "speaker": 300, "evidence_url": 2000, "decision_reason": curation.REASON_LIMIT}


def annotations_on_page(article: Article) -> QuerySet[Annotation]:
    return article.annotations.select_related("label", "reviewer").order_by("start", "end", "id")


def page_state(
    article: Article, user, *, show_others: bool = False, reviewer: str | None = None, layer: str = "", status=ASK
) -> dict:
    """What the article page shows this user: the spans they may see, whether
    they may add spans (and to which layer), and the view switches they may
    use. Raises Http404 when the user may not see the article at all (a
    reviewer's unassigned article), as if it did not exist."""
    if status is ASK:
        status = permissions.assignment_status(user, article.pk)
    if not permissions.can_view_article(user, article.pk, status=status):
        raise Http404("No such article.")
    lead = permissions.is_lead(user)
    adjudicated = permissions.is_adjudicated(article.pk)
    layer = Annotation.Layer.CONSENSUS if lead and layer == Annotation.Layer.CONSENSUS else Annotation.Layer.REVIEWER
    consensus_mode = layer == Annotation.Layer.CONSENSUS
    visible = permissions.visible_spans(user, status=status, show_others=show_others, reviewer=reviewer, layer=layer)
    utf16 = offsets.Utf16Map(article.text)
    submitted = status == Assignment.Status.SUBMITTED
    return {
        "annotations": [
            annotation_payload(a, utf16, user, status=status, adjudicated=adjudicated)
            for a in annotations_on_page(article).filter(visible)
        ],
        "layer": layer,
        "can_annotate": (not adjudicated) if consensus_mode else permissions.can_annotate(user, article, status=status),
        "status": status,
        "submitted": submitted,
        "adjudicated": adjudicated,
        "is_lead": lead,
        "independent": settings.INDEPENDENT_REVIEW and not lead,
        "may_show_others": submitted and not lead and settings.INDEPENDENT_REVIEW,
        "showing_others": show_others,
        "reviewer_filter": reviewer if lead and not consensus_mode else None,
    }


def annotation_payload(annotation: Annotation, utf16: offsets.Utf16Map, user, *, status=ASK, adjudicated=ASK) -> dict:
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
        "decision_reason": annotation.decision_reason,
        "reviewer": annotation.reviewer.get_username(),
        "layer": annotation.layer,
        "created_at": annotation.created_at.isoformat(),
        "updated_at": annotation.updated_at.isoformat(),
        "can_change": permissions.can_change_annotation(user, annotation, status=status, adjudicated=adjudicated),
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
    reviewer selected, which must match the stored text exactly. With
    ``layer: "consensus"`` a lead adds to the consensus (with an optional
    ``decision_reason``)."""
    layer = data.get("layer", Annotation.Layer.REVIEWER)
    if layer not in Annotation.Layer.values:
        raise JsonError("layer must be reviewer or consensus", field="layer")
    consensus = layer == Annotation.Layer.CONSENSUS
    status = permissions.assignment_status(user, article.pk)
    if not permissions.can_view_article(user, article.pk, status=status):
        raise Http404("No such article.")
    if consensus:
        if not permissions.can_curate(user):
            raise PermissionDenied("only a lead can add spans to the consensus")
        if permissions.is_adjudicated(article.pk):
            raise PermissionDenied("this article is adjudicated; a lead must reopen it to change the consensus")
    elif not permissions.can_annotate(user, article, status=status):
        if status == Assignment.Status.SUBMITTED:
            raise PermissionDenied("you have submitted this article; a lead must reopen it before you can add spans")
        raise PermissionDenied("you may not annotate this article")
    allowed = {"label", "start", "end", "start16", "end16", "quote", "layer", *TEXT_LIMITS}
    if not consensus:
        allowed.discard("decision_reason")
    unknown = set(data) - allowed
    if unknown:
        raise JsonError(f"unknown field(s): {', '.join(sorted(map(str, unknown)))}")
    label, start, end, quote = _span_from(article, data)
    text_fields = _text_fields(data)
    if consensus:
        try:
            return curation.consensus_create(
                article=article, label=label, start=start, end=end, quote=quote, lead=user,
                reason=text_fields.pop("decision_reason", ""), **text_fields,
            )  # fmt: skip
        except curation.ConsensusConflict as error:
            raise JsonError(error.message, status=409) from None
    if Annotation.objects.filter(
        article=article, layer=Annotation.Layer.REVIEWER, reviewer=user, label=label, start=start, end=end
    ).exists():
        raise JsonError(f"you already marked this span as {label.name}", status=409)
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


def _span_from(article: Article, data: dict) -> tuple[Label, int, int, str]:
    """The label, code point offsets and quote of a new span, validated."""
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
    return label, start, end, quote


def _require_visible(user, annotation: Annotation) -> None:
    """A span the user may not see is a 404, not a 403: its existence is
    not theirs to learn."""
    if not permissions.can_see_annotation(user, annotation):
        raise Http404("No such annotation.")


def annotation_change_from_browser(*, annotation: Annotation, data: dict, user) -> Annotation:
    _require_visible(user, annotation)
    if not permissions.can_change_annotation(user, annotation):
        raise PermissionDenied(_refusal(user, annotation, "change"))
    consensus = annotation.layer == Annotation.Layer.CONSENSUS
    editable = {*EDITABLE_FIELDS, "decision_reason"} if consensus else set(EDITABLE_FIELDS)
    unknown = set(data) - editable
    if unknown:
        raise JsonError(f"cannot change {', '.join(sorted(map(str, unknown)))}")
    changes = _text_fields(data)
    if "label" in data:
        changes["label"] = _label_from(data["label"])
    try:
        if consensus:
            return curation.consensus_change(annotation, lead=user, **changes)
        return services.annotation_update(annotation, **changes)
    except ValidationError as error:
        if isinstance(error, curation.ConsensusConflict):
            raise JsonError(error.message, status=409) from None
        if "__all__" in getattr(error, "message_dict", {}):
            raise JsonError("you already marked this span with that label", status=409) from None
        raise


def annotation_delete_from_browser(*, annotation: Annotation, user) -> None:
    _require_visible(user, annotation)
    if not permissions.can_change_annotation(user, annotation):
        raise PermissionDenied(_refusal(user, annotation, "delete"))
    if annotation.layer == Annotation.Layer.CONSENSUS:
        curation.consensus_remove(annotation, lead=user)
    else:
        services.annotation_delete(annotation)


def _refusal(user, annotation: Annotation, verb: str) -> str:
    if annotation.layer == Annotation.Layer.CONSENSUS:
        if permissions.is_lead(user):
            return f"this article is adjudicated; a lead must reopen it before you can {verb} consensus spans"
        return f"only a lead may {verb} consensus spans"
    if annotation.reviewer_id == user.pk:
        return f"you have submitted this article; a lead must reopen it before you can {verb} its spans"
    return f"only the reviewer who made this span may {verb} it"
