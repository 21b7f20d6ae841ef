"""What the review workspace reads and writes: annotation payloads with
offsets in both units, and the create/change/delete operations behind the
JSON endpoints (which only parse, call these, and answer)."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from annotate import permissions
from annotate.actions import annotations, assignments
from annotate.actions.consensus import (
    ConsensusConflict,
    consensus_change,
    consensus_create,
    consensus_remove,
)
from annotate.models import SPAN_EDITABLE_FIELDS, SPAN_TEXT_LIMITS, Annotation, Article, Assignment, Label
from annotate.permissions import ASK
from annotate.rules import offsets
from annotate.web.http import JsonError


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
        "independent": permissions.reviews_independently(user),
        "may_show_others": submitted and permissions.reviews_independently(user),
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
        "version": annotation.version,
        "article_version": annotation.article_version,
        "anchor_state": annotation.anchor_state,
        "client_id": str(annotation.client_id) if annotation.client_id else None,
        "can_change": permissions.can_change_annotation(user, annotation, status=status, adjudicated=adjudicated),
    }


def label_payload(label: Label) -> dict:
    return {"slug": label.slug, "name": label.name, "colour": label.colour, "shortcut": label.shortcut or ""}


def _label_from(value) -> Label:
    if not isinstance(value, str) or not value or len(value) > 50:
        raise JsonError("label must be a label's slug", field="label")
    try:
        return Label.objects.get(slug=value)
    except Label.DoesNotExist:
        raise JsonError(f"unknown label {value!r}", field="label") from None


def _text_fields(data: dict) -> dict:
    values = {}
    for name, limit in SPAN_TEXT_LIMITS.items():
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


def _client_id_from(data: dict) -> uuid.UUID | None:
    """The browser's id for a new span (None when the request has none)."""
    value = data.get("client_id")
    if value is None:
        return None
    if isinstance(value, str) and len(value) <= 64:
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise JsonError("client_id must be a UUID such as crypto.randomUUID() makes", field="client_id")


def version_from(value, *, digits_ok: bool = False) -> int | None:
    """The version the client last saw: a whole number, or None (no check).
    With ``digits_ok``, also its digits as text (DELETE ?version=3)."""
    if value is None:
        return None
    if digits_ok and isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise JsonError("version must be the span's version, a whole number from 1", field="version")
    return value


def _codepoint_from(utf16: offsets.Utf16Map, data: dict, name: str) -> int:
    try:
        return utf16.to_codepoint(data.get(name))
    except offsets.SpanError as error:
        raise JsonError(str(error), field=name) from None


def annotation_create_answer(*, article: Article, data: dict, user) -> dict:
    """Create a span from the browser's request (``_create``), answered with its payload.
    The assignment status the create read (and, for a first span, moved on
    to started) decides ``can_change``, so the answer costs no query more."""
    annotation, status = _create(article=article, data=data, user=user)
    return annotation_payload(annotation, offsets.Utf16Map(article.text), user, status=status)


def _create(*, article: Article, data: dict, user) -> tuple[Annotation, str | None]:
    """Create a span from the browser's request: UTF-16 offsets (``start16``,
    ``end16``) or code point offsets (``start``, ``end``), and the quote the
    reviewer selected, which must match the stored text exactly. With
    ``layer: "consensus"`` a lead adds to the consensus (with an optional
    ``decision_reason``).

    With ``client_id`` (a UUID the browser made for this new span) the
    request is idempotent: a repeat by the same user, even one racing the
    first, returns the span the first request made rather than a second one,
    and the endpoint answers it exactly as it answered the first (201 and
    the span as it is now). A repeat asking for different content is a 409:
    the id names one span.

    Returns the span and the user's assignment status on the article after
    the create."""
    layer = data.get("layer", Annotation.Layer.REVIEWER)
    if layer not in Annotation.Layer.values:
        raise JsonError("layer must be reviewer or consensus", field="layer")
    consensus = layer == Annotation.Layer.CONSENSUS
    status = permissions.assignment_status(user, article.pk)
    if not permissions.can_view_article(user, article.pk, status=status):
        raise Http404("No such article.")
    client_id = _client_id_from(data)
    if client_id is not None:
        # Before the checks below, so a repeat still gets its span after,
        # say, the reviewer submitted the article in another tab.
        earlier = _span_once_made_with(client_id, user)
        if earlier is not None:
            return _replayed(earlier, article=article, data=data, layer=layer), status
    if consensus:
        if not permissions.can_curate(user):
            raise PermissionDenied("only a lead can add spans to the consensus")
        if permissions.is_adjudicated(article.pk):
            raise PermissionDenied("this article is adjudicated; a lead must reopen it to change the consensus")
    elif not permissions.can_annotate(user, article, status=status):
        if status == Assignment.Status.SUBMITTED:
            raise PermissionDenied("you have submitted this article; a lead must reopen it before you can add spans")
        raise PermissionDenied("you may not annotate this article")
    _refuse_unknown_fields(data, consensus=consensus)
    label, start, end, quote = _span_from(article, data)
    text_fields = _text_fields(data)
    if consensus:
        try:
            annotation = consensus_create(
                article=article, label=label, start=start, end=end, quote=quote, lead=user,
                reason=text_fields.pop("decision_reason", ""), client_id=client_id, **text_fields,
            )  # fmt: skip
        except ConsensusConflict as error:
            annotation = _replayed_or_conflict(client_id, user, article=article, data=data, message=error.message)
        return annotation, status
    try:
        annotation = annotations.annotation_create(
            article=article, label=label, start=start, end=end, quote=quote, reviewer=user, client_id=client_id,
            **text_fields,
        )  # fmt: skip
    except ValidationError as error:
        # The unique constraints refuse a repeat of a span (409), and decide
        # between two requests racing past the look-up above: the loser of a
        # retry's race gets the winner's span.
        if "__all__" not in getattr(error, "message_dict", {}):
            raise
        message = f"you already marked this span as {label.name}"
        return _replayed_or_conflict(client_id, user, article=article, data=data, message=message), status
    if status == Assignment.Status.ASSIGNED:
        assignments.assignment_mark_started(article=article, reviewer=user)
        status = Assignment.Status.IN_PROGRESS
    return annotation, status


