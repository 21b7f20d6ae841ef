"""Writes to annotations. Every path that creates or changes a span (the
workspace, the admin, imports, tests, benches) calls these, so validation
(``full_clean`` → ``offsets.validate_span``) happens in one place.

``full_clean`` here leaves two things to the database, which holds them
anyway: that the article, label and reviewer given exist (they are rows
the caller has), and the table's constraints. The check constraints
restate what ``validate_span`` and the field choices already checked, and
a unique constraint checked by a query first still needs the database's
word when two requests race; Django runs each as a query of its own,
which made up 15 of a save's 35 statements. A unique constraint the save
breaks is raised as the ValidationError ``full_clean`` would have raised."""

import uuid

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import UniqueConstraint
from django.utils import timezone

from annotate.models import SPAN_EDITABLE_FIELDS, Annotation, Article, Label

# Given as rows the caller holds; validating them would look each one up again.
RELATED_FIELDS = ["article", "label", "reviewer", "based_on"]


class AnnotationChanged(Exception):
    """The span is no longer the version the caller read: someone changed it
    in the meantime. ``current_version`` is the version it has now."""

    def __init__(self, current_version: int):
        super().__init__(f"the span is at version {current_version}")
        self.current_version = current_version


@transaction.atomic
def annotation_create(
    *,
    article: Article,
    label: Label,
    start: int,
    end: int,
    reviewer,
    quote: str | None = None,
    note: str = "",
    speaker: str = "",
    evidence_url: str = "",
    layer: str = Annotation.Layer.REVIEWER,
    decision_reason: str = "",
    based_on: Annotation | None = None,
    client_id: uuid.UUID | None = None,
    created_at=None,
    updated_at=None,
    changed_by=None,
) -> Annotation:
    """Create a span. With ``quote`` None, the quote is taken from the text;
    a given quote must match it. ``created_at``/``updated_at`` restore an
    imported span's times (default: now). Raises ValidationError for bad
    input and for a span the unique constraints refuse (a repeat)."""
    annotation = Annotation(
        article=article,
        label=label,
        start=start,
        end=end,
        quote=article.text[start:end] if quote is None and isinstance(start, int) and isinstance(end, int) else quote,
        note=note,
        speaker=speaker,
        evidence_url=evidence_url,
        reviewer=reviewer,
        layer=layer,
        decision_reason=decision_reason,
        based_on=based_on,
        client_id=client_id,
    )
    now = timezone.now()
    annotation.created_at = created_at or now
    annotation.updated_at = updated_at or annotation.created_at
    _record_who(annotation, changed_by)
    annotation.full_clean(exclude=RELATED_FIELDS, validate_constraints=False)
    _save(annotation)
    return annotation


def _record_who(annotation: Annotation, changed_by) -> None:
    """Name ``changed_by`` in the span's history row. Requests need not:
    the history middleware names the signed-in user; a command does, since
    it has no request (an import names its importer)."""
    if changed_by is not None:
        annotation._history_user = changed_by


def _save(annotation: Annotation) -> None:
    try:
        annotation.save()
    except IntegrityError as error:
        refusal = _unique_refusal(error)
        if refusal is None:
            raise
        # Raised straight out of the caller's atomic block, which rolls back.
        raise refusal from error


def _unique_refusal(error: IntegrityError) -> ValidationError | None:
    """The ValidationError for the unique constraint the database enforced,
    named in its message: PostgreSQL names the constraint, SQLite its columns."""
    message = str(error)
    table = Annotation._meta.db_table
    for constraint in Annotation._meta.constraints:
        if not isinstance(constraint, UniqueConstraint):
            continue
        columns = ", ".join(f"{table}.{Annotation._meta.get_field(name).column}" for name in constraint.fields)
        if f'"{constraint.name}"' in message or message.endswith(f"UNIQUE constraint failed: {columns}"):
            return ValidationError({NON_FIELD_ERRORS: [constraint.violation_error_message]}, code="unique")
    return None


def _lock(annotation: Annotation, *, version: int | None) -> int:
    """Lock the span's row for the rest of the transaction and return its
    version, raising AnnotationChanged unless it is ``version`` (None: any).
    Raises Annotation.DoesNotExist if it has been deleted.

    On PostgreSQL the row lock makes check-then-write one step; SQLite has
    no row locks, but its IMMEDIATE transactions (config/settings.py) hold
    the database's write lock from the first statement, which serves too."""
    # Every span, orphans too: the admin may change an orphan's note.
    spans = Annotation.all_spans.select_for_update()
    current = spans.filter(pk=annotation.pk).values_list("version", flat=True).first()
    if current is None:
        raise Annotation.DoesNotExist(f"annotation {annotation.pk} has been deleted")
    if version is not None and version != current:
        raise AnnotationChanged(current)
    return current


@transaction.atomic
def annotation_update(annotation: Annotation, *, version: int | None = None, changed_by=None, **changes) -> Annotation:
    """Change a span's label, note, speaker, evidence URL or (consensus
    spans) the decision's reason. With ``version``, only if the span is
    still at that version (else AnnotationChanged, and nothing changes)."""
    unknown = set(changes) - set(SPAN_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    current = _lock(annotation, version=version)
    if current != annotation.version:
        # Read before someone else's change: start from what is stored, so
        # saving every column does not put their edits back.
        annotation.refresh_from_db()
    for name, value in changes.items():
        setattr(annotation, name, value)
    annotation.updated_at = timezone.now()
    annotation.version = current + 1
    _record_who(annotation, changed_by)
    annotation.full_clean(exclude=RELATED_FIELDS, validate_constraints=False)
    _save(annotation)
    return annotation


@transaction.atomic
def annotation_delete(annotation: Annotation, *, version: int | None = None) -> None:
    """Delete a span; with ``version``, only if it is still at that version."""
    _lock(annotation, version=version)
    annotation.delete()
