"""A new text for an article (annotate/actions/article_versions.py): the old
text kept as a version, every span following the text, orphans kept on
the text they were made on, and the writes that settle them."""

import pytest
from django.core.exceptions import ValidationError

from annotate.actions import article_versions
from annotate.io import articles_in
from annotate.models import Annotation, Article, ArticleVersion
from annotate.rules.offsets import normalise_text
from tests.conftest import make_annotation, make_article
from tests.rules.seed_versions import seed_versions

URL = "https://www.belta.by/president/view/lukashenko-xi-talks-12345/"
OLD = "Lukashenko met Xi in Beijing. The talks lasted three hours. Both sides praised the friendship. Xi thanked him."
NEW = (
    "Lukashenko met Xi in Beijing on Monday. Both sides praised the friendship. Xi thanked him.\n\n"
    "Correction: An earlier version of this article misstated the length of the talks."
)


def import_text(text: str, url: str = URL, **extra):
    record = articles_in.ArticleRecord(text=text, url=url, source="BelTA", original_filename=url, **extra)
    return articles_in.article_import(record)


@pytest.fixture
def versioned(db, labels, alice, bob):
    article, outcome = import_text(OLD)
    assert outcome == "created"
    spans = {
        "met": make_annotation(article, labels["fact"], alice, quote="Lukashenko met Xi"),
        "talks": make_annotation(article, labels["fact"], alice, quote="The talks lasted three hours."),
        "praised": make_annotation(article, labels["opinion"], bob, quote="praised the friendship"),
    }
    return article, spans


def test_a_new_text_at_the_same_url_is_a_new_version_and_spans_follow(versioned):
    article, spans = versioned
    again, outcome = import_text(NEW, url="http://belta.by/president/view/lukashenko-xi-talks-12345?utm_source=rss")
    assert (again.pk, outcome) == (article.pk, "revised")
    article.refresh_from_db()
    assert (article.text, article.text_version) == (NEW, 2)

    old = ArticleVersion.objects.get(article=article)
    assert (old.number, old.text, old.sha256) == (1, OLD, Article.fingerprint(OLD))
    assert (old.change_note_kind, old.change_note[:11]) == ("correction", "Correction:")
    # At least "The talks lasted three hours." out, "on Monday" and the note in.
    assert old.words_deleted >= 5 and old.words_inserted >= 15 and 0 < old.share_changed < 1
    assert (old.spans_exact, old.spans_moved, old.spans_fuzzy, old.spans_orphaned) == (1, 1, 0, 1)

    met, praised = (Annotation.objects.get(pk=spans[name].pk) for name in ("met", "praised"))
    assert (met.start, met.end, met.anchor_state, met.article_version) == (0, 17, "exact", 2)
    assert NEW[praised.start : praised.end] == praised.quote == "praised the friendship"
    assert (praised.anchor_state, praised.article_version) == ("moved", 2)
    # The deleted sentence's span counts nowhere, but is kept where it was.
    assert not Annotation.objects.filter(pk=spans["talks"].pk).exists()
    talks = Annotation.all_spans.get(pk=spans["talks"].pk)
    assert (talks.anchor_state, talks.article_version) == ("orphaned", 1)
    assert OLD[talks.start : talks.end] == talks.quote == "The talks lasted three hours."
    talks.full_clean()  # valid against the text it counts in
    prefix, suffix = talks.context()  # from version 1's text
    assert prefix.endswith("Xi in Beijing. ") and suffix.startswith(" Both sides praised")


def test_history_says_which_version_and_every_move(versioned):
    article, spans = versioned
    import_text(NEW)
    records = Annotation.history.filter(id=spans["praised"].pk).order_by("history_id")
    assert [(r.article_version, r.anchor_state, r.start) for r in records] == [
        (1, "exact", OLD.index("praised")),
        (2, "moved", NEW.index("praised")),
    ]
    assert records.last().history_change_reason == "article version 2"


def test_the_same_text_again_changes_nothing(versioned):
    article, _ = versioned
    assert import_text(OLD)[1] == "unchanged"
    assert not ArticleVersion.objects.exists()


