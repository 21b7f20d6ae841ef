"""The signed-in user's account page: their own API token (when it was made,
when it expires; revoke it, or make a new one, shown once) and a link to
change their password. Every view acts on ``request.user`` and takes no
user or token from the request, so nobody can reach another's token here."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from annotate.actions import tokens
from annotate.read.tokens import TokenSummary, token_summary


@require_GET
@never_cache
def account(request):
    max_age = settings.API_TOKEN_MAX_AGE
    return _account_page(request, token_summary(user=request.user, max_age=max_age, now=timezone.now()))


@require_POST
@never_cache
def account_token_issue(request):
    """Make a new token (the old one stops working) and show its key in this
    answer only. The page never shows a key again, although DRF keeps keys
    as they are: a session left signed in on a shared screen then cannot
    give a working token away without replacing it, which its owner notices.
    never_cache keeps the answer out of the browser's cache and history."""
    token = tokens.token_issue(user=request.user)
    summary = TokenSummary.of(token.created, max_age=settings.API_TOKEN_MAX_AGE, now=timezone.now())
    return _account_page(request, summary, new_key=token.key)


@require_POST
def account_token_revoke(request):
    if tokens.tokens_revoke(user=request.user, reason="asked for on the account page"):
        messages.success(request, "Your API token is revoked: requests that send it are refused from now on.")
    else:
        messages.info(request, "You had no API token to revoke.")
    return redirect("account")


def _account_page(request, token: TokenSummary | None, *, new_key: str = ""):
    max_age = settings.API_TOKEN_MAX_AGE
    context = {"token": token, "new_key": new_key, "max_age_days": max_age.days if max_age else None}
    return render(request, "annotate/account.html", context)


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password form (it keeps this session signed in); the save
    revokes the user's API token (annotate/actions/tokens.py)."""

    # Not Django's registration/password_change_form.html: the admin's own
    # password page renders that name, and would pick up ours.
    template_name = "annotate/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, "Your password was changed. Any API token you had was revoked: make a new one if you need it."
        )
        return response
