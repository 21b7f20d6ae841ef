"""API tokens (annotate/actions/tokens.py): issuing and replacing them, and
revoking them on every path that changes a user's credentials: set_password
in code, the admin's password form, ``manage.py changepassword``, password
sign-in switched off, deactivation in code and in the admin. The account
page's own password form is in tests/web/views/test_account.py.

What must not revoke is listed too: a password re-hashed at sign-in, and
saving anything else about a user."""

import io
import logging
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, make_password
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from annotate.actions import tokens
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a much longer passphrase, 2025"


def has_token(user) -> bool:
    return Token.objects.filter(user=user).exists()


@pytest.fixture
def alices_token(alice):
    return tokens.token_issue(user=alice)


@pytest.fixture
def bobs_token(bob):
    return tokens.token_issue(user=bob)


# Issuing


def test_issuing_replaces_the_users_token_and_the_old_key_stops_existing(alice, alices_token):
    new = tokens.token_issue(user=alice)

    assert new.key != alices_token.key
    assert list(Token.objects.filter(user=alice).values_list("key", flat=True)) == [new.key]


def test_issuing_for_one_user_leaves_everyone_elses_token_alone(alice, bob, bobs_token):
    tokens.token_issue(user=alice)

    assert Token.objects.get(user=bob).key == bobs_token.key


def test_a_sign_in_keeps_the_token_while_it_works(alice, alices_token):
    found = tokens.token_get_or_issue(user=alice, max_age=timedelta(days=30))

    assert found.key == alices_token.key


def test_a_sign_in_replaces_an_expired_token(alice, alices_token):
    later = alices_token.created + timedelta(days=30)

    found = tokens.token_get_or_issue(user=alice, max_age=timedelta(days=30), now=later)

    assert found.key != alices_token.key
    assert Token.objects.get(user=alice).key == found.key


def test_a_sign_in_without_a_lifetime_keeps_even_an_old_token(alice, alices_token):
    Token.objects.filter(key=alices_token.key).update(created=timezone.now() - timedelta(days=3650))

    assert tokens.token_get_or_issue(user=alice, max_age=None).key == alices_token.key


def test_a_first_sign_in_makes_a_token(alice):
    found = tokens.token_get_or_issue(user=alice, max_age=timedelta(days=30))

    assert Token.objects.get(user=alice).key == found.key


# Revoking


def test_revoking_deletes_only_that_users_token_and_says_why_in_the_log(alice, alices_token, bob, bobs_token, caplog):
    with caplog.at_level(logging.INFO, logger="annotate.actions.tokens"):
        assert tokens.tokens_revoke(user=alice, reason="asked on the account page") == 1

    assert not has_token(alice)
    assert has_token(bob)
    assert caplog.messages == ["Revoked the API token of alice: asked on the account page"]


def test_revoking_without_a_token_is_not_an_error_and_logs_nothing(alice, caplog):
    with caplog.at_level(logging.INFO, logger="annotate.actions.tokens"):
        assert tokens.tokens_revoke(user=alice, reason="none there") == 0
    assert caplog.messages == []


# What revokes


def test_set_password_and_save_in_code_revokes(alice, alices_token, bob, bobs_token):
    alice.set_password(NEW_PASSWORD)
    alice.save()

    assert not has_token(alice)
    assert has_token(bob)


def test_set_password_with_update_fields_revokes(alice, alices_token):
    alice.set_password(NEW_PASSWORD)
    alice.save(update_fields=["password"])

    assert not has_token(alice)


def test_the_admins_password_form_for_a_user_revokes(admin_client_, alice, alices_token):
    response = admin_client_.post(
        reverse("admin:auth_user_password_change", args=[alice.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not has_token(alice)


def test_switching_off_password_sign_in_in_the_admin_revokes(admin_client_, alice, alices_token):
    response = admin_client_.post(
        reverse("admin:auth_user_password_change", args=[alice.pk]), {"usable_password": "false", "unset-password": "1"}
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.has_usable_password()
    assert not has_token(alice)


def test_changepassword_command_revokes(alice, alices_token, monkeypatch):
    from django.contrib.auth.management.commands import changepassword

    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt="Password: ": NEW_PASSWORD)

    call_command("changepassword", "alice", stdout=io.StringIO())

    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not has_token(alice)


def test_deactivating_in_code_revokes(alice, alices_token):
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    assert not has_token(alice)


def user_change_form_as_is(client, user) -> dict:
    """What the admin's change form for ``user`` posts back unchanged."""
    form = client.get(reverse("admin:auth_user_change", args=[user.pk])).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if not form.fields[name].disabled}
    data = {name: value for name, value in data.items() if value not in (None, False)}  # unticked boxes send nothing
    data.pop("last_login", None)
    joined = data.pop("date_joined")  # a date and a time input
    data["date_joined_0"], data["date_joined_1"] = f"{joined:%Y-%m-%d}", f"{joined:%H:%M:%S}"
    return data


def test_deactivating_in_the_admin_revokes(admin_client_, alice, alices_token):
    data = user_change_form_as_is(admin_client_, alice)
    del data["is_active"]

    response = admin_client_.post(reverse("admin:auth_user_change", args=[alice.pk]), data)

    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active
    assert not has_token(alice)


def test_saving_a_user_in_the_admin_unchanged_keeps_the_token(admin_client_, alice, alices_token):
    response = admin_client_.post(
        reverse("admin:auth_user_change", args=[alice.pk]), user_change_form_as_is(admin_client_, alice)
    )

    assert response.status_code == 302
    assert Token.objects.get(user=alice).key == alices_token.key


def test_a_reactivated_user_does_not_get_the_old_token_back(alice, alices_token):
    alice.is_active = False
    alice.save()
    alice.is_active = True
    alice.save()

    assert not Token.objects.filter(key=alices_token.key).exists()


# What does not revoke


class OlderHasher(MD5PasswordHasher):
    """Stands for a hasher the project has moved on from: a hash it made is
    re-made with the preferred one at the next sign-in."""

    algorithm = "older_md5"


def test_a_password_rehashed_at_sign_in_keeps_the_token(settings, alice):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        f"{__name__}.OlderHasher",
    ]
    alice.password = make_password(PASSWORD, hasher="older_md5")
    alice.save()
    token = tokens.token_issue(user=alice)

    assert alice.check_password(PASSWORD)

    alice.refresh_from_db()
    assert alice.password.startswith("md5$")  # the upgrade did happen
    assert Token.objects.get(user=alice).key == token.key


def test_signing_in_on_the_page_keeps_the_token(client, alice, alices_token):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert Token.objects.get(user=alice).key == alices_token.key


def test_saving_anything_else_about_a_user_keeps_the_token(alice, alices_token):
    alice.first_name = "Alice"
    alice.email = "alice@example.com"
    alice.save()

    assert Token.objects.get(user=alice).key == alices_token.key


def test_creating_a_user_touches_no_token(alice, alices_token):
    make_user("newcomer")

    assert Token.objects.get(user=alice).key == alices_token.key