def _refuse_unknown_fields(data: dict, *, consensus: bool) -> None:
    allowed = {"label", "start", "end", "start16", "end16", "quote", "layer", "client_id", *SPAN_TEXT_LIMITS}
    if not consensus:
        allowed.discard("decision_reason")
    unknown = set(data) - allowed
    if unknown:
        raise JsonError(f"unknown field(s): {', '.join(sorted(map(str, unknown)))}")


def _span_once_made_with(client_id: uuid.UUID, user) -> Annotation | None:
    """The span this user made with this client id, or None if they never
    did. Asks the span history, not the table, so that a request arriving
    after its span was deleted (a retry or the original, held up in a queue
    while the reviewer retried and then deleted the span) is refused with a
    409 rather than making the span again."""
    versions = Annotation.history.filter(client_id=client_id, reviewer_id=user.pk).values_list("id", "history_type")
    if not versions:
        return None
    if any(kind == "-" for _, kind in versions):
        raise JsonError(
            "the span made with this client_id has been deleted since; make a new client_id for a new span",
            status=409,
            field="client_id",
        )
    return _span_made_with(client_id, user)


def _span_made_with(client_id: uuid.UUID, user) -> Annotation | None:
    # At most one row (annotation_unique_client_id); label and reviewer for its payload.
    try:
        return Annotation.objects.select_related("label", "reviewer").get(reviewer=user, client_id=client_id)
    except Annotation.DoesNotExist:
        return None


def _replayed_or_conflict(client_id: uuid.UUID | None, user, *, article: Article, data: dict, message: str):
    """After a conflict: the span this request's client id already made (a
    retry that lost a race to its twin), or the conflict as a 409."""
    earlier = _span_made_with(client_id, user) if client_id is not None else None
    if earlier is None:
        raise JsonError(message, status=409)
    return _replayed(earlier, article=article, data=data, layer=data.get("layer", Annotation.Layer.REVIEWER))


# What a create request sets, compared between a repeat and the span it made.
CREATED_FIELDS = ("article_id", "layer", "label_id", "start", "end", "quote", *SPAN_TEXT_LIMITS)


def _replayed(earlier: Annotation, *, article: Article, data: dict, layer: str) -> Annotation:
    """The span an earlier request with this client id made, if this request
    asks for the same span (as it was made: later edits do not count); else
    a 409, since one id names one span."""
    _refuse_unknown_fields(data, consensus=layer == Annotation.Layer.CONSENSUS)
    label, start, end, quote = _span_from(article, data)
    asked = dict.fromkeys(SPAN_TEXT_LIMITS, "")
    asked.update(article_id=article.pk, layer=layer, label_id=label.pk, start=start, end=end, quote=quote)
    asked.update(_text_fields(data))
    # A span changed since was made as its first history row says (one more
    # query, only for a late repeat of an edited span).
    made = earlier if earlier.version == 1 else (earlier.history.filter(history_type="+").first() or earlier)
    if any(asked[name] != getattr(made, name) for name in CREATED_FIELDS):
        raise JsonError(
            "this client_id was already used for a different span; each new span needs a new client_id",
            status=409,
            field="client_id",
        )
    return earlier


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
    except offsets.CharacterSplit as error:
        message = str(error)
        if fields["start"] == "start16":
            # In the units the request counted, as its field names say.
            cluster = offsets.Extent(utf16.to_utf16(error.cluster.start), utf16.to_utf16(error.cluster.end))
            message = error.describe(fields[error.field], utf16.to_utf16(error.offset), cluster, error.character)
        raise JsonError(message, field=fields[error.field]) from None
    except offsets.SpanError as error:
        raise JsonError(str(error), field=fields.get(error.field, error.field)) from None
    return label, start, end, quote


