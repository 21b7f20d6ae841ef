"""Signing in and out: our own login template, its error message, where a
good login lands, and logout only by POST."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from pytest_django.asserts import assertTemplateUsed

from tests.conftest import PASSWORD, make_article, make_user

pytestmark = pytest.mark.django_db

BAD_LOGIN = "Your username and password did not match. Please try again."


def test_the_login_page_renders_our_template(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assertTemplateUsed(response, "registration/login.html")
    page = response.content.decode()
    assert "<h1>Sign in</h1>" in page
    assert '<input id="id_username" name="username"' in page
    assert '<input id="id_password" name="password" type="password"' in page
    assert BAD_LOGIN not in page
    # Signed out, the top bar has no navigation or sign-out button.
    assert 'class="signout"' not in page


def test_the_login_page_carries_next_through_the_form(client):
    response = client.get(reverse("login"), {"next": "/articles/7/"})

    assert '<input type="hidden" name="next" value="/articles/7/">' in response.content.decode()


def test_a_wrong_password_shows_the_error_and_keeps_the_username(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<p class="error" role="alert">{BAD_LOGIN}</p>' in page
    assert 'value="alice"' in page
    assert SESSION_KEY not in client.session


def test_an_inactive_user_cannot_sign_in(client):
    make_user("gone", is_active=False)

    response = client.post(reverse("login"), {"username": "gone", "password": PASSWORD})

    assert response.status_code == 200
    assert BAD_LOGIN in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_good_login_goes_to_the_article_list(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("article-list")
    assert client.session[SESSION_KEY] == str(alice.pk)
    page = client.get(response["Location"]).content.decode()
    assert '<span class="who">alice</span>' in page


def test_a_good_login_returns_to_the_page_asked_for(client, alice):
    article = make_article()
    url = reverse("article-detail", args=[article.pk])

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD, "next": url})

    assert (response.status_code, response["Location"]) == (302, url)


def test_a_login_does_not_follow_next_to_another_site(client, alice):
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert (response.status_code, response["Location"]) == (302, reverse("article-list"))


def test_logout_by_post_signs_out_and_goes_to_the_login_page(alice_client):
    response = alice_client.post(reverse("logout"))

    assert (response.status_code, response["Location"]) == (302, reverse("login"))
    assert SESSION_KEY not in alice_client.session
    assert alice_client.get(reverse("article-list")).status_code == 302


def test_logout_by_get_is_refused_and_keeps_the_session(alice_client, alice):
    response = alice_client.get(reverse("logout"))

    assert response.status_code == 405
    assert alice_client.session[SESSION_KEY] == str(alice.pk)


def test_signed_in_pages_have_a_sign_out_form_that_posts(alice_client):
    page = alice_client.get(reverse("article-list")).content.decode()

    assert f'<form class="signout" method="post" action="{reverse("logout")}">' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_form_post_without_a_csrf_token_gets_djangos_html_page_not_json(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "CSRF verification failed" in response.content.decode()
