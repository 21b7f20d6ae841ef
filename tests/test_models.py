"""annotate/models/: the invariants the models and the database hold.

``full_clean`` (through ``offsets.validate_span``) is the first line; the
CheckConstraints are the last, for writes that skip it.
"""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotate.models import Annotation, Article, Label
from tests.conftest import make_annotation, make_article

EMOJI = "\N{FACE WITH TEARS OF JOY}"


def unsaved_annotation(article, label, reviewer, *, start, end, quote, **extra):
    return Annotation(article=article, label=label, reviewer=reviewer, start=start, end=end, quote=quote, **extra)


# --- Annotation.full_clean ---------------------------------------------------


def test_a_span_that_fits_passes_full_clean(article, labels, alice):
    annotation = unsaved_annotation(article, labels["fact"], alice, start=15, end=17, quote="Xi")
    annotation.full_clean()
    annotation.save()
    assert Annotation.objects.get().quote == "Xi"


@pytest.mark.parametrize(
    ("start", "end", "quote", "field", "message"),
    [
        (20, 17, "Xi", "end", "start 20 must be before end 17"),
        (17, 17, "", "end", "start 17 must be before end 17"),
        (15, 400, "Xi", "end", "end 400 is past the end of the text (29 characters)"),
        (15, 17, "Xo", "quote", "quote 'Xo' does not match the text at [15, 17), which reads 'Xi'"),
        (14, 16, "Xi", "quote", "quote 'Xi' does not match the text at [14, 16), which reads ' X'"),
    ],
    ids=["reversed", "empty", "past-the-end", "wrong-quote", "shifted-by-one"],
)
def test_full_clean_rejects_a_span_that_does_not_fit_its_article(
    article, labels, alice, start, end, quote, field, message
):
    annotation = unsaved_annotation(article, labels["fact"], alice, start=start, end=end, quote=quote)
    with pytest.raises(ValidationError) as caught:
        annotation.full_clean()
    assert message in caught.value.message_dict[field]
    assert Annotation.objects.count() == 0


def test_full_clean_rejects_a_negative_start(article, labels, alice):
    annotation = unsaved_annotation(article, labels["fact"], alice, start=-1, end=2, quote="Lu")
    with pytest.raises(ValidationError) as caught:
        annotation.full_clean()
    assert caught.value.message_dict["start"] == [
        "Ensure this value is greater than or equal to 0.",
        "start -1 is negative",
    ]


def test_full_clean_rejects_an_offset_that_is_not_a_number(article, labels, alice):
    annotation = unsaved_annotation(article, labels["fact"], alice, start="three", end=17, quote="Xi")
    with pytest.raises(ValidationError) as caught:
        annotation.full_clean()
    assert caught.value.message_dict["start"] == [
        "“three” value must be an integer.",
        "start must be a whole number, got 'three'",
    ]


def test_full_clean_rejects_an_unknown_layer(article, labels, alice):
    annotation = unsaved_annotation(article, labels["fact"], alice, start=15, end=17, quote="Xi", layer="draft")
    with pytest.raises(ValidationError) as caught:
        annotation.full_clean()
    assert list(caught.value.message_dict) == ["layer"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("note", "n" * 10_001, "Ensure this value has at most 10000 characters (it has 10001)."),
        ("decision_reason", "r" * 10_001, "Ensure this value has at most 10000 characters (it has 10001)."),
        ("note", "a\x00b", "This field must not contain NUL characters."),
        ("speaker", "\ud800", "This field contains an unpaired surrogate, which is not a character."),
        ("evidence_url", "https://example.org/\x00", "This field must not contain NUL characters."),
    ],
    ids=["long-note", "long-reason", "nul-in-note", "surrogate-in-speaker", "nul-in-url"],
)
def test_full_clean_holds_the_free_text_to_what_every_path_may_store(article, labels, alice, field, value, message):
    # The note and reason are TextFields, with no max_length to hold them to
    # SPAN_TEXT_LIMITS; and PostgreSQL refuses NUL (a 500 from the driver).
    annotation = unsaved_annotation(article, labels["fact"], alice, start=15, end=17, quote="Xi", **{field: value})
    with pytest.raises(ValidationError) as caught:
        annotation.full_clean()
    assert message in caught.value.message_dict[field]


