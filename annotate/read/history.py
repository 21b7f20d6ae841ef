"""A span's versions as leads read them: who changed it, when, and what each
field was before (django-simple-history keeps the rows)."""

from annotate.models import Annotation, Label

TRACKED_FIELDS = (
    "label", "start", "end", "quote", "note", "speaker", "evidence_url", "decision_reason", "layer",
    # Which article version the span was on, and how it got there.
    "article_version", "anchor_state",
)  # fmt: skip
KINDS = {"+": "created", "~": "changed", "-": "deleted"}


def annotation_history(annotation: Annotation) -> list[dict]:
    """Versions newest first, each with the fields that changed from the
    version before (label slugs, not ids). Two queries however long the
    history: the versions (with their users) and the labels."""
    versions = list(annotation.history.select_related("history_user").order_by("history_date", "history_id"))
    slugs = dict(Label.objects.values_list("pk", "slug"))
    entries, before = [], None
    for version in versions:
        now = {name: _value(version, name, slugs) for name in TRACKED_FIELDS}
        changes = [
            {"field": name, "old": before.get(name) if before else None, "new": value}
            for name, value in now.items()
            if (before is None and value not in ("", None)) or (before is not None and before[name] != value)
        ]
        user = version.history_user
        entries.append(
            {
                "when": version.history_date.isoformat(),
                "who": user.get_username() if user else None,
                "kind": KINDS.get(version.history_type, version.history_type),
                # Why, where a write said: "article version 2", "orphan dismissed"…
                "reason": version.history_change_reason or "",
                "changes": changes if version.history_type != "-" else [],
            }
        )
        before = now
    return entries[::-1]


def _value(version, name: str, slugs: dict[int, str]):
    if name == "label":
        return slugs.get(version.label_id)
    return getattr(version, name)
