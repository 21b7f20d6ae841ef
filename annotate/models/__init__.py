"""Sourcemark's tables. Invariants that a database can hold are constraints
here; the ones it cannot (a quote matching another table's text) are checked
by ``offsets.validate_span`` from ``Annotation.clean``, which every write path
calls through ``full_clean``."""

from annotate.models.articles import ARTICLE_TEXT_LIMIT, Article, ArticleFetch, ArticleVersion, Source
from annotate.models.common import MAX_ID, WEB_SCHEMES, colour_validator, shortcut_validator, web_url_errors
from annotate.models.feeds import Feed, FeedEntry
from annotate.models.imports import AnnotationImportJob
from annotate.models.review import Adjudication, Assignment
from annotate.models.spans import (
    PLACED,
    PLACED_STATES,
    SPAN_EDITABLE_FIELDS,
    SPAN_NATURAL_KEY,
    SPAN_TEXT_LIMITS,
    AnchorState,
    Annotation,
    EverySpan,
    Label,
    PlacedSpans,
    placed_through,
    span_text_errors,
)

__all__ = [
    "ARTICLE_TEXT_LIMIT", "MAX_ID", "PLACED", "PLACED_STATES", "SPAN_EDITABLE_FIELDS", "SPAN_NATURAL_KEY",
    "SPAN_TEXT_LIMITS", "WEB_SCHEMES", "Adjudication", "AnchorState", "Annotation", "AnnotationImportJob", "Article",
    "ArticleFetch", "ArticleVersion", "Assignment", "EverySpan", "Feed", "FeedEntry", "Label", "PlacedSpans", "Source",
    "colour_validator", "placed_through", "shortcut_validator", "span_text_errors", "web_url_errors",
]  # fmt: skip
