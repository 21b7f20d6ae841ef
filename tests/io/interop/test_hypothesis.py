"""Hypothesis annotations in and out (annotate/io/interop/hypothesis.py).

The files under tests/io/fixtures/hypothesis/ are shaped after h's and
the client's own source (their README says which), not after our exporter."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.actions import bulk_annotations
from annotate.io import annotations_in
from annotate.io.exports import AnnotationFilter, annotations_for_export, stream_annotations
from annotate.io.interop import drafts, hypothesis
from annotate.models import Annotation, Article
from annotate.rules import offsets
from annotate.rules.offsets import Extent
from tests.conftest import assign, make_annotation, make_article
from tests.unicode_texts import whole_text_boundaries

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures" / "hypothesis"
# The article as Sourcemark holds it: the page's words, one space apart, no navigation.
TEXT = (
    "Lukashenko met Xi in Beijing 🇧🇾🇨🇳.\n\n“We are brothers,” Lukashenko said. 军事合作 will deepen, officials "
    "said.\n\nCritics called the pact a sham."
)
URL = "https://www.belta.by/politics/view/lukashenko-xi-123/"
COMPARED = ("article__sha256", "label__slug", "start", "end", "quote", "note", "speaker", "evidence_url",
            "reviewer__username", "layer", "decision_reason", "created_at", "updated_at")  # fmt: skip
USERS = {"acct:alice@hypothes.is": "alice", "acct:ben@hypothes.is": "bob"}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def import_file(data, **options) -> drafts.InteropReport:
    """As an operator's restore: no policy, so the file's authors and times are kept."""
    data = data if isinstance(data, bytes) else json.dumps(data).encode()
    return drafts.run_import(hypothesis.read_annotations(data, **options))


def spans():
    return sorted(Annotation.objects.values_list("reviewer__username", "label__slug", "quote", "note"))


@pytest.fixture
def page(db, labels, alice, bob):
    return make_article(TEXT, title="Lukashenko and Xi sign a pact", url=URL, source="BelTA")


def test_an_api_search_response_imports_by_the_pages_address_and_the_quote(page, alice, bob):
    report = import_file(fixture("search_response.json"), user_map=USERS)

    assert report.errors == [], report.errors
    assert spans() == [
        ("alice", "fact", "Lukashenko met Xi in Beijing", "Both agencies report it."),
        # The page's "officials\n          said" is the article's "officials said".
        ("bob", "unsupported_claim", "军事合作 will deepen, officials said", ""),
    ]
    # Its positions count the page's navigation too: both found by their quote.
    assert report.reanchored == 2
    assert report.left_out == {"reply(ies)": 1, "page note(s)": 1}
    assert report.summary() == (
        "imported 2 annotation(s): 2 new, 0 updated, 0 unchanged (2 re-anchored by quote, 1 page note(s) left out, "
        "1 reply(ies) left out)"
    )
    fact = Annotation.objects.get(label__slug="fact")
    assert fact.created_at == dt.datetime(2024, 3, 5, 10, 0, 0, 123456, tzinfo=dt.UTC)
    assert fact.updated_at == dt.datetime(2024, 3, 5, 10, 5, 0, 654321, tzinfo=dt.UTC)


def test_the_clients_export_imports_with_a_label_map_for_its_tags(page, alice):
    report = import_file(fixture("client_export.json"), user_map=USERS, label_map={"spin": "unsupported_claim"})

    assert report.errors == [], report.errors
    assert spans() == [
        ("alice", "opinion", "a sham", "**Loaded** word."),
        ("alice", "quote", "“We are brothers,”", "Said to reporters after the talks."),
        ("alice", "unsupported_claim", "a sham", "**Loaded** word."),
    ]


def test_hypothesis_json_ld_imports_its_comment_and_tags(page, bob):
    report = import_file(fixture("annotation.jsonld"), user_map={"ben@hypothes.is": "bob"})

    assert report.errors == [], report.errors
    assert spans() == [("bob", "unsupported_claim", "Critics called the pact a sham", "No evidence offered for this.")]
    assert Annotation.objects.get().updated_at == dt.datetime(2024, 3, 5, 14, 20, tzinfo=dt.UTC)


def test_a_tag_that_is_no_label_is_refused_by_name(page, alice):
    report = import_file(fixture("client_export.json"), user_map=USERS)

    assert report.errors == [
        "annotation 2 (Cd5fGhwkEe-9z8y7x6w5v4u3t): tag 'spin': unknown label 'spin' (known: fact, opinion, quote, "
        "unsupported_claim); map it (--label-map spin=SLUG)"
    ]
    assert not Annotation.objects.exists()


def test_a_creator_who_is_no_user_is_refused_by_name_unless_a_default_reviewer_is_given(page, alice):
    refused = import_file(fixture("annotation.jsonld"))
    assert refused.errors == [
        "annotation 1 (https://hypothes.is/a/Ef7hIjwkEe-0p9o8i7u6y5t4r): creator 'acct:ben@hypothes.is' is no "
        "Sourcemark user: map it (--user-map acct:ben@hypothes.is=USERNAME) or give a default reviewer"
    ]
    taken = import_file(fixture("annotation.jsonld"), default_reviewer="alice")
    assert taken.errors == [] and Annotation.objects.get().reviewer == alice


def test_a_page_sourcemark_does_not_hold_is_refused_by_its_address(labels, alice):
    report = import_file(fixture("annotation.jsonld"), default_reviewer="alice")
    assert report.errors == [
        "annotation 1 (https://hypothes.is/a/Ef7hIjwkEe-0p9o8i7u6y5t4r): no article has the address "
        "http://belta.by/politics/view/lukashenko-xi-123?utm_source=telegram&utm_medium=social; "
        "import the article first"
    ]


def test_a_quote_the_article_does_not_hold_is_refused(page, alice):
    document = json.loads(fixture("annotation.jsonld"))
    document["target"][0]["selector"][2]["exact"] = "Critics praised the pact"
    report = import_file(document, default_reviewer="alice")
    assert report.errors[0].endswith(
        "cannot place the quote 'Critics praised the pact': it is nowhere in the article's text"
    )


def test_a_repeated_quote_is_placed_by_its_context():
    text = "He said no. Then he said no again, louder."
    assert hypothesis.reanchor_across_spaces(text, "said\n   no", prefix="Then he ", suffix=" again") == Extent(20, 27)
    assert hypothesis.reanchor_across_spaces(text, "said no", suffix=".", start=30) == Extent(3, 10)
    # No context either way: the nearest to the page's position.
    assert hypothesis.reanchor_across_spaces(text, "said no", start=30) == Extent(20, 27)
    assert hypothesis.reanchor_across_spaces(text, "said yes") is None


def test_a_file_that_is_not_hypothesis_is_refused_whole(db):
    assert import_file(b'{"type": "AnnotationCollection"}').errors == [
        "expected Hypothesis annotations: an API search response (total, rows), the client's export "
        "(annotations), a list of annotations or one"
    ]


def test_our_export_is_the_clients_import_shape_and_round_trips(page, alice, lena, labels):
    make_annotation(page, labels["quote"], alice, quote="“We are brothers,”", note="to reporters", speaker="Lukashenko")
    make_annotation(page, labels["fact"], lena, quote="军事合作", layer="consensus", decision_reason="agreed")
    before = sorted(Annotation.objects.values_list(*COMPARED))
    data = b"".join(stream_annotations(annotations_for_export(AnnotationFilter()), "hypothesis"))
    document = json.loads(data)

    # What the client's readExportFile and ImportAnnotationsService read.
    assert isinstance(document["annotations"], list) and document["client_version"] == "Sourcemark"
    quote_span = next(a for a in document["annotations"] if a["tags"] == ["quote"])
    assert quote_span["text"] == "to reporters" and quote_span["uri"] == URL
    assert not any(p.startswith("group:") for p in quote_span["permissions"]["read"])  # private
    position, selector = quote_span["target"][0]["selector"]
    start = TEXT.index("“We")
    assert selector == {"type": "TextQuoteSelector", "exact": "“We are brothers,”", "prefix": TEXT[start - 32 : start],
                        "suffix": TEXT[start + 18 : start + 50]}  # fmt: skip
    # UTF-16 units, as Hypothesis counts: the two flags are four pairs.
    assert (position["start"], position["end"]) == (start + 4, start + 22)

    Annotation.objects.all().delete()
    report = import_file(data)
    assert report.errors == [] and report.reanchored == 0
    assert sorted(Annotation.objects.values_list(*COMPARED)) == before


def test_a_hypothesis_file_is_told_by_its_content(page, root, capsys, tmp_path):
    for name in ("search_response.json", "client_export.json", "annotation.jsonld"):
        assert annotations_in.import_format_of(fixture(name), name) == "hypothesis"
    w3c = b"".join(stream_annotations(Annotation.objects.all(), "w3c"))
    assert annotations_in.import_format_of(w3c, "export.jsonld") == "w3c"

    path = tmp_path / "hypothesis-export.json"
    path.write_bytes(fixture("search_response.json"))
    call_command(
        "import_annotations", str(path), "--user", root.username, "--keep-authors",
        "--user-map", "acct:alice@hypothes.is=alice", "--user-map", "acct:ben@hypothes.is=bob",
    )  # fmt: skip
    assert "2 new" in capsys.readouterr().out
    assert Article.objects.count() == 1


WORD = "drill"
LONG_TEXT = " ".join([WORD] * 3_000)


def annotations_of(labels, count: int) -> bytes:
    slugs = sorted(labels)
    rows = []
    for index in range(count):
        start = (index // len(slugs)) * (len(WORD) + 1)
        selectors = [
            {"type": "TextPositionSelector", "start": start, "end": start + len(WORD)},
            {"type": "TextQuoteSelector", "exact": WORD, "prefix": " ", "suffix": " "},
        ]
        target = [{"source": "https://example.org/drills", "selector": selectors}]
        rows.append({"id": f"a{index}", "user": "acct:alice@hypothes.is", "uri": "https://example.org/drills",
                     "text": "", "tags": [slugs[index % len(slugs)]], "target": target})  # fmt: skip
    return json.dumps({"total": count, "rows": rows}).encode()


# What a reviewer's import on one article takes, whatever its size: the
# labels, the article by its address, its text's version, the reviewer, the
# importer's assignments, the adjudications, the article's spans; and three
# savepoints, each SAVEPOINT and RELEASE (the import's transaction, the
# writer's, its writes').
READS = 13


def test_an_import_of_ten_thousand_annotations_takes_the_queries_of_ten_plus_one_per_batch(labels, alice):
    article = make_article(LONG_TEXT, title="Drills", url="https://example.org/drills")
    assign(article, alice)

    def queries_of(data: bytes):
        with CaptureQueriesContext(connection) as queries:
            report = annotations_in.import_annotation_file(
                data, "hypothesis", user=alice, user_map={"acct:alice@hypothes.is": "alice"}
            )
        assert report.errors == [], report.errors[:3]
        return len(queries), report, [query["sql"] for query in queries]

    small, small_report, small_sql = queries_of(annotations_of(labels, 10))
    Annotation.objects.all().delete()
    big, big_report, _ = queries_of(annotations_of(labels, 10_000))

    assert (small_report.new, big_report.new, big_report.reanchored) == (10, 10_000, 0)
    assert small == READS + bulk_annotations.queries_for(new=10, updated=0), "\n".join(small_sql)
    assert big == READS + bulk_annotations.queries_for(new=10_000, updated=0)


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=60
).filter(lambda t: offsets.normalise_text(t).strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts, st.data())
def test_property_hypothesis_round_trip_over_random_unicode(db, labels, alice, text, data):
    Annotation.objects.all().delete()
    Article.objects.all().delete()
    article = make_article(text)
    boundaries = whole_text_boundaries(article.text)
    drawn = data.draw(
        st.lists(
            st.tuples(st.sampled_from(boundaries), st.sampled_from(boundaries), st.sampled_from(sorted(labels)))
            .filter(lambda s: s[0] < s[1]),
            min_size=1, max_size=5, unique_by=lambda s: s,
        )
    )  # fmt: skip
    for start, end, label in drawn:
        make_annotation(article, labels[label], alice, start=start, end=end, note=f"n{start}", speaker=f"s{end}")
    before = sorted(Annotation.objects.values_list(*COMPARED))
    exported = b"".join(stream_annotations(Annotation.objects.all(), "hypothesis"))
    Annotation.objects.all().delete()

    report = import_file(exported)

    assert report.errors == [] and report.reanchored == 0
    assert sorted(Annotation.objects.values_list(*COMPARED)) == before