def _require_visible(user, annotation: Annotation, *, status=ASK) -> None:
    """A span the user may not see is a 404, not a 403: its existence is
    not theirs to learn."""
    if not permissions.can_see_annotation(user, annotation, status=status):
        raise Http404("No such annotation.")


def annotation_change_answer(*, annotation: Annotation, data: dict, user) -> dict:
    """Change a span from the browser's request (``_change``), answered with its payload
    (whose ``can_change`` the change has just settled: no query more)."""
    changed, status = _change(annotation=annotation, data=data, user=user)
    utf16 = offsets.Utf16Map(changed.article.text)
    adjudicated = False if changed.layer == Annotation.Layer.CONSENSUS else ASK
    return annotation_payload(changed, utf16, user, status=status, adjudicated=adjudicated)


def _change(*, annotation: Annotation, data: dict, user) -> tuple[Annotation, str | None]:
    """Change a span's label, note, speaker, evidence URL (and a consensus
    span's reason). With ``version`` (the span's version as the page shows
    it) the change applies only if no one changed the span since; otherwise
    it is a 409 whose body holds the span as it is now. Without it (scripts
    written before versions) the change applies whatever came before.
    Returns the changed span and the user's assignment status on its article
    (which a change leaves as it was)."""
    status = permissions.assignment_status(user, annotation.article_id)
    _require_visible(user, annotation, status=status)
    if not permissions.can_change_annotation(user, annotation, status=status):
        raise PermissionDenied(_refusal(user, annotation, "change"))
    consensus = annotation.layer == Annotation.Layer.CONSENSUS
    editable = {*SPAN_EDITABLE_FIELDS, "version"} - (set() if consensus else {"decision_reason"})
    unknown = set(data) - editable
    if unknown:
        raise JsonError(f"cannot change {', '.join(sorted(map(str, unknown)))}")
    version = version_from(data.get("version"))
    changes = _text_fields(data)
    if "label" in data:
        changes["label"] = _label_from(data["label"])
    try:
        if consensus:
            return consensus_change(annotation, lead=user, version=version, **changes), status
        return annotations.annotation_update(annotation, version=version, **changes), status
    except annotations.AnnotationChanged:
        raise _changed_since(annotation, user) from None
    except Annotation.DoesNotExist:
        raise Http404("No such annotation.") from None
    except ValidationError as error:
        if isinstance(error, ConsensusConflict):
            raise JsonError(error.message, status=409) from None
        if "__all__" in getattr(error, "message_dict", {}):
            # A new label that makes the span repeat another (or, racing,
            # another lead's consensus span).
            if consensus:
                raise JsonError("The consensus already has this span with that label.", status=409) from None
            raise JsonError("you already marked this span with that label", status=409) from None
        raise


def annotation_delete_from_browser(*, annotation: Annotation, user, version: int | str | None = None) -> None:
    """Delete a span; with ``version`` (a number, or its digits from a query
    string), only if no one changed it since (else a 409 as for a change)."""
    status = permissions.assignment_status(user, annotation.article_id)
    _require_visible(user, annotation, status=status)
    if not permissions.can_change_annotation(user, annotation, status=status):
        raise PermissionDenied(_refusal(user, annotation, "delete"))
    version = version_from(version, digits_ok=True)
    try:
        if annotation.layer == Annotation.Layer.CONSENSUS:
            consensus_remove(annotation, lead=user, version=version)
        else:
            annotations.annotation_delete(annotation, version=version)
    except annotations.AnnotationChanged:
        raise _changed_since(annotation, user) from None
    except Annotation.DoesNotExist:
        raise Http404("No such annotation.") from None


def _changed_since(annotation: Annotation, user) -> JsonError:
    """The 409 for a change or deletion made from a stale copy of a span: who
    changed it last and when, and the span as it is now, so the page can
    show it without another request."""
    current = Annotation.objects.select_related("article", "label", "reviewer").filter(pk=annotation.pk).first()
    if current is None:
        raise Http404("No such annotation.")
    last = current.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    who = last.history_user.get_username() if last is not None and last.history_user is not None else "someone"
    when = timezone.localtime(current.updated_at)
    return JsonError(
        f"This span was changed by {who} at {when:%H:%M:%S on %d %b %Y} ({when.tzname()}); "
        "reload to see the current version.",
        status=409,
        extra={
            "reason": "changed",
            "changed_by": who,
            "changed_at": current.updated_at.isoformat(),
            "current": annotation_payload(current, offsets.Utf16Map(current.article.text), user),
        },
    )


def _refusal(user, annotation: Annotation, verb: str) -> str:
    if annotation.layer == Annotation.Layer.CONSENSUS:
        if permissions.is_lead(user):
            return f"this article is adjudicated; a lead must reopen it before you can {verb} consensus spans"
        return f"only a lead may {verb} consensus spans"
    if annotation.reviewer_id == user.pk:
        return f"you have submitted this article; a lead must reopen it before you can {verb} its spans"
    return f"only the reviewer who made this span may {verb} it"
