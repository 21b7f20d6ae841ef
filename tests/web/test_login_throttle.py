"""annotate/web/login_throttle.py with django-axes switched on, as in production:
five failed sign-ins for one username from one address lock that pair out
for the cool-off, with our sign-in page saying so."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import RequestFactory
from django.urls import reverse

from annotate.web.login_throttle import client_ip
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

BAD_LOGIN = "Your username and password did not match. Please try again."
LOCKED_OUT = (
    "Too many failed sign-ins for this username from your address. Signing in is blocked for 15 minutes; "
    "try again then, or ask an administrator to unlock it."
)
HOME = "10.1.1.1"
ELSEWHERE = "10.2.2.2"


def sign_in(client, username: str, password: str, address: str = HOME):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, times: int, username: str = "alice", address: str = HOME):
    return [sign_in(client, username, "wrong", address) for _ in range(times)]


def test_wrong_passwords_below_the_limit_only_say_they_did_not_match(client, alice, settings):
    assert settings.AXES_FAILURE_LIMIT == 5

    responses = fail(client, 4)

    assert [r.status_code for r in responses] == [200] * 4
    assert BAD_LOGIN in responses[-1].content.decode()
    assert LOCKED_OUT not in responses[-1].content.decode()


def test_the_fifth_failure_locks_the_username_and_address_out_with_a_readable_page(client, alice):
    responses = fail(client, 5)

    last = responses[-1]
    page = last.content.decode()
    assert last.status_code == 429
    assert last["Retry-After"] == "900"
    assert f'<p class="error locked-out" role="alert">{LOCKED_OUT}</p>' in page
    assert BAD_LOGIN not in page
    # Still our sign-in page, with the username kept.
    assert "<h1>Sign in</h1>" in page
    assert 'value="alice"' in page


def test_while_locked_out_even_the_right_password_is_refused(client, alice):
    fail(client, 5)

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_lock_holds_only_for_that_username_and_address(client, alice, bob):
    fail(client, 5, "alice", HOME)

    # alice from another machine, and bob from the same one, still get in.
    assert sign_in(client, "alice", PASSWORD, ELSEWHERE).status_code == 302
    client.logout()
    assert sign_in(client, "bob", PASSWORD, HOME).status_code == 302


def test_after_the_cool_off_the_right_password_works_again(client, alice):
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(alice.pk)


def test_a_successful_sign_in_forgets_earlier_failures(client, alice):
    fail(client, 4)
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()

    responses = fail(client, 4)

    assert [r.status_code for r in responses] == [200] * 4


def test_the_admin_sign_in_is_throttled_too(client, root):
    responses = [
        client.post(reverse("admin:login"), {"username": "root", "password": "wrong"}, REMOTE_ADDR=HOME)
        for _ in range(5)
    ]

    assert responses[-1].status_code == 429
    assert LOCKED_OUT in responses[-1].content.decode()


def test_the_failure_limit_and_cool_off_come_from_settings(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=1)

    responses = fail(client, 2)

    assert responses[-1].status_code == 429
    assert responses[-1]["Retry-After"] == "60"
    assert "Signing in is blocked for 1 minute;" in responses[-1].content.decode()


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "", "127.0.0.1"),
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy of ours: the header is the client's word
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the left entry was sent by the client
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.5", "203.0.113.9"),
        (1, "", "127.0.0.1"),  # a proxy that adds nothing: the peer's address
    ],
)
def test_client_ip_trusts_only_what_our_proxies_appended(settings, proxies, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_ip(request) == expected


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_username_longer_than_the_throttle_keeps_is_counted_under_its_first_255_characters(client, alice, via):
    # PostgreSQL refused the attempt's row (a 500, even anonymously); SQLite
    # stored it whole.
    username = "x" * 300
    if via == "page":
        response = sign_in(client, username, "wrong")
        assert response.status_code == 200 and BAD_LOGIN in response.content.decode()
    else:
        response = client.post(
            "/api/auth/token/", {"username": username, "password": "wrong"}, content_type="application/json"
        )
        assert response.status_code == 400

    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [("x" * 255, 1)]
