"""Every JSON endpoint, the workspace's and the API's, under random input
(hypothesis): bodies of every JSON type, nested, huge or not JSON at all,
nested deeper than any parser's stack or just past the 64 levels we read,
numbers around and past Python's 4,300 digits in any field, text with NUL
and lone surrogates (escaped, as JSON carries them), unknown keys, offsets
that are negative, fractional, true, text, past the end or inside a
surrogate pair, wrong content types and random query strings, sent by the
anonymous visitor, a reviewer, a lead and an admin.

Whatever arrives, the answer is never a 5xx, a JSON answer has the one
error shape, and every span in the database afterwards is valid (passes
full_clean, and its quote is its text). Each example runs in a savepoint
that is rolled back, so examples do not depend on each other.
"""

import json
import os
import urllib.parse

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from annotate.models import Annotation
from tests.conftest import assign, make_annotation, make_article

pytestmark = pytest.mark.django_db

# Astral emoji (two UTF-16 units each, so start16 can fall inside a pair),
# CJK, a combining mark and a non-breaking space.
TEXT = "Minsk 👍🏽 report: 北京 said q\u0303uite\u00a0firmly “no” 🇧🇾.\nEnd."
TEXT16 = len(TEXT.encode("utf-16-le")) // 2

FUZZ = settings(
    # FUZZ_EXAMPLES=2000 for a longer hunt than `make test` can afford.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "120")),
    deadline=None,
    # The fixtures (users, article, spans) are made once per test and are
    # not changed by examples: each example's writes are rolled back.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any character, lone surrogates included (json.dumps escapes them as \\udXXX).
any_text = st.text(st.characters(exclude_categories=()), max_size=30)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities too: Python's json reads them
    | any_text
    | st.sampled_from(["fact", "quote", "opinion", "reviewer", "consensus", "\x00", "\ud800", "1", "-1", ""])
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4), max_leaves=12
)
huge_text = st.integers(min_value=9_990, max_value=10_010).map(lambda n: "n" * n) | st.just("x" * 300_000)
offsets = st.integers(min_value=-3, max_value=TEXT16 + 3) | json_values
CREATE_KEYS = ["label", "start", "end", "start16", "end16", "quote", "note", "speaker", "evidence_url", "layer",
               "decision_reason", "client_id"]  # fmt: skip
CHANGE_KEYS = ["label", "note", "speaker", "evidence_url", "decision_reason", "version"]


def utf16_slice(start16, end16):
    """The text between two UTF-16 offsets, or a random string when they are not a range."""
    units = TEXT.encode("utf-16-le")
    if isinstance(start16, int) and isinstance(end16, int) and 0 <= start16 <= end16 <= TEXT16:
        return units[2 * start16 : 2 * end16].decode("utf-16-le", errors="surrogatepass")
    return "?"


@st.composite
def near_valid_creates(draw):
    """Bodies close to what the page sends, with some fields bent."""
    start16, end16 = draw(offsets), draw(offsets)
    body = {
        "label": draw(st.sampled_from(["fact", "quote", "opinion", "unsupported_claim"]) | json_values),
        "start16": start16,
        "end16": end16,
        "quote": draw(st.just(utf16_slice(start16, end16)) | any_text),
    }
    if draw(st.booleans()):  # code point offsets instead
        start, end = draw(offsets), draw(offsets)
        body = {key: value for key, value in body.items() if key not in ("start16", "end16")}
        body.update(start=start, end=end)
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(TEXT):
            body["quote"] = draw(st.just(TEXT[start:end]) | any_text)
    extra = draw(st.dictionaries(st.sampled_from(CREATE_KEYS) | any_text, json_values | huge_text, max_size=3))
    return {**body, **extra}


def as_bytes(value) -> bytes:
    return json.dumps(value).encode()


# Raw JSON no json.dumps would write: nesting at and past the depth we read
# (64) and past the parser's stack, and numbers at and past int()'s 4,300
# digits (json.dumps cannot even write those).
nesting = st.sampled_from([64, 65, 500, 1_000, 100_000]) | st.integers(min_value=1, max_value=80)
hostile_fragments = (
    st.tuples(nesting, st.sampled_from(["[", '{"a":']), st.booleans()).map(
        lambda t: t[1] * t[0] + ("1" + ("]" if t[1] == "[" else "}") * t[0] if t[2] else "")
    )
    | st.tuples(
        st.sampled_from(["", "-"]), st.sampled_from([4_299, 4_300, 4_301, 5_000, 20]), st.sampled_from(["", ".5", "e5"])
    ).map(lambda t: t[0] + "9" * t[1] + t[2])
    | st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-0", "0.0000001"])
)  # fmt: skip


