"""Who may annotate and who may change a span, as one matrix."""

import pytest
from django.contrib.auth.models import AnonymousUser

from annotate import permissions
from tests.conftest import assign, make_annotation, make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(alice, bob, root):
    return {
        "anonymous": AnonymousUser(),
        "author": alice,
        "other reviewer": bob,
        "admin": root,
        "inactive author": alice,
        "inactive other": make_user("gone", is_active=False),
    }


@pytest.fixture
def span(alice, bob, labels):
    article = make_article()
    assign(article, alice, bob)
    return make_annotation(article, labels["fact"], alice, quote="Lukashenko")


@pytest.mark.parametrize(
    ("who", "may_annotate", "may_change"),
    [
        ("anonymous", False, False),
        ("author", True, True),
        ("other reviewer", True, False),
        # Staff rights are for the admin, not for rewriting a reviewer's judgement.
        ("admin", True, False),
        ("inactive author", False, False),
        ("inactive other", False, False),
    ],
)
def test_permission_matrix(cast, span, who, may_annotate, may_change):
    user = cast[who]
    if who == "inactive author":
        user.is_active = False
        user.save(update_fields=["is_active"])

    assert permissions.can_annotate(user, span.article) is may_annotate
    assert permissions.can_change_annotation(user, span) is may_change
