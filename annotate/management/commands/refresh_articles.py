import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from annotate.io.url_imports import refresh_articles
from annotate.models import Article


class Command(BaseCommand):
    help = (
        "Fetch again the pages of articles that came from the web and record what changed: a different text "
        "becomes the article's new version (every span re-anchored: moved with its words, proposed on lightly "
        "edited words for a person to confirm, or orphaned for a lead at /orphans/), the same text changes "
        "nothing. Run it from cron or a systemd timer (docs/deploy.md). Fetches run in this process, one after "
        "the other, with the same safety rules as every fetch (ARTICLE_FETCH_* settings)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", action="append", default=[], help="Only this outlet (by name); repeatable.")
        parser.add_argument(
            "--since",
            type=dt.date.fromisoformat,
            help="Only articles first imported on or after this day (YYYY-MM-DD, UTC).",
        )
        parser.add_argument(
            "--since-days",
            type=int,
            help="Only articles first imported in the last N days (for a daily timer: outlets change news while "
            "it is fresh).",
        )
        parser.add_argument("--article", type=int, action="append", default=[], help="Only this article (by id).")

    def handle(self, *args, source, since, since_days, article, **options):
        if since and since_days is not None:
            raise CommandError("give --since or --since-days, not both")
        if since_days is not None:
            if since_days < 0:
                raise CommandError("--since-days must be 0 or more")
            since = (timezone.now() - dt.timedelta(days=since_days)).date()
        articles = Article.objects.exclude(url="").select_related("source").defer("text").order_by("pk")
        if source:
            unknown = sorted(set(source) - set(Article.objects.filter(source__name__in=source).values_list(
                "source__name", flat=True
            )))  # fmt: skip
            if unknown:
                raise CommandError(f"no article with a URL from {', '.join(map(repr, unknown))}")
            articles = articles.filter(source__name__in=source)
        if since:
            articles = articles.filter(imported_at__date__gte=since)
        if article:
            articles = articles.filter(pk__in=article)
        articles = list(articles)
        if not articles:
            self.stdout.write("No article with a URL matches; nothing to refresh.")
            return
        report = refresh_articles(articles)
        for name in report.revised:
            self.stdout.write(f"{name}: changed; recorded as a new version.")
        for name, reason in report.failed:
            self.stderr.write(self.style.ERROR(f"{name}: {reason}"))
        self.stdout.write(
            f"Refreshed {len(articles)} article(s): {len(report.revised)} changed, "
            f"{len(report.unchanged) + len(report.updated)} unchanged, {len(report.failed)} could not be fetched."
        )