@st.composite
def with_hostile_field(draw, keys: list[str]) -> bytes:
    """A body of ``keys`` (plausible values) with one value, or the whole
    body, replaced by raw hostile JSON."""
    body = {key: draw(scalars) for key in draw(st.lists(st.sampled_from(keys), max_size=4, unique=True))}
    fragment = draw(hostile_fragments)
    target = draw(st.sampled_from([*keys, None]))
    if target is None:
        return fragment.encode()
    return json.dumps({**body, target: "\x00HOSTILE"}).replace('"\\u0000HOSTILE"', fragment).encode()


create_bodies = (
    near_valid_creates().map(as_bytes)
    | with_hostile_field(CREATE_KEYS)
    | st.dictionaries(st.sampled_from(CREATE_KEYS) | any_text, json_values, max_size=6).map(as_bytes)
    | json_values.map(as_bytes)
    | st.binary(max_size=200)
)
change_bodies = (
    st.dictionaries(st.sampled_from(CHANGE_KEYS), json_values | huge_text, max_size=4).map(as_bytes)
    | with_hostile_field(CHANGE_KEYS)
    | st.dictionaries(st.sampled_from(CHANGE_KEYS) | any_text, json_values, max_size=4).map(as_bytes)
    | json_values.map(as_bytes)
    | st.binary(max_size=200)
)
content_types = st.sampled_from(
    ["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
     "application/json; charset=utf-16", "application/octet-stream", ""]
)  # fmt: skip
query_strings = st.dictionaries(
    st.sampled_from(["others", "reviewer", "layer", "version", "page"]) | any_text, any_text, max_size=3
).map(lambda query: urllib.parse.urlencode(query, errors="surrogatepass"))
who = st.sampled_from(["alice", "lena", "bob", "root", "anonymous"])


@pytest.fixture
def world(alice, bob, lena, root, labels):
    """An article alice and bob review, alice's span, and a consensus span of
    lena's; a CSRF-checking client for each user, signed in (and one for
    the anonymous visitor), and an API token for each user."""
    article = make_article(TEXT)
    assign(article, alice, bob)
    spans = {
        "alice's": make_annotation(article, labels["fact"], alice, quote="北京 said"),
        "consensus": make_annotation(article, labels["opinion"], lena, quote="Minsk 👍🏽", layer="consensus"),
    }
    clients = {}
    for user in (alice, bob, lena, root, None):
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            client.force_login(user)
        # The csrftoken cookie, as a page load sets it.
        client.get(reverse("article-list" if user is not None else "login"))
        clients[user.username if user else "anonymous"] = client
    clients["tokens"] = {user.username: Token.objects.create(user=user).key for user in (alice, bob, lena, root)}
    return article, spans, clients


def send(client, method: str, url: str, body: bytes = b"", content_type: str = "application/json"):
    token = client.cookies["csrftoken"].value
    return client.generic(method, url, data=body, content_type=content_type, headers={"X-CSRFToken": token})


def check(response) -> None:
    """Never a server error; a JSON answer has the one shape; every span valid."""
    assert response.status_code < 500, response.content[:500]
    # (A HEAD answer has headers only.)
    if response.get("Content-Type") == "application/json" and response.status_code >= 400 and response.content:
        error = response.json()["error"]
        assert isinstance(error["message"], str) and error["message"]
    for annotation in Annotation.objects.select_related("article"):
        annotation.full_clean()
        assert annotation.article.text[annotation.start : annotation.end] == annotation.quote


def rolled_back(test):
    """Run the example in a savepoint that is always rolled back."""

    def run(*args, **kwargs):
        with transaction.atomic():
            test(*args, **kwargs)
            transaction.set_rollback(True)

    return run


# Each kind of body that once answered 500, tried every run.
DEEP = b"[" * 100_000
HUGE_START = b'{"label": "fact", "start": ' + b"9" * 5_000 + b', "end": 2, "quote": "x"}'
HUGE_VERSION = b'{"note": "x", "version": ' + b"9" * 5_000 + b"}"


@FUZZ
@given(user=who, body=create_bodies, content_type=content_types)
@example(user="alice", body=DEEP, content_type="application/json")
@example(user="alice", body=HUGE_START, content_type="application/json")
def test_creating_a_span_never_fails_with_a_server_error(world, user, body, content_type):
    article, _, clients = world

    @rolled_back
    def example():
        check(send(clients[user], "POST", reverse("article-annotations", args=[article.pk]), body, content_type))

    example()


@FUZZ
@given(user=who, target=st.sampled_from(["alice's", "consensus", None]), body=change_bodies, content_type=content_types)
@example(user="alice", target="alice's", body=DEEP, content_type="application/json")
@example(user="alice", target="alice's", body=HUGE_VERSION, content_type="application/json")
def test_changing_a_span_never_fails_with_a_server_error(world, user, target, body, content_type):
    _, spans, clients = world
    span_id = spans[target].pk if target else 987_654

    @rolled_back
    def example():
        check(send(clients[user], "PATCH", reverse("annotation-detail", args=[span_id]), body, content_type))

    example()


