"""What an annotation import may write, row by row: the file's user's own
rights (``permissions.span_import_refusal``), and whether its authors and
times are kept (staff restoring data, when asked) or not taken at all."""

from annotate import permissions
from annotate.models import Annotation, Article


class ImportPolicy:
    """One import's rules. ``keep_authors`` (staff only) takes authors and
    created/updated times from the file as it is; otherwise every row must
    be one the user could write on the page, and a file's times are not
    taken: new spans are made now, and a row that would move an existing
    span's creation time is refused."""

    def __init__(self, user, *, keep_authors: bool = False):
        self.user = user
        self.keep_authors = keep_authors
        self._statuses: dict[int, str | None] = {}

    @property
    def refusal_of_file(self) -> str | None:
        """Why the whole file is refused before any row is read, or None."""
        if not permissions.is_active_user(self.user):
            return "sign in first"
        if self.keep_authors and not permissions.may_keep_authors(self.user):
            return "only staff restoring data may keep a file's authors and times"
        return None

    def times(self, created_at, updated_at) -> tuple:
        """The (created_at, updated_at) a new span gets: the file's when
        authors are kept, else (None, None), which means now."""
        return (created_at, updated_at) if self.keep_authors else (None, None)

    def refusal(self, *, article: Article, layer: str, author, existing: Annotation | None, created_at=None):
        """Why this row may not be written, or None."""
        if self.keep_authors:
            return None
        if existing is not None and created_at is not None and created_at != existing.created_at:
            return "a file cannot change when a span was made (created_at); staff restoring data can keep it"
        if article.pk not in self._statuses:
            self._statuses[article.pk] = permissions.assignment_status(self.user, article.pk)
        return permissions.span_import_refusal(
            self.user, article=article, layer=layer, author=author, existing=existing,
            status=self._statuses[article.pk],
        )  # fmt: skip
