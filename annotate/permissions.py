"""Who may see or change what. Views, templates and querysets ask here; they
do not re-derive the answer."""

from annotate.models import Annotation


def can_annotate(user, article) -> bool:
    """Any signed-in, active user may mark spans on any article (assignments
    narrow this in the team-review issue)."""
    return bool(user.is_authenticated and user.is_active)


def can_change_annotation(user, annotation: Annotation) -> bool:
    """Only a span's author may change or delete it."""
    return bool(user.is_authenticated and user.is_active and annotation.reviewer_id == user.pk)
