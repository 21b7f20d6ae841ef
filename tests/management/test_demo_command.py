"""`make run`'s demo logins: a lead and two reviewers with the seeds assigned."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from annotate import permissions
from annotate.models import Assignment

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("ensure_demo_user", stdout=out)
    return out.getvalue()


def test_demo_logins_are_made_once_and_the_reviewers_get_every_article(seed_articles):
    first = run()

    users = get_user_model().objects
    assert permissions.is_lead(users.get(username="demo"))
    for name in ("ana", "ben"):
        reviewer = users.get(username=name)
        assert reviewer.check_password("sourcemark-demo")
        assert not permissions.is_lead(reviewer)
        assert Assignment.objects.filter(reviewer=reviewer).count() == len(seed_articles)
    assert "username 'demo', password 'sourcemark-demo'" in first
    assert "10 new assignment(s)" in first

    Assignment.objects.filter(reviewer__username="ana").first().delete()
    second = run()
    assert "already there" in second and "0 new assignment(s)" in second
    assert Assignment.objects.count() == 2 * len(seed_articles) - 1
