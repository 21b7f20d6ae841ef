"""A report (``reports.build_report``) as rows for downloads and the API:
one per source, one per article, with the figures the page shows."""

from annotate.read.reports import Report


def _number(value: float | None, digits: int = 4):
    return None if value is None else round(value, digits)


def _label_columns(report: Report, figures) -> dict:
    """The per-label and density columns a source row and an article row share."""
    row = {}
    for label in report.labels:
        figure = figures.by_label[label.slug]
        row[f"{label.slug}_spans"] = _number(figure.spans, 2)
        row[f"{label.slug}_share"] = _number(figure.share)
    row["unsupported_per_1000_words"] = _number(figures.unsupported_per_1000)
    row["quotes_with_speaker_share"] = _number(figures.speaker_share)
    return row


def source_rows(report: Report) -> list[dict]:
    """One row per source, with the figures the page shows."""
    rows = []
    for source in report.sources:
        row = {
            "source": source.source,
            "articles_reviewed": source.reviewed,
            "articles_total": source.articles,
            "words_reviewed": source.words,
            "basis": "+".join(sorted(source.bases)),
        }
        row.update(_label_columns(report, source))
        row["mean_agreement"] = _number(source.agreement)
        row["agreement_articles"] = len(source.agreements)
        row["articles_changed"] = source.changed_articles
        row["changes"] = source.changes
        row["changes_marked"] = source.marked_changes
        row["words_changed"] = source.words_changed
        row["mean_share_changed"] = _number(source.mean_share_changed)
        rows.append(row)
    return rows


def article_rows(report: Report) -> list[dict]:
    """One row per article, with the figures the page shows."""
    rows = []
    for article in report.articles:
        row = {
            "article_id": article.article_id,
            "title": article.title,
            "source": article.source,
            "published": article.published.isoformat() if article.published else None,
            "words": article.words,
            "basis": article.basis or "not reviewed",
            "reviewers": article.reviewers,
        }
        row.update(_label_columns(report, article))
        row["agreement"] = _number(article.agreement)
        row["changes"] = article.changes
        row["changes_marked"] = article.marked_changes
        row["words_changed"] = article.words_changed
        row["share_changed"] = _number(article.share_changed)
        rows.append(row)
    return rows
