from django.core.management.base import BaseCommand, CommandError

from annotate.io.feeds import PollReport, poll_feed
from annotate.models import Feed


class Command(BaseCommand):
    help = (
        "Poll the feeds leads follow (the /feeds/ page) and import their new items' articles into the unassigned "
        "pool, in this process (no worker needed). Every active feed, or only those named with --feed (paused "
        "ones too). Each feed is fetched conditionally (an unchanged feed answers 304, not modified) and read; an "
        "item whose address an article already has, or that the feed listed before, is not fetched again. An item "
        "whose page cannot be imported is tried again on the next polls (FEED_ENTRY_ATTEMPTS in all), then given "
        "up; at most FEED_POLL_MAX_ENTRIES pages are fetched per feed and poll, the rest wait for the next. Prints a "
        "line per feed on stdout and every failure, with its reason, on stderr; a feed that fails does not stop the "
        "others. Exits non-zero only when it is used wrongly (an unknown --feed). Run it from cron or a systemd "
        "timer (docs/deploy.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--feed",
            dest="feeds",
            type=int,
            nargs="+",
            action="extend",
            metavar="ID",
            help="Poll only these feeds (their ids: the /feeds/ page and the admin show them), active or paused.",
        )

    def handle(self, *args, feeds=None, **options):
        if feeds:
            ids = list(dict.fromkeys(feeds))
            found = set(Feed.objects.filter(pk__in=ids).values_list("pk", flat=True))
            if missing := [str(pk) for pk in ids if pk not in found]:
                raise CommandError(f"no feed with the id {', '.join(missing)}; see the /feeds/ page for the ids")
        else:
            ids = list(Feed.objects.filter(active=True).order_by("id").values_list("pk", flat=True))
            if not ids:
                self.stdout.write("No active feeds to poll; follow one on the /feeds/ page.")
                return
        totals = {"new": 0, "failed feeds": 0, "failed items": 0}
        for feed_id in ids:
            try:
                report = poll_feed(feed_id)
            except Exception as error:
                # Recorded on the feed by poll_feed; the other feeds still go.
                report = PollReport(feed_id=feed_id, status=Feed.Status.FAILED)
                report.name = str(Feed.objects.filter(pk=feed_id).first() or "")
                report.problem = f"could not be polled ({type(error).__name__}: {error})"
            self.write_report(report)
            totals["new"] += len(report.imported)
            totals["failed feeds"] += report.status == Feed.Status.FAILED
            totals["failed items"] += len(report.failed)
        self.stdout.write(
            f"Polled {len(ids)} feed{'s' if len(ids) != 1 else ''}: {totals['new']} new article(s), "
            f"{totals['failed items']} item(s) failed, {totals['failed feeds']} feed(s) failed."
        )

    def write_report(self, report: PollReport) -> None:
        name = f"Feed {report.feed_id}" + (f" “{report.name}”" if report.name else "")
        self.stdout.write(f"{name}: {report.summary()}")
        if report.status == Feed.Status.FAILED:
            self.stderr.write(self.style.ERROR(f"{name}: {report.problem}"))
        for link, reason, again in report.failed:
            fate = "tried again next poll" if again else "given up"
            self.stderr.write(self.style.ERROR(f"{name}: {link}: {reason} ({fate})"))
        # On stdout: an item without a usable link is the feed's quirk, said
        # on every poll, and nothing anyone here can fix.
        for link, reason in report.refused:
            self.stdout.write(f"  skipped {link}: {reason}")
