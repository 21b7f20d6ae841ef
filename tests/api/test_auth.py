"""Token sign-in (annotate/api/views/auth.py) and token expiry
(annotate/api/authentication.py): an expired token is a 401 that says so,
and signing in again gives a new token that works."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotate.actions import tokens
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

MADE = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)


def sign_in(username: str, password: str = PASSWORD):
    return APIClient().post("/api/auth/token/", {"username": username, "password": password}, format="json")


def api_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def made_at(token: Token, when: datetime) -> Token:
    Token.objects.filter(key=token.key).update(created=when)
    token.refresh_from_db()
    return token


def test_sign_in_answers_the_token_and_when_it_expires(alice, settings):
    settings.API_TOKEN_MAX_AGE = timedelta(days=30)

    response = sign_in("alice")

    assert response.status_code == 200
    token = Token.objects.get(user=alice)
    assert response.json() == {"token": token.key, "expires_at": (token.created + timedelta(days=30)).isoformat()}


def test_sign_in_says_a_token_that_never_expires_has_no_expiry(alice, settings):
    settings.API_TOKEN_MAX_AGE = None

    assert sign_in("alice").json()["expires_at"] is None


def test_signing_in_twice_gives_the_same_working_token(alice):
    first, second = sign_in("alice").json()["token"], sign_in("alice").json()["token"]

    assert first == second
    assert api_with(first).get("/api/labels/").status_code == 200


def test_an_expired_token_is_a_401_that_says_it_expired_and_when(alice, settings):
    settings.API_TOKEN_MAX_AGE = timedelta(days=30)
    token = made_at(tokens.token_issue(user=alice), MADE)

    response = api_with(token.key).get("/api/labels/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": {
            "message": "This API token expired at 2025-04-04T10:00:00Z. Sign in again (POST /api/auth/token/) "
            "or make a new one on your account page (/account/)."
        }
    }


def test_a_token_a_moment_before_expiry_still_works(alice, settings):
    settings.API_TOKEN_MAX_AGE = timedelta(days=30)
    token = made_at(tokens.token_issue(user=alice), datetime.now(UTC) - timedelta(days=30) + timedelta(minutes=1))

    assert api_with(token.key).get("/api/labels/").status_code == 200


def test_after_expiry_a_fresh_sign_in_gives_a_new_token_that_works(alice, settings):
    settings.API_TOKEN_MAX_AGE = timedelta(days=30)
    old = made_at(tokens.token_issue(user=alice), MADE)

    response = sign_in("alice")

    new = response.json()["token"]
    assert new != old.key
    assert api_with(new).get("/api/labels/").status_code == 200
    assert api_with(old.key).get("/api/labels/").json() == {"error": {"message": "Invalid token."}}


def test_with_expiry_off_an_old_token_still_works(alice, settings):
    settings.API_TOKEN_MAX_AGE = None
    token = made_at(tokens.token_issue(user=alice), MADE)

    assert api_with(token.key).get("/api/labels/").status_code == 200
    assert sign_in("alice").json()["token"] == token.key


def test_a_wrong_password_does_not_replace_an_expired_token(alice, settings):
    settings.API_TOKEN_MAX_AGE = timedelta(days=30)
    old = made_at(tokens.token_issue(user=alice), MADE)

    response = sign_in("alice", "wrong")

    assert response.status_code == 400
    assert Token.objects.get(user=alice).key == old.key


def test_a_password_change_ends_the_token_and_the_new_password_signs_in(alice):
    old = sign_in("alice").json()["token"]
    alice.set_password("a much longer passphrase, 2025")
    alice.save()

    assert api_with(old).get("/api/labels/").status_code == 401
    assert sign_in("alice").status_code == 400
    new = sign_in("alice", "a much longer passphrase, 2025").json()["token"]
    assert api_with(new).get("/api/labels/").status_code == 200


def test_an_inactive_users_token_is_refused(alice):
    key = sign_in("alice").json()["token"]
    alice.is_active = False
    alice.save()

    response = api_with(key).get("/api/labels/")

    assert response.status_code == 401
    assert not Token.objects.filter(key=key).exists()
