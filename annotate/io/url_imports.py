"""Articles from URLs: fetch the page (``fetching.fetch_url``), read the
article out of it (``documents.read_document``) and import it through
``articles_in.article_import``, the one function that makes articles.

The command imports URLs with ``import_article_from_url`` in its own
process; the page and the API queue fetches that a worker runs with
``run_fetch`` (annotate/tasks.py).
"""

import logging
import re
from collections.abc import Iterable

from django.db import DatabaseError

from annotate.actions import article_fetches
from annotate.io import articles_in, documents
from annotate.io.articles_in import ImportProblem, ImportReport
from annotate.io.fetching import FetchPolicy, FetchProblem, fetch_url
from annotate.models import Article
from annotate.rules.text import excerpt

logger = logging.getLogger(__name__)

# What a command-line argument looks like when it is meant as a URL rather
# than a path: a scheme and "//". ftp://… is a URL too, refused as one.
_LOOKS_LIKE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def looks_like_url(argument: str) -> bool:
    return bool(_LOOKS_LIKE_URL.match(argument))


def import_article_from_url(url: str, *, policy: FetchPolicy | None = None, source: str = "") -> tuple[Article, str]:
    """Fetch ``url`` and import its article; returns the article and what
    happened ("created", "updated", "revised", "unchanged": the same URL
    again with the same text changes nothing). ``source`` names the outlet
    when the caller knows it (a feed's); without it the outlet is matched
    by the URL and the page (``actions.sources.source_for_article``).
    Raises ImportProblem naming the URL and the reason, for a fetch that
    fails and for a page with no article in it; the database is then as it
    was."""
    try:
        page = fetch_url(url, policy=policy)
    except FetchProblem as problem:
        raise ImportProblem(str(problem)) from None
    try:
        record = documents.read_document(
            page.body, name=_name_for(page.final_url), url=page.final_url, content_type=page.content_type
        )
        if source:
            record.source = source
        return articles_in.article_import(record)
    except ImportProblem as problem:
        raise ImportProblem(f"{url}: {problem}") from None


def import_urls(urls: Iterable[str], *, report: ImportReport | None = None) -> ImportReport:
    """Import each URL's article, each on its own: a URL that fails is
    reported with its reason (``report.failed``) and the others go in.
    Adds to ``report`` when given, so files and URLs of one run share it."""
    report = report if report is not None else ImportReport()
    for url in urls:
        try:
            _article, outcome = import_article_from_url(url)
        except ImportProblem as problem:
            report.failed.append((url, str(problem).removeprefix(f"{url}: ")))
        except DatabaseError:
            raise  # not this URL's fault (a lock, a lost connection): the run stops
        except Exception as error:
            # A library's error on one page is that page's failure, as a
            # file's is in import_paths; the reason is named, not a traceback.
            report.failed.append((url, f"cannot be read ({type(error).__name__}: {error})"))
        else:
            getattr(report, outcome).append(url)
    return report


def _name_for(url: str) -> str:
    """The article's original_filename: the address it was fetched from,
    so the same URL again is recognised as the same article."""
    return excerpt(url, 255)


def run_fetch(fetch_id: int) -> str:
    """Run one queued fetch: take it (queued → fetching), import its URL,
    and record how it ended (done with its article, or failed with the
    reason). Returns "skipped" when the fetch was not queued (another worker
    took it, or it is over), else "failed" or article_import's outcome.

    A failure we did not foresee (a bug, a library's error) is recorded on
    the fetch as well, then raised, so that the task's result keeps the
    traceback for whoever investigates."""
    fetch = article_fetches.article_fetch_start(fetch_id)
    if fetch is None:
        return "skipped"
    try:
        article, outcome = import_article_from_url(fetch.url)
    except ImportProblem as problem:
        # The fetch's own URL is shown beside its outcome; a reason about
        # another URL (where a redirect led) keeps that one.
        article_fetches.article_fetch_fail(fetch, reason=str(problem).removeprefix(f"{fetch.url}: "))
        return "failed"
    except Exception as error:
        logger.exception("fetch %s of %s failed unexpectedly", fetch.pk, fetch.url)
        article_fetches.article_fetch_fail(fetch, reason=f"could not be imported ({type(error).__name__}: {error})")
        raise
    article_fetches.article_fetch_finish(fetch, article=article, outcome=outcome)
    return outcome


def refresh_articles(articles: Iterable[Article], *, report: ImportReport | None = None) -> ImportReport:
    """Fetch each article's page again: a changed text becomes its new
    version (``revised``, its spans re-anchored), the same text changes
    nothing (``unchanged``), and a page that cannot be fetched now is
    ``failed`` with its reason, the article as it was. Each article is
    named by its id and URL in the report."""
    report = report if report is not None else ImportReport()
    for article in articles:
        name = f"article {article.pk} ({article.url})"
        try:
            found, outcome = import_article_from_url(article.url)
        except ImportProblem as problem:
            report.failed.append((name, str(problem).removeprefix(f"{article.url}: ")))
            continue
        except DatabaseError:
            raise
        except Exception as error:
            report.failed.append((name, f"cannot be read ({type(error).__name__}: {error})"))
            continue
        if found.pk != article.pk:
            # The page now holds another article's text (a redirect to it,
            # or an outlet reusing an address): not this one's new version.
            report.failed.append((name, f"the page now has the text of article {found.pk}; nothing changed here"))
            continue
        getattr(report, outcome).append(name)
    return report
