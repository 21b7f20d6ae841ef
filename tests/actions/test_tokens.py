"""API tokens (annotate/actions/tokens.py): issuing and replacing them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from annotate.actions import tokens

pytestmark = pytest.mark.django_db


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
