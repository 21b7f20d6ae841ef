"""What an annotation import may write, row by row: the file's user's own
rights (``permissions.span_import_refusal``), and whether its authors and
times are kept (staff restoring data, when asked) or not taken at all."""

from annotate import permissions
from annotate.models import Annotation, Article

# Articles per query when reading the importer's assignments and the
# adjudications: far below any database's limit on a query's parameters.
ARTICLES_PER_QUERY = 500


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
        self._adjudicated: dict[int, bool] = {}
        self._articles: dict[int, Article] = {}

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

    def prepare(self, article_ids) -> None:
        """Read the user's assignments and the adjudications of these
        articles, a few queries for a whole file, so that ``refusal`` asks
        the database nothing more about them."""
        if self.keep_authors:
            return
        ids = sorted(set(article_ids) - set(self._statuses))
        for first in range(0, len(ids), ARTICLES_PER_QUERY):
            chunk = ids[first : first + ARTICLES_PER_QUERY]
            statuses = permissions.assignment_statuses(self.user, chunk)
            adjudicated = permissions.adjudicated_among(chunk)
            for article_id in chunk:
                self._statuses[article_id] = statuses.get(article_id)
                self._adjudicated[article_id] = article_id in adjudicated

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
            status=self._statuses[article.pk], adjudicated=self._adjudicated.get(article.pk, permissions.ASK),
        )  # fmt: skip

    def draft_refusal(self, draft, existing: Annotation | None) -> str | None:
        """``refusal`` for a ``bulk_annotations.SpanDraft`` (the writer's callback)."""
        article = self._articles.get(draft.article_id)
        if article is None:
            # The rules ask an article only its id.
            article = self._articles[draft.article_id] = Article(pk=draft.article_id)
        return self.refusal(
            article=article, layer=draft.layer, author=draft.reviewer, existing=existing,
            created_at=draft.created_at if existing is not None else None,
        )  # fmt: skip