@FUZZ
@given(
    user=who, target=st.sampled_from(["alice's", "consensus", None]), query=query_strings, body=st.binary(max_size=50)
)
def test_deleting_a_span_never_fails_with_a_server_error(world, user, target, query, body):
    _, spans, clients = world
    span_id = spans[target].pk if target else 987_654
    url = reverse("annotation-detail", args=[span_id]) + "?" + query

    @rolled_back
    def example():
        check(send(clients[user], "DELETE", url, body))

    example()


@FUZZ
@given(user=who, query=query_strings)
def test_listing_an_articles_spans_never_fails_with_a_server_error(world, user, query):
    article, _, clients = world

    @rolled_back
    def example():
        check(clients[user].get(reverse("article-annotations", args=[article.pk]) + "?" + query))

    example()


@FUZZ
@given(user=who, target=st.sampled_from(["alice's", "consensus", None]), query=query_strings)
def test_reading_a_spans_history_never_fails_with_a_server_error(world, user, target, query):
    _, spans, clients = world
    span_id = spans[target].pk if target else 987_654

    @rolled_back
    def example():
        check(clients[user].get(reverse("annotation-history", args=[span_id]) + "?" + query))

    example()


@FUZZ
@given(user=who, method=st.sampled_from(["PUT", "OPTIONS", "HEAD", "TRACE", "GET", "POST"]), body=create_bodies)
def test_other_methods_are_refused_without_a_server_error(world, user, method, body):
    _, spans, clients = world

    @rolled_back
    def example():
        check(send(clients[user], method, reverse("annotation-detail", args=[spans["alice's"].pk]), body))

    example()


# ---- the API's writes ----------------------------------------------------------

API_WRITES = [("POST", "/api/annotations/"), ("PATCH", "/api/annotations/{span}/"), ("POST", "/api/articles/"),
              ("POST", "/api/assignments/"), ("POST", "/api/auth/token/"),
              ("POST", "/api/assignments/{assignment}/submit/")]  # fmt: skip
API_KEYS = [*CREATE_KEYS, "article", "version", "text", "title", "source", "published", "url", "articles", "reviewers",
            "per_article", "username", "password"]  # fmt: skip
ARTICLE = "\x00ARTICLE"  # replaced by the world's article id


@st.composite
def near_valid_api_writes(draw):
    """What a script sends: a span on the world's article, an article to
    import, an assignment, a sign-in; some fields bent."""
    kind = draw(st.sampled_from(["span", "article", "assignment", "token"]))
    if kind == "span":
        body = {**draw(near_valid_creates()), "article": draw(st.just(ARTICLE) | json_values)}
    elif kind == "article":
        body = {"text": draw(any_text | huge_text), "title": draw(any_text), "published": draw(any_text | json_values)}
    elif kind == "assignment":
        body = {"articles": draw(st.lists(st.just(ARTICLE) | json_values, max_size=3)),
                "reviewers": draw(st.lists(st.sampled_from(["alice", "bob", "nobody"]) | json_values, max_size=3)),
                "per_article": draw(json_values)}  # fmt: skip
    else:
        body = {"username": draw(st.sampled_from(["alice", "root"]) | any_text), "password": draw(any_text)}
    return as_bytes(body)


api_bodies = (
    near_valid_api_writes()
    | with_hostile_field(API_KEYS)
    | st.dictionaries(st.sampled_from(API_KEYS) | any_text, json_values | huge_text, max_size=6).map(as_bytes)
    | st.binary(max_size=200)
)
API_FUZZ = settings(FUZZ, max_examples=max(FUZZ.max_examples // 2, 10))


@pytest.mark.parametrize(("method", "path"), API_WRITES)
@API_FUZZ
# JSON most of the time: DRF reads no body it has no parser for.
@given(
    role=st.sampled_from(["anonymous", "alice", "lena", "root"]),
    body=api_bodies,
    content_type=st.just("application/json") | content_types,
)
@example(role="root", body=DEEP, content_type="application/json")
@example(role="root", body=HUGE_START, content_type="application/json")
@example(role="anonymous", body=DEEP, content_type="application/json")
def test_no_api_body_makes_a_write_fail_with_a_server_error(world, method, path, role, body, content_type):
    article, spans, clients = world
    url = path.format(span=spans["alice's"].pk, assignment=article.assignments.get(reviewer__username="alice").pk)
    body = body.replace(json.dumps(ARTICLE).encode(), str(article.pk).encode())
    token = clients["tokens"].get(role)
    headers = {"Authorization": f"Token {token}"} if token else {}

    @rolled_back
    def example():
        check(Client().generic(method, url, data=body, content_type=content_type, headers=headers))

    example()
