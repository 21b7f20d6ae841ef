"""The Feeds page, for leads: follow an outlet's RSS or Atom feed, see how
each feed's polls went, pause, resume, unfollow, or poll one now. A poll
runs as a background task (``tasks.queue_feed_poll``) or from
``manage.py poll_feeds``; the page never waits on an outlet's server."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from annotate import tasks
from annotate.actions import feeds as feed_actions
from annotate.models import Feed
from annotate.permissions import lead_required
from annotate.read.feeds import feeds_for_page, outlet_names
from annotate.web.forms import FeedFollowForm

LEADS_ONLY = "Only a lead can follow feeds."


@require_GET
@lead_required(message=LEADS_ONLY)
def feed_list(request):
    return _page(request)


@require_POST
@lead_required(message=LEADS_ONLY)
def feed_follow(request):
    form = FeedFollowForm(request.POST)
    if form.is_valid():
        try:
            feed = feed_actions.feed_follow(added_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            tasks.queue_feed_poll(feed)
            messages.success(request, f"Following {feed.url}; its first poll is queued.")
            return redirect("feeds")
    return _page(request, form=form, status=400)


@require_POST
@lead_required(message=LEADS_ONLY)
def feed_pause(request, feed_id: int):
    feed = feed_actions.feed_set_active(get_object_or_404(Feed, pk=feed_id), active=False)
    messages.success(request, f"Paused “{feed}”: poll_feeds leaves it alone until it is resumed.")
    return redirect("feeds")


@require_POST
@lead_required(message=LEADS_ONLY)
def feed_resume(request, feed_id: int):
    feed = feed_actions.feed_set_active(get_object_or_404(Feed, pk=feed_id), active=True)
    messages.success(request, f"Resumed “{feed}”: the next poll reads it.")
    return redirect("feeds")


@require_POST
@lead_required(message=LEADS_ONLY)
def feed_poll(request, feed_id: int):
    feed = get_object_or_404(Feed, pk=feed_id)
    tasks.queue_feed_poll(feed)
    messages.success(request, f"Queued a poll of “{feed}”; reload the page to see how it went.")
    return redirect("feeds")


@require_POST
@lead_required(message=LEADS_ONLY)
def feed_unfollow(request, feed_id: int):
    feed = get_object_or_404(Feed, pk=feed_id)
    feed_actions.feed_unfollow(feed)
    messages.success(request, f"No longer following “{feed}”; the articles it brought in stay.")
    return redirect("feeds")


def _page(request, *, form=None, status=200):
    context = {"form": form or FeedFollowForm(), "feeds": feeds_for_page(), "outlet_names": outlet_names()}
    return render(request, "annotate/feeds.html", context, status=status)
