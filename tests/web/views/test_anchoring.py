"""The spans to settle after an article's new text (/orphans/) and an
article's versions page (annotate/web/views/anchoring.py)."""

import pytest
from django.test import Client

from annotate.io import articles_in
from annotate.models import AnchorState, Annotation
from tests.conftest import assign, make_annotation, make_user
from tests.rules.seed_versions import seed_versions

URL = "https://example.org/belarus-china"
FUZZY_OLD = "Belarus and China have pledged to tighten their cooperation"
FUZZY_NEW = "Belarus and China have pledged to deepen their cooperation"
# Deleted from the second version (seed_versions cuts "On top of that …").
ORPHAN_QUOTE = "On top of that"


def import_text(text: str):
    return articles_in.article_import(articles_in.ArticleRecord(text=text, url=URL, source="CNN"))[0]


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def changed(db, labels, alice, bob, lena):
    """Seed 000 with a fuzzy span of alice's and an orphan of bob's, after
    its second version arrived."""
    old, new = seed_versions()
    article = import_text(old)
    assign(article, alice, bob)
    fuzzy = make_annotation(article, labels["fact"], alice, quote=FUZZY_OLD, note="pledge")
    orphan = make_annotation(article, labels["opinion"], bob, quote=ORPHAN_QUOTE, note="why this")
    import_text(new)
    article.refresh_from_db()
    assert Annotation.all_spans.get(pk=fuzzy.pk).anchor_state == AnchorState.FUZZY
    assert Annotation.all_spans.get(pk=orphan.pk).anchor_state == AnchorState.ORPHANED
    return article, fuzzy.pk, orphan.pk


def test_the_lead_sees_both_with_their_old_and_new_words(changed, lena, django_assert_num_queries):
    client = as_user(lena)
    client.get("/orphans/")  # the session's first request warms it up
    with django_assert_num_queries(7):
        page = client.get("/orphans/").content.decode()
    assert FUZZY_OLD in page and FUZZY_NEW in page
    assert ORPHAN_QUOTE in page and "Place on these words" in page and "Dismiss" in page


def test_a_reviewer_sees_only_their_own_and_cannot_place_orphans(changed, alice, bob):
    article, fuzzy, orphan = changed
    alices = as_user(alice).get("/orphans/").content.decode()
    assert FUZZY_NEW in alices and ORPHAN_QUOTE not in alices and "Confirm" in alices
    bob_client = as_user(bob)
    bobs = bob_client.get("/orphans/").content.decode()
    assert ORPHAN_QUOTE in bobs and "A lead places or dismisses it" in bobs and FUZZY_NEW not in bobs
    # Not shown: 404, as if it did not exist; shown but not theirs to do: 403.
    assert bob_client.post(f"/orphans/{fuzzy}/confirm/").status_code == 404
    assert bob_client.post(f"/orphans/{orphan}/dismiss/").status_code == 403
    assert bob_client.post(f"/orphans/{orphan}/place/", {"words": "Lukashenko"}).status_code == 403
    assert Annotation.all_spans.get(pk=orphan).anchor_state == AnchorState.ORPHANED


def test_the_author_confirms_a_fuzzy_placement(changed, alice):
    _, fuzzy, _ = changed
    response = as_user(alice).post(f"/orphans/{fuzzy}/confirm/")
    assert response.status_code == 302
    span = Annotation.objects.get(pk=fuzzy)
    assert (span.anchor_state, span.quote, span.note) == (AnchorState.MOVED, FUZZY_NEW, "pledge")


def test_turning_a_fuzzy_placement_down_orphans_it_where_it_was(changed, alice):
    article, fuzzy, _ = changed
    as_user(alice).post(f"/orphans/{fuzzy}/reject/")
    span = Annotation.all_spans.get(pk=fuzzy)
    assert (span.anchor_state, span.article_version, span.quote) == (AnchorState.ORPHANED, 1, FUZZY_OLD)
    assert span.anchor_text()[span.start : span.end] == FUZZY_OLD


def test_the_lead_places_an_orphan_on_words_that_stand_once(changed, lena):
    article, _, orphan = changed
    client = as_user(lena)
    client.post(f"/orphans/{orphan}/place/", {"words": "the"})  # many times: refused
    client.post(f"/orphans/{orphan}/place/", {"words": "words nowhere in it"})
    assert Annotation.all_spans.get(pk=orphan).anchor_state == AnchorState.ORPHANED
    messages = [str(m) for m in client.get("/orphans/").context["messages"]]
    assert any("appear" in m and "times" in m for m in messages) and any("do not appear" in m for m in messages)

    client.post(f"/orphans/{orphan}/place/", {"words": "Lukashenko was on a three-day state visit"})
    span = Annotation.objects.get(pk=orphan)
    assert (span.anchor_state, span.article_version) == (AnchorState.MOVED, 2)
    assert article.text[span.start : span.end] == span.quote == "Lukashenko was on a three-day state visit"


def test_the_lead_dismisses_an_orphan(changed, lena):
    _, _, orphan = changed
    assert as_user(lena).post(f"/orphans/{orphan}/dismiss/").status_code == 302
    assert not Annotation.all_spans.filter(pk=orphan).exists()


def test_orphans_count_nowhere_in_the_article_list(changed, lena):
    article, _, _ = changed
    listed = as_user(lena).get("/").context["page"].object_list
    assert [row.annotation_count for row in listed if row.pk == article.pk] == [1]


def test_the_versions_page_shows_each_change_and_whether_the_outlet_said_so(changed, alice, django_assert_num_queries):
    article, _, _ = changed
    client = as_user(alice)
    client.get(f"/articles/{article.pk}/versions/")
    # Session, user, article, lead?, assignment, the earlier versions.
    with django_assert_num_queries(6):
        response = client.get(f"/articles/{article.pk}/versions/")
    page = response.content.decode()
    assert "Version 2" in page and "(current)" in page and "Version 1" in page
    assert "<del>tighten</del>" in page and "<ins>deepen</ins>" in page
    assert "The outlet said so" in page and "Correction: An earlier version" in page
    assert "1 moved to edited words, 1 orphaned" in page
    # The article page links to it.
    assert f"/articles/{article.pk}/versions/" in client.get(f"/articles/{article.pk}/").content.decode()


def test_the_versions_page_is_for_those_who_may_open_the_article(changed, db):
    article, _, _ = changed
    assert as_user(make_user("stranger")).get(f"/articles/{article.pk}/versions/").status_code == 403
