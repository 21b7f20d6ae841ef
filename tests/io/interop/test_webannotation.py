"""W3C Web Annotation export and import (annotate/io/interop/webannotation.py)."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotate.io.exports import AnnotationFilter, annotations_for_export, stream_annotations
from annotate.io.interop import drafts, webannotation
from annotate.models import Annotation, Article
from annotate.rules import offsets
from tests.conftest import make_annotation, make_article
from tests.conftest import make_user as _make_user  # noqa: I001
from tests.unicode_texts import clustered_texts, whole_text_boundaries

TEXT = "Minsk said 😀 the deal was signed. The deal was signed, Beijing said.\r\nCafe\u0301 talk."
COMPARED = (
    "article_id", "label__slug", "start", "end", "quote", "note", "speaker", "evidence_url",
    "reviewer__username", "layer", "decision_reason", "created_at", "updated_at",
)  # fmt: skip


def rows():
    return sorted(Annotation.objects.values_list(*COMPARED))


def export_w3c(**criteria) -> dict:
    chunks = stream_annotations(annotations_for_export(AnnotationFilter(**criteria)), "w3c")
    return json.loads(b"".join(chunks))


def import_w3c(document, **options) -> drafts.InteropReport:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return drafts.run_import(webannotation.read_collection(data, **options.pop("reader", {})), **options)


@pytest.fixture
def marked(db, labels, alice, bob, lena):
    article = make_article(TEXT, title="Deal", source="Outlet", url="https://example.org/deal")
    bare = make_article("No URL here. 😀 Only text.", source="Blog")
    make_annotation(article, labels["quote"], alice, quote="the deal was signed", note="said by Minsk", speaker="Minsk")
    make_annotation(article, labels["fact"], bob, quote="The deal was signed", evidence_url="https://example.org/e")
    make_annotation(article, labels["opinion"], alice, quote="Café talk")
    make_annotation(bare, labels["unsupported_claim"], bob, quote="😀 Only", note="=1+1")
    make_annotation(
        article, labels["quote"], lena, quote="the deal was signed", layer="consensus", decision_reason="both saw it"
    )
    return article, bare


def test_export_is_an_annotation_collection_with_both_selectors(marked):
    article, bare = marked
    document = export_w3c()
    assert document["type"] == "AnnotationCollection"
    assert "http://www.w3.org/ns/anno.jsonld" in document["@context"]
    items = document["first"]["items"]
    assert document["total"] == len(items) == 5
    quote = next(i for i in items if i["creator"]["nickname"] == "alice" and i["body"][0]["value"] == "quote")
    position, quoted = quote["target"]["selector"]
    start = article.text.index("the deal was signed")
    assert position == {"type": "TextPositionSelector", "start": start, "end": start + 19}
    assert quoted["type"] == "TextQuoteSelector"
    assert quoted["exact"] == "the deal was signed"
    assert quoted["prefix"] == article.text[max(0, start - 32) : start]
    assert quoted["suffix"] == article.text[start + 19 : start + 19 + 32]
    assert quote["target"]["source"] == "https://example.org/deal"
    purposes = {body["purpose"]: body.get("value") for body in quote["body"]}
    assert purposes == {"tagging": "quote", "commenting": "said by Minsk", "identifying": "Minsk"}
    assert quote["created"].endswith("Z") and quote["motivation"] == "classifying"
    # An article without a URL is named by a URN made from its text.
    claim = next(i for i in items if i["body"][0]["value"] == "unsupported_claim")
    assert claim["target"]["source"] == f"urn:sourcemark:article:sha256:{bare.sha256}"
    # Positions count code points: the emoji is one.
    assert claim["target"]["selector"][0]["start"] == bare.text.index("😀")
    consensus = next(i for i in items if i["sourcemark:layer"] == "consensus")
    assert {"type": "TextualBody", "purpose": "assessing", "value": "both saw it", "format": "text/plain"} in (
        consensus["body"]
    )
    fact = next(i for i in items if i["body"][0]["value"] == "fact")
    assert {"type": "SpecificResource", "purpose": "linking", "source": "https://example.org/e"} in fact["body"]


def test_round_trip_restores_every_field(marked):
    before = rows()
    document = export_w3c()
    Annotation.objects.all().delete()
    report = import_w3c(document)
    assert report.errors == [] and report.written
    assert (report.new, report.updated, report.reanchored) == (5, 0, 0)
    assert rows() == before


def test_importing_the_same_file_twice_changes_nothing(marked):
    document = export_w3c()
    report = import_w3c(document)
    assert (report.new, report.updated, report.unchanged) == (0, 0, 5)


def test_changed_notes_update_the_existing_span(marked):
    document = export_w3c()
    item = next(i for i in document["first"]["items"] if i["creator"]["nickname"] == "alice")
    item["body"] = [b for b in item["body"] if b["purpose"] == "tagging"] + [
        {"type": "TextualBody", "purpose": "commenting", "value": "new note"}
    ]
    report = import_w3c(document)
    assert (report.updated, report.unchanged) == (1, 4)
    assert Annotation.objects.get(pk=int(item["id"].rsplit(":", 1)[1])).note == "new note"


def test_positions_that_no_longer_fit_are_reanchored_by_quote(marked):
    article, _ = marked
    document = export_w3c(reviewer="bob", label="fact")
    Annotation.objects.filter(reviewer__username="bob", label__slug="fact").delete()
    (item,) = document["first"]["items"]
    item["target"]["selector"][0].update(start=0, end=19)  # as if another copy had different text before it
    report = import_w3c(document)
    assert report.errors == [] and report.reanchored == 1
    span = Annotation.objects.get(reviewer__username="bob", label__slug="fact")
    assert article.text[span.start : span.end] == span.quote == "The deal was signed"


def test_reanchoring_picks_the_occurrence_its_context_names(db, labels, alice):
    article = make_article("He said no. Then she said no. Then they said no.")
    make_annotation(
        article, labels["quote"], alice, start=article.text.rindex("said no"), end=article.text.rindex("said no") + 7
    )
    document = export_w3c()
    Annotation.objects.all().delete()
    del document["first"]["items"][0]["target"]["selector"][0]  # quote only, as Hypothesis writes it
    import_w3c(document)
    assert Annotation.objects.get().start == article.text.rindex("said no")


def test_quote_only_selectors_from_other_tools_import(db, labels, alice):
    article = make_article("The minister denied the report on Tuesday.", url="https://example.org/m")
    document = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "creator": "alice",
        "body": {"type": "TextualBody", "purpose": "tagging", "value": "Fact"},
        "target": {
            "source": "https://example.org/m",
            "selector": {"type": "TextQuoteSelector", "exact": "denied the report"},
        },
    }
    report = import_w3c(document)
    assert report.errors == [], report.errors
    span = Annotation.objects.get()
    assert (span.start, span.end, span.label.slug, span.reviewer.username) == (13, 30, "fact", "alice")
    assert span.article == article


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda item: item["body"].__setitem__(0, {"purpose": "tagging", "value": "rumour"}), "unknown label 'rumour'"),
        (lambda item: item["target"]["selector"][1].update(exact="never in the text"), "cannot re-anchor"),
        (lambda item: item["target"]["selector"][0].update(start="9"), "must be whole numbers"),
        (
            lambda item: item["creator"].update(nickname="mallory", id="urn:sourcemark:user:mallory"),
            "unknown reviewer 'mallory'",
        ),
        (lambda item: item.update(target={"source": "https://nowhere.example/"}), "no article has the URL"),
        (lambda item: item.update({"sourcemark:layer": "draft"}), "sourcemark:layer must be"),
        (lambda item: item.update(created="yesterday"), "is not a date-time"),
        (lambda item: item.__setitem__("body", []), "exactly one tagging body"),
        (lambda item: item["body"].append({"purpose": "commenting", "value": 5}), "note must be text"),
    ],
)
def test_a_bad_annotation_is_rejected_by_number_and_nothing_is_written(marked, change, message):
    document = export_w3c()
    Annotation.objects.all().delete()
    change(document["first"]["items"][2])
    report = import_w3c(document)
    assert report.written is False
    assert Annotation.objects.count() == 0
    assert len(report.errors) == 1
    assert report.errors[0].startswith("annotation 3 (urn:sourcemark:annotation:")
    assert message in report.errors[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON (line 1, column 2"),
        (b"\xff\xfe", "not UTF-8"),
        (b'"just a string"', "expected a W3C AnnotationCollection"),
        (b'{"type": "AnnotationCollection"}', "no embedded first page"),
        (b'{"type": "Thing"}', "got type 'Thing'"),
        (b'{"type": "AnnotationCollection", "first": {"items": [], "next": "p2"}}', "split into pages"),
    ],
)
def test_unreadable_files_are_rejected(db, data, message):
    report = import_w3c(data)
    assert not report.written and message in report.errors[0]


def test_dry_run_writes_nothing(marked):
    document = export_w3c()
    Annotation.objects.all().delete()
    report = import_w3c(document, dry_run=True)
    assert report.errors == [] and report.new == 5 and not report.written
    assert Annotation.objects.count() == 0


def test_commands_round_trip_through_a_file(marked, tmp_path, capsys):
    before = rows()
    path = tmp_path / "spans.jsonld"
    call_command("export_annotations", "--format", "w3c", "--output", str(path))
    Annotation.objects.all().delete()
    call_command("import_annotations", str(path), "--user", staff_importer().username, "--keep-authors")
    assert "5 new" in capsys.readouterr().out
    assert rows() == before
    path.write_text('{"type": "Annotation", "target": 3}')
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_annotations", str(path), "--user", staff_importer().username, "--keep-authors")
    assert "annotation 1: target must be one object" in capsys.readouterr().err


def test_creator_can_be_given_for_files_without_one(db, labels, alice):
    make_article("Plain words.", url="https://example.org/p")
    item = {
        "type": "Annotation",
        "body": [{"purpose": "tagging", "value": "opinion"}],
        "target": {
            "source": "https://example.org/p",
            "selector": [{"type": "TextPositionSelector", "start": 0, "end": 5}],
        },
    }
    assert "no reviewer" in import_w3c(item).errors[0]
    report = import_w3c(item, reader={"default_reviewer": "alice"})
    assert report.errors == []
    assert Annotation.objects.get().quote == "Plain"


# ------------------------------------------------------------ properties

random_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=80
).map(offsets.normalise_text)
# Texts with their grapheme boundaries: built from known clusters (runs of
# up to 40 flags, ZWJ families, long combining sequences, U+FEFF and U+200B),
# or any characters at all, segmented whole. Spans start and end on them.
texts = st.one_of(clustered_texts(), random_texts.map(lambda text: (text, whole_text_boundaries(text)))).filter(
    lambda case: case[0].strip()
)


notes = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)


@st.composite
def marked_texts(draw):
    text, boundaries = draw(texts)
    spans = draw(
        st.lists(
            st.tuples(
                st.sampled_from(boundaries),
                st.sampled_from(boundaries),
                st.sampled_from(["fact", "quote", "opinion", "unsupported_claim"]),
                notes,
            ).filter(lambda s: s[0] < s[1]),
            max_size=6,
            unique_by=lambda s: (s[0], s[1], s[2]),
        )
    )
    return text, spans


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(marked_texts())
def test_property_w3c_round_trip_over_random_unicode(db, labels, alice, data):
    text, spans = data
    Annotation.objects.all().delete()
    Article.objects.all().delete()
    article = make_article(text)
    for start, end, label, note in spans:
        make_annotation(article, labels[label], alice, start=start, end=end, note=note)
    before = rows()
    document = export_w3c()
    Annotation.objects.all().delete()
    report = import_w3c(document)
    assert report.errors == [] and report.reanchored == 0
    assert rows() == before


def occurrences(text: str, quote: str) -> int:
    return sum(text.startswith(quote, index) for index in range(len(text)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(marked_texts(), st.integers(-5, 5))
@example(data=("0000", [(0, 3, "fact", "")]), shift=1)  # "000" twice, overlapping: not unique
def test_property_shifted_positions_reanchor_to_the_original_span(db, labels, alice, data, shift):
    """When a quote occurs once in the text, wherever its positions point
    (past either end included), the import finds the original span."""
    text, spans = data
    # Unique counting overlaps too: str.count() finds "000" once in "0000",
    # where a shift by one still lands on the quote.
    spans = [s for s in spans if occurrences(text, text[s[0] : s[1]]) == 1]
    Annotation.objects.all().delete()
    Article.objects.all().delete()
    article = make_article(text)
    for start, end, label, _ in spans:
        make_annotation(article, labels[label], alice, start=start, end=end)
    before = rows()
    document = export_w3c()
    Annotation.objects.all().delete()
    # No span left: a collection with no page (a page must have items).
    for item in document["first"]["items"] if spans else []:
        item["target"]["selector"][0]["start"] += shift
        item["target"]["selector"][0]["end"] += shift
    report = import_w3c(document)
    assert report.errors == []
    assert report.reanchored == (len(spans) if shift else 0)
    assert rows() == before


def staff_importer():
    """The command as staff restoring data, as these format tests need."""
    from django.contrib.auth import get_user_model

    found = get_user_model().objects.filter(username="operator").first()
    return found or _make_user("operator", is_staff=True)


# ------------------------------------------------------------ quotes at the edges of normalisation


def quote_only(article: Article, exact: str, *, start=None, end=None, prefix="", suffix="") -> dict:
    """One annotation on ``article`` as another tool might write it: a quote
    selector, with positions when given."""
    selectors = [{"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix}]
    if start is not None:
        selectors.insert(0, {"type": "TextPositionSelector", "start": start, "end": end})
    return {
        "type": "Annotation",
        "creator": "alice",
        "body": [{"purpose": "tagging", "value": "fact"}],
        "target": {"source": webannotation.article_target_source(article), "selector": selectors},
    }


# Each character normalisation treats specially, at the start or end of a
# quote (and U+200B, which it leaves alone). The stored text holds each as
# it stands, so a quote exported from it must come back where it was.
EDGE_TEXTS = [
    pytest.param("a\ufeffb c", "\ufeffb", id="zwnbsp-at-the-start"),
    pytest.param("ab\ufeff c", "ab\ufeff", id="zwnbsp-at-the-end"),
    pytest.param("a \ufeff b", "\ufeff", id="only-a-zwnbsp"),
    pytest.param("a \ufeff\ufeff b", "\ufeff\ufeff", id="two-zwnbsp"),
    pytest.param("a\u200bb c", "\u200bb", id="zwsp-at-the-start"),
    pytest.param("a \u200b b", "\u200b", id="only-a-zwsp"),
    pytest.param("one\ntwo", "\ntwo", id="lf-at-the-start"),
    pytest.param("one\ntwo", "one\n", id="lf-at-the-end"),
    pytest.param("x caf\u00e9 y", "caf\u00e9", id="precomposed-accent-at-the-end"),
    pytest.param("x q\u0301 y", "q\u0301", id="combining-accent-at-the-end"),
    pytest.param("x \u00e9t\u00e9 y", "\u00e9t\u00e9", id="precomposed-accent-at-both-ends"),
]


@pytest.mark.parametrize(("text", "quote"), EDGE_TEXTS)
def test_a_quote_with_a_special_character_at_its_edge_comes_back_where_it_was(db, labels, alice, text, quote):
    article = make_article(text)
    assert article.text == text  # stored as it stands
    start = text.index(quote)
    make_annotation(article, labels["fact"], alice, start=start, end=start + len(quote))
    before = rows()
    document = export_w3c()
    Annotation.objects.all().delete()
    report = import_w3c(document)
    assert report.errors == [] and report.reanchored == 0
    assert rows() == before


@pytest.mark.parametrize(("text", "quote"), EDGE_TEXTS)
def test_a_quote_with_a_special_character_at_its_edge_is_found_by_quote_alone(db, labels, alice, text, quote):
    article = make_article(text)
    report = import_w3c(quote_only(article, quote))
    assert report.errors == []
    span = Annotation.objects.get()
    assert (span.start, span.end, span.quote) == (text.index(quote), text.index(quote) + len(quote), quote)


@pytest.mark.parametrize(
    ("text", "exact", "expected"),
    [
        # Another tool's copy kept CRLF: its quote's line end is our LF.
        pytest.param("one\ntwo three", "one\r\ntwo", "one\ntwo", id="crlf-inside"),
        pytest.param("one\ntwo three", "\r\ntwo", "\ntwo", id="crlf-at-the-start"),
        pytest.param("one\ntwo three", "one\r\n", "one\n", id="crlf-at-the-end"),
        # Its copy had CRLF and the quote ends between the two: the CR alone
        # is that line end.
        pytest.param("one\ntwo three", "one\r", "one\n", id="cr-of-a-crlf-at-the-end"),
        pytest.param("one\ntwo three", "\rtwo", "\ntwo", id="lone-cr-at-the-start"),
        # Its copy was decomposed (NFD): the quote is our NFC.
        pytest.param("x caf\u00e9 y", "cafe\u0301", "caf\u00e9", id="decomposed-accent-at-the-end"),
        pytest.param("x \u00e9t\u00e9 y", "e\u0301te\u0301", "\u00e9t\u00e9", id="decomposed-accent-at-both-ends"),
        # A quote of another tool that starts with U+FEFF means that character.
        pytest.param("a \ufeff\r\nb", "\ufeff\r\n", "\ufeff\n", id="zwnbsp-then-crlf"),
    ],
)
def test_a_quote_from_a_copy_with_other_line_ends_or_accents_is_matched_in_the_stored_form(
    db, labels, alice, text, exact, expected
):
    article = make_article(text)
    assert article.text == offsets.normalise_text(text)
    report = import_w3c(quote_only(article, exact, prefix="x" * 3, suffix=""))
    assert report.errors == []
    span = Annotation.objects.get()
    assert span.quote == expected
    assert article.text[span.start : span.end] == expected


def test_context_from_a_crlf_copy_still_picks_the_occurrence_it_names(db, labels, alice):
    article = make_article("said no. She said no\nThey said no")
    # The other tool's text had CRLF, so its context does too: read as it
    # stands, "\r" would match nothing after any occurrence.
    report = import_w3c(quote_only(article, "said no", suffix="\r\nThey"))
    assert report.errors == []
    assert Annotation.objects.get().start == article.text.index("She said no") + 4


# --- the model's MUSTs and the shapes other servers send -------------------------------


def test_the_collection_and_its_page_have_iris_and_an_empty_export_has_no_page(alice, labels):
    article = make_article(TEXT)
    make_annotation(article, labels["fact"], alice, quote="the deal was signed")
    document = export_w3c()
    assert document["id"].startswith("urn:uuid:") and document["first"]["id"].startswith("urn:uuid:")
    assert document["first"]["id"] != document["id"] and document["first"]["partOf"] == document["id"]
    assert document["@context"][1]["assessing"] == "oa:assessing"
    empty = export_w3c(label="opinion")
    assert empty["total"] == 0 and "first" not in empty and empty["id"].startswith("urn:uuid:")
    # And it imports as nothing, not as an error.
    assert import_w3c(json.dumps(empty).encode(), reader={"default_reviewer": "alice"}).errors == []


def test_types_as_lists_and_a_body_value_are_read(alice, labels):
    article = make_article(TEXT)
    item = {
        "type": ["Annotation"],
        "bodyValue": "signed, says the ministry",
        "body": {"type": "TextualBody", "purpose": "tagging", "value": "fact"},
        "target": {"source": f"urn:sourcemark:article:sha256:{article.sha256}",
                   "selector": {"type": "TextQuoteSelector", "exact": "the deal was signed"}},
    }  # fmt: skip
    container = {
        "type": ["BasicContainer", "AnnotationCollection"],
        "first": {"type": "AnnotationPage", "items": [item]},
    }
    report = import_w3c(json.dumps(container).encode(), reader={"default_reviewer": "alice"})
    assert report.errors == []
    assert Annotation.objects.get().note == "signed, says the ministry"


def test_a_collection_whose_pages_are_only_named_says_to_fetch_it_whole(db):
    document = {"type": "AnnotationCollection", "total": 40, "first": "https://example.org/annotations/?page=0"}
    report = import_w3c(json.dumps(document).encode(), reader={"default_reviewer": "alice"})
    assert any("fetch the whole collection" in error for error in report.errors)


def test_an_annotation_made_on_an_earlier_version_finds_its_words_in_the_current_text(alice, labels):
    from annotate.io import articles_in

    url = "https://example.org/w3c-versions"
    old = "Minsk spoke first. Beijing answered at length."
    article, _ = articles_in.article_import(articles_in.ArticleRecord(text=old, url=url, source="Example"))
    make_annotation(article, labels["fact"], alice, quote="Beijing answered at length.")
    exported = export_w3c()
    Annotation.objects.all().delete()
    articles_in.article_import(
        articles_in.ArticleRecord(
            text="Minsk spoke first, on Monday. Beijing answered at length.", url=url, source="Example"
        )
    )
    # The file names version 1's fingerprint; the quote is found in version 2.
    report = import_w3c(json.dumps(exported).encode(), reader={"default_reviewer": "alice"})
    assert report.errors == []
    span = Annotation.objects.get()
    assert (span.start, span.quote, span.article_version) == (30, "Beijing answered at length.", 2)
