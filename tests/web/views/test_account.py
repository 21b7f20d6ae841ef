"""The account page (annotate/web/views/account.py): a user's own API token,
made, revoked and replaced there, and their password changed there.

Whose token: every role (reviewer alice, lead lena, admin root) sees and
changes only their own, checked through the page and then through the API
with the keys themselves; bob is the colleague whose token must survive.
The anonymous visitor is sent to sign in and changes nothing."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotate.actions import tokens
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a much longer passphrase, 2025"
LONG_AGO = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    """A moment inside any lifetime the tests set, to the minute (as the page shows it)."""
    return datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=days)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_made_at(user, when: datetime) -> Token:
    token = tokens.token_issue(user=user)
    Token.objects.filter(key=token.key).update(created=when)
    return Token.objects.get(key=token.key)


def api_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/labels/").status_code


def shown_key(page: str) -> str:
    return re.search(r'<code class="token-key" id="new-token">([0-9a-f]{40})</code>', page).group(1)


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def bobs_token(bob):
    return token_made_at(bob, days_ago(3.2))


ROLES = ["alice", "lena", "root"]  # reviewer, lead, admin


# The anonymous visitor


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", reverse("account")),
        ("post", reverse("account-token-issue")),
        ("post", reverse("account-token-revoke")),
        ("get", reverse("password-change")),
    ],
)
def test_the_anonymous_visitor_is_sent_to_sign_in_and_changes_nothing(client, bobs_token, method, url):
    response = getattr(client, method)(url)

    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={url}")
    assert list(Token.objects.values_list("key", flat=True)) == [bobs_token.key]


# Every role: their own token and nobody else's


@pytest.mark.parametrize("who", ROLES)
def test_each_role_sees_when_their_own_token_was_made_and_expires_and_no_key(request, who, bobs_token, settings):
    settings.API_TOKEN_MAX_AGE = timedelta(days=30)
    user = request.getfixturevalue(who)
    own = token_made_at(user, days_ago(2))

    page = client_for(user).get(reverse("account")).content.decode()

    made, expires = own.created, own.created + timedelta(days=30)
    assert f"<dt>Created</dt><dd>{made:%Y-%m-%d %H:%M} UTC</dd>" in page
    assert f"<dt>Expires</dt><dd>{expires:%Y-%m-%d %H:%M} UTC</dd>" in page
    assert "Expired" not in page
    assert f"{bobs_token.created:%Y-%m-%d %H:%M}" not in page
    assert own.key not in page and bobs_token.key not in page


@pytest.mark.parametrize("who", ROLES)
def test_each_role_makes_a_token_for_themselves_only_and_sees_its_key_once(request, who, bob, bobs_token):
    user = request.getfixturevalue(who)
    client = client_for(user)

    # A user id in the form is not a way to someone else's token: it is ignored.
    response = client.post(reverse("account-token-issue"), {"user": bob.pk})

    assert response.status_code == 200
    key = shown_key(response.content.decode())
    assert Token.objects.get(key=key).user == user
    assert Token.objects.get(user=bob).key == bobs_token.key
    assert "no-store" in response["Cache-Control"]
    assert api_status(key) == 200
    assert key not in client.get(reverse("account")).content.decode()


@pytest.mark.parametrize("who", ROLES)
def test_each_role_replaces_their_own_token_and_the_old_one_stops_working(request, who, bobs_token):
    user = request.getfixturevalue(who)
    old = token_made_at(user, days_ago(1))

    response = client_for(user).post(reverse("account-token-issue"))

    new = shown_key(response.content.decode())
    assert (api_status(old.key), api_status(new)) == (401, 200)
    assert api_status(bobs_token.key) == 200


@pytest.mark.parametrize("who", ROLES)
def test_each_role_revokes_their_own_token_and_only_theirs(request, who, bob, bobs_token):
    user = request.getfixturevalue(who)
    own = token_made_at(user, days_ago(1))
    client = client_for(user)

    response = client.post(reverse("account-token-revoke"), {"user": bob.pk})

    assert (response.status_code, response["Location"]) == (302, reverse("account"))
    assert message_texts(response) == ["Your API token is revoked: requests that send it are refused from now on."]
    assert not Token.objects.filter(user=user).exists()
    assert (api_status(own.key), api_status(bobs_token.key)) == (401, 200)
    page = client.get(reverse("account")).content.decode()
    assert '<p class="token-none">You have no API token.</p>' in page
    assert "Create a token</button>" in page


# The page itself


def test_without_a_token_the_page_offers_to_make_one(alice_client):
    page = alice_client.get(reverse("account")).content.decode()

    assert '<p class="token-none">You have no API token.</p>' in page
    assert f'<form method="post" action="{reverse("account-token-issue")}">' in page
    assert reverse("account-token-revoke") not in page


def test_an_expired_token_is_marked_expired(alice_client, alice, settings):
    settings.API_TOKEN_MAX_AGE = timedelta(days=30)
    token_made_at(alice, LONG_AGO)

    page = alice_client.get(reverse("account")).content.decode()

    assert (
        '<dt>Expires</dt><dd>2025-04-04 10:00 UTC <span class="status-pill status-expired">Expired</span></dd>' in page
    )


def test_with_expiry_off_the_token_never_expires_and_the_page_says_so(alice_client, alice, settings):
    settings.API_TOKEN_MAX_AGE = None
    token_made_at(alice, days_ago(1))

    page = alice_client.get(reverse("account")).content.decode()

    assert "<dt>Expires</dt><dd>Never</dd>" in page
    assert "It stops working when your password changes, or when you revoke it." in page


def test_the_page_says_how_many_days_a_token_lasts(alice_client, settings):
    settings.API_TOKEN_MAX_AGE = timedelta(days=30)

    page = alice_client.get(reverse("account")).content.decode()

    assert "It stops working 30 days after it is made, when your password changes, or when you revoke it." in page


def test_revoking_without_a_token_says_there_was_none(alice_client):
    response = alice_client.post(reverse("account-token-revoke"))

    assert message_texts(response) == ["You had no API token to revoke."]


def test_the_navigation_links_to_the_account_page(alice_client):
    page = alice_client.get(reverse("queue")).content.decode()

    assert f'<a href="{reverse("account")}">Account</a>' in page


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", reverse("account")),
        ("get", reverse("account-token-issue")),
        ("get", reverse("account-token-revoke")),
    ],
)
def test_each_address_takes_only_its_method(alice_client, alice, method, url):
    token_made_at(alice, days_ago(1))

    assert getattr(alice_client, method)(url).status_code == 405
    assert Token.objects.filter(user=alice).count() == 1


@pytest.mark.parametrize("url", [reverse("account-token-issue"), reverse("account-token-revoke")])
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(alice, url):
    old = token_made_at(alice, days_ago(1))
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(url)

    assert response.status_code == 403
    assert list(Token.objects.filter(user=alice).values_list("key", flat=True)) == [old.key]


def test_the_forms_carry_the_csrf_token(alice_client, alice):
    token_made_at(alice, days_ago(1))

    page = alice_client.get(reverse("account")).content.decode()

    assert page.count('name="csrfmiddlewaretoken"') == 3  # replace, revoke, and the sign-out form


ACCOUNT_QUERIES = 4  # session, user, the user's groups (navigation), the token


@pytest.mark.parametrize("has_token", [False, True])
def test_the_page_reads_a_fixed_number_of_queries(alice, has_token, django_assert_num_queries):
    if has_token:
        token_made_at(alice, days_ago(1))
    client = client_for(alice)

    with django_assert_num_queries(ACCOUNT_QUERIES):
        response = client.get(reverse("account"))

    assert ("<dt>Created</dt>" in response.content.decode()) is has_token


def test_making_a_token_takes_a_fixed_number_of_queries(alice, django_assert_num_queries):
    token_made_at(alice, days_ago(1))
    client = client_for(alice)

    # session, user; savepoint, lock the user's row, delete the old token,
    # check the user exists (full_clean), insert, release; groups (navigation).
    with django_assert_num_queries(9):
        response = client.post(reverse("account-token-issue"))

    assert response.status_code == 200


# The password


def test_changing_the_password_on_the_page_revokes_the_token_and_keeps_the_session(alice_client, alice):
    token = token_made_at(alice, days_ago(1))

    response = alice_client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("account"))
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not Token.objects.filter(user=alice).exists()
    assert api_status(token.key) == 401
    assert alice_client.session[SESSION_KEY] == str(alice.pk)
    page = alice_client.get(reverse("account")).content.decode()
    assert "Your password was changed. Any API token you had was revoked: make a new one if you need it." in page


def test_a_wrong_old_password_changes_nothing(alice_client, alice):
    token = token_made_at(alice, days_ago(1))

    response = alice_client.post(
        reverse("password-change"),
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert Token.objects.get(user=alice).key == token.key


def test_the_password_page_is_ours_and_the_admins_keeps_its_own(alice_client, admin_client_):
    ours = alice_client.get(reverse("password-change"))
    admins = admin_client_.get(reverse("admin:password_change"))

    assert [t.name for t in ours.templates][0] == "annotate/password_change.html"
    assert [t.name for t in admins.templates][0] == "registration/password_change_form.html"
    assert "<h1>Change your password</h1>" in ours.content.decode()