def test_edited_words_are_proposed_and_confirmed(db, labels, alice):
    old, new = seed_versions()
    article, _ = import_text(old)
    quote = "Belarus and China have pledged to tighten their cooperation"
    span = make_annotation(article, labels["fact"], alice, quote=quote)
    import_text(new)
    span = Annotation.objects.get(pk=span.pk)
    assert span.anchor_state == "fuzzy"
    assert span.quote == new[span.start : span.end] == "Belarus and China have pledged to deepen their cooperation"
    confirmed = article_versions.span_confirm_placement(span, user=alice)
    assert confirmed.anchor_state == "moved"
    with pytest.raises(ValidationError):
        article_versions.span_confirm_placement(confirmed)


def test_an_orphan_is_placed_by_hand_or_dismissed(versioned, lena):
    article, spans = versioned
    import_text(NEW)
    orphan = Annotation.all_spans.get(pk=spans["talks"].pk)
    start = NEW.index("Lukashenko met Xi in Beijing on Monday")
    placed = article_versions.span_replace(orphan, start=start, end=start + 38, user=lena)
    assert (placed.anchor_state, placed.article_version, placed.quote) == (
        "moved",
        2,
        "Lukashenko met Xi in Beijing on Monday",
    )
    assert Annotation.objects.filter(pk=placed.pk).exists()
    with pytest.raises(ValidationError):
        article_versions.span_dismiss(placed)

    import_text("Both sides praised the friendship.")  # version 3: the placed sentence deleted
    orphan = Annotation.all_spans.get(pk=placed.pk)
    assert orphan.anchor_state == "orphaned" and orphan.article_version == 2
    article_versions.span_dismiss(orphan, user=lena)
    assert not Annotation.all_spans.filter(pk=orphan.pk).exists()
    assert Annotation.history.filter(id=orphan.pk).latest("history_id").history_type == "-"


def test_a_hand_placement_is_checked_like_a_new_span(versioned):
    article, spans = versioned
    import_text(NEW)
    orphan = Annotation.all_spans.get(pk=spans["talks"].pk)
    for start, end in ((5, 5), (-1, 3), (0, len(NEW) + 1)):
        with pytest.raises(ValidationError):
            article_versions.span_replace(orphan, start=start, end=end)
    assert Annotation.all_spans.get(pk=orphan.pk).anchor_state == "orphaned"


def test_an_orphan_finds_its_words_when_a_later_version_restores_them(versioned):
    article, spans = versioned
    import_text(NEW)
    import_text(OLD)  # the outlet reverted: version 3 is version 1's text
    talks = Annotation.objects.get(pk=spans["talks"].pk)
    assert (talks.anchor_state, talks.article_version, talks.start) == ("moved", 3, OLD.index("The talks"))
    assert Article.objects.get(pk=article.pk).text_version == 3


def test_an_orphan_leaves_its_place_free(versioned, alice, labels):
    """An orphan's offsets count in an old text: the reviewer may mark the
    same offsets of the new one with the same label."""
    article, spans = versioned
    import_text(NEW)
    talks = Annotation.all_spans.get(pk=spans["talks"].pk)
    article.refresh_from_db()
    make_annotation(
        article, labels["fact"], alice, start=talks.start, end=talks.end, quote=NEW[talks.start : talks.end]
    )


def test_two_spans_that_would_land_together_do_not_collide(db, labels, alice):
    """The same reviewer marked both copies of a repeated sentence; the
    outlet deleted one copy. One span takes the sentence that is left, the
    other is orphaned, and nothing fails."""
    sentence = "Lukashenko praised the friendship."
    old = f"{sentence} Xi agreed. {sentence}"
    article, _ = import_text(old)
    first = make_annotation(article, labels["fact"], alice, start=0, end=len(sentence))
    second = make_annotation(
        article, labels["fact"], alice, start=len(old) - len(sentence), end=len(old), quote=sentence
    )
    import_text(f"{sentence} Xi agreed.")
    states = sorted(Annotation.all_spans.filter(pk__in=[first.pk, second.pk]).values_list("anchor_state", flat=True))
    assert states == ["exact", "orphaned"]


def test_a_text_another_article_has_is_refused(versioned):
    make_article("Another article entirely.")
    article, _ = versioned
    with pytest.raises(article_versions.VersionProblem, match="article"):
        article_versions.article_new_text(article, {"text": normalise_text("Another article entirely.")})
    assert Article.objects.get(pk=article.pk).text == OLD


def test_a_stale_browser_copy_cannot_undo_a_move(versioned):
    """Re-anchoring counts as a change of the span: its version goes up."""
    article, spans = versioned
    import_text(NEW)
    assert Annotation.objects.get(pk=spans["praised"].pk).version == spans["praised"].version + 1