def test_full_clean_takes_free_text_at_its_limit(article, labels, alice):
    annotation = unsaved_annotation(
        article, labels["fact"], alice, start=15, end=17, quote="Xi", note="n" * 10_000, decision_reason="r" * 10_000
    )
    annotation.full_clean()


# --- the database's own checks -----------------------------------------------


def test_database_refuses_a_raw_create_with_start_after_end(article, labels, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(article=article, label=labels["fact"], reviewer=alice, start=17, end=15, quote="")
    assert Annotation.objects.count() == 0


def test_database_refuses_a_raw_create_of_an_empty_span(article, labels, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(article=article, label=labels["fact"], reviewer=alice, start=15, end=15, quote="")
    assert Annotation.objects.count() == 0


def test_database_refuses_a_raw_create_whose_quote_length_differs_from_the_span(article, labels, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(
            article=article, label=labels["fact"], reviewer=alice, start=15, end=17, quote="Xi Jinping"
        )
    assert Annotation.objects.count() == 0


def test_database_counts_quote_length_in_code_points_not_bytes_or_utf16_units(labels, alice):
    article = make_article(f"{EMOJI}习近平 met Lukashenko.")
    # One emoji (4 bytes, 2 UTF-16 units) and three CJK (3 bytes each): 4 code points.
    Annotation.objects.create(
        article=article, label=labels["fact"], reviewer=alice, start=0, end=4, quote=f"{EMOJI}习近平"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(
            article=article, label=labels["quote"], reviewer=alice, start=0, end=5, quote=f"{EMOJI}习近平"
        )
    assert list(Annotation.objects.values_list("start", "end")) == [(0, 4)]


def test_database_refuses_a_bulk_create_that_skips_full_clean(article, labels, alice):
    good = unsaved_annotation(article, labels["fact"], alice, start=15, end=17, quote="Xi")
    bad = unsaved_annotation(article, labels["opinion"], alice, start=15, end=17, quote="X")
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.bulk_create([good, bad])
    assert Annotation.objects.count() == 0


def test_database_refuses_an_unknown_layer_on_a_raw_create(article, labels, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(
            article=article, label=labels["fact"], reviewer=alice, start=15, end=17, quote="Xi", layer="draft"
        )
    assert Annotation.objects.count() == 0


def test_database_refuses_an_article_with_empty_text(db):
    source = make_article().source
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(source=source, title="Empty", text="", sha256="0" * 64)
    assert Article.objects.count() == 1


def test_database_refuses_an_article_whose_sha256_is_not_hex(db):
    source = make_article().source
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(source=source, title="Bad hash", text="Some text.", sha256="Z" * 64)
    assert Article.objects.count() == 1


# --- code point offsets ------------------------------------------------------


def test_span_after_emoji_and_cjk_keeps_code_point_offsets(labels, alice):
    text = f"{EMOJI} 习近平会见卢卡申科。\n\nLukashenko met Xi in Beijing."
    article = make_article(text)
    annotation = make_annotation(article, labels["fact"], alice, quote="Lukashenko")
    annotation.refresh_from_db()
    assert (annotation.start, annotation.end) == (14, 24)
    assert article.text[annotation.start : annotation.end] == annotation.quote == "Lukashenko"
    # In UTF-16 (what a browser counts) the span would start one unit later.
    assert len(article.text[:14].encode("utf-16-le")) // 2 == 15


def test_span_over_cjk_and_emoji_stores_the_quote_verbatim(labels, alice):
    article = make_article(f"Intro {EMOJI}习近平{EMOJI} outro")
    annotation = make_annotation(article, labels["quote"], alice, start=6, end=11)
    annotation.refresh_from_db()
    assert annotation.quote == f"{EMOJI}习近平{EMOJI}"


def test_context_gives_the_text_around_the_span(labels, alice):
    article = make_article(f"{EMOJI} Lukashenko met Xi in Beijing.")
    annotation = make_annotation(article, labels["fact"], alice, quote="Xi")
    assert annotation.context() == (f"{EMOJI} Lukashenko met ", " in Beijing.")


# --- overlapping spans and uniqueness ---------------------------------------


def test_nested_and_overlapping_spans_are_allowed(article, labels, alice, bob):
    make_annotation(article, labels["fact"], alice, start=0, end=29)  # the whole sentence
    make_annotation(article, labels["quote"], alice, start=0, end=10)  # nested at the start
    make_annotation(article, labels["opinion"], alice, start=5, end=17)  # overlaps both
    make_annotation(article, labels["fact"], bob, start=0, end=29)  # same span, other reviewer
    make_annotation(article, labels["fact"], alice, start=0, end=29, layer=Annotation.Layer.CONSENSUS)
    make_annotation(article, labels["fact"], alice, start=0, end=28)  # same label, other span
    assert Annotation.objects.filter(article=article).count() == 6


def test_the_same_reviewer_cannot_mark_the_same_span_with_the_same_label_twice(article, labels, alice):
    make_annotation(article, labels["fact"], alice, quote="Xi")
    with pytest.raises(ValidationError) as caught:
        make_annotation(article, labels["fact"], alice, quote="Xi", note="again")
    assert caught.value.messages == ["This reviewer already marked this span with this label."]
    assert Annotation.objects.count() == 1


def test_database_refuses_a_duplicate_span_that_skips_full_clean(article, labels, alice):
    make_annotation(article, labels["fact"], alice, quote="Xi")
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(article=article, label=labels["fact"], reviewer=alice, start=15, end=17, quote="Xi")
    assert Annotation.objects.count() == 1


# --- Article ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["One\r\nTwo", "One\rTwo", "\ufeffOne", "Cafe\u0301"],
    ids=["crlf", "cr", "bom", "nfd"],
)
def test_article_clean_refuses_text_that_is_not_normalised(text, db):
    source = make_article().source
    article = Article(source=source, title="T", text=text)
    with pytest.raises(ValidationError) as caught:
        article.clean()
    assert caught.value.message_dict == {"text": ["Text must be normalised (NFC, LF line ends, no BOM) before saving."]}


def test_article_clean_refuses_whitespace_only_text(db):
    source = make_article().source
    with pytest.raises(ValidationError) as caught:
        Article(source=source, title="T", text=" \n\n ").clean()
    assert caught.value.message_dict == {"text": ["The article has no text."]}


def test_article_clean_sets_the_fingerprint_from_the_text(db):
    source = make_article().source
    article = Article(source=source, title="T", text="Caf\u00e9\n")
    article.clean()
    assert article.sha256 == hashlib.sha256("Caf\u00e9\n".encode()).hexdigest()


def test_fingerprint_is_the_sha256_of_the_utf8_text():
    assert Article.fingerprint("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# --- the default labels ------------------------------------------------------


def test_the_data_migration_creates_exactly_the_four_default_labels(db):
    rows = list(Label.objects.order_by("order").values_list("slug", "name", "shortcut", "colour", "order"))
    assert rows == [
        ("fact", "Fact", "F", "#2a9d8f", 1),
        ("quote", "Quote", "Q", "#3a6fd8", 2),
        ("opinion", "Opinion", "O", "#e09f3e", 3),
        ("unsupported_claim", "Unsupported claim", "U", "#d62839", 4),
    ]


def test_a_label_shortcut_must_be_one_capital_letter_or_digit(db):
    label = Label(name="Satire", slug="satire", colour="#123456", shortcut="s")
    with pytest.raises(ValidationError) as caught:
        label.full_clean()
    assert caught.value.message_dict == {"shortcut": ["Use one capital letter or digit."]}


def test_a_label_colour_must_be_a_hex_colour(db):
    label = Label(name="Satire", slug="satire", colour="red")
    with pytest.raises(ValidationError) as caught:
        label.full_clean()
    assert caught.value.message_dict == {"colour": ["Use a colour like #1f77b4."]}
