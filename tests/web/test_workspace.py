"""The review workspace's JSON endpoints, and the workspace functions behind
them: creating spans from the browser's UTF-16 offsets, changing and deleting
them, and the one error shape every refusal uses."""

import json
import unicodedata

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotate.models import Annotation, Assignment
from annotate.rules import offsets
from annotate.web import workspace
from annotate.web.http import JsonError
from tests.conftest import assign, make_annotation, make_article, make_user

pytestmark = pytest.mark.django_db

# Emoji outside the BMP (a thumbs-up with a skin tone modifier, a flag made of
# two regional indicators, a mathematical letter), CJK, a precomposed é, a
# combining tilde that has no precomposed form with q, non-breaking spaces and
# runs of blank lines: every way a code point offset and a UTF-16 offset part.
TEXT = (
    "Minsk 👍🏽 report.\n"
    "\n\n\n"
    "The flag 🇧🇾 flew over 北京; she said q\u0303uite\u00a0firmly: “no”.\n"
    "\n\n"
    "Café owners\u00a0agreed. 𝔘"
)
SAID = "北京; she said q\u0303uite\u00a0firmly"


def utf16(text: str, index: int) -> int:
    """The browser's offset for code point ``index``, computed independently of annotate.rules.offsets."""
    return len(text[:index].encode("utf-16-le")) // 2


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client, article, body):
    return client.post(
        reverse("article-annotations", args=[article.pk]), data=json.dumps(body), content_type="application/json"
    )


def patch_json(client, annotation, body):
    return client.patch(
        reverse("annotation-detail", args=[annotation.pk]), data=json.dumps(body), content_type="application/json"
    )


@pytest.fixture
def mixed(alice, bob):
    """The article alice and bob are both assigned."""
    article = make_article(TEXT, title="Mixed scripts")
    # The premise of every offset below: the text is stored exactly as written (already NFC).
    assert article.text == TEXT
    assert unicodedata.is_normalized("NFC", TEXT)
    assign(article, alice, bob)
    return article


def span_body(article, quote: str, label: str = "fact", **extra) -> dict:
    start = article.text.index(quote)
    end = start + len(quote)
    return {
        "label": label,
        "start16": utf16(article.text, start),
        "end16": utf16(article.text, end),
        "quote": quote,
        **extra,
    }


# Creating spans ------------------------------------------------------------


@pytest.mark.parametrize(
    "quote",
    [
        pytest.param(SAID, id="after-astral-emoji-and-blank-lines"),
        pytest.param("🇧🇾", id="a-flag-of-two-astral-characters"),
        pytest.param("Minsk 👍🏽", id="from-the-first-character-through-an-emoji"),
        pytest.param("Café owners\u00a0agreed. 𝔘", id="to-the-very-end-after-an-astral-letter"),
        pytest.param("q\u0303", id="a-letter-with-a-combining-mark"),
    ],
)
def test_utf16_offsets_are_stored_as_code_points_with_the_exact_quote(mixed, alice, labels, quote):
    start = TEXT.index(quote)
    end = start + len(quote)
    body = span_body(mixed, quote, label="quote")

    response = post_json(client_for(alice), mixed, body)

    assert response.status_code == 201, response.content
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end, annotation.quote) == (start, end, quote)
    assert mixed.text[annotation.start : annotation.end] == annotation.quote
    assert (annotation.article_id, annotation.label.slug, annotation.reviewer_id) == (mixed.pk, "quote", alice.pk)
    assert annotation.layer == Annotation.Layer.REVIEWER
    assert response.json() == {
        "id": annotation.pk,
        "label": "quote",
        "start": start,
        "end": end,
        "start16": body["start16"],
        "end16": body["end16"],
        "quote": quote,
        "note": "",
        "speaker": "",
        "evidence_url": "",
        "decision_reason": "",
        "reviewer": "alice",
        "layer": "reviewer",
        "created_at": annotation.created_at.isoformat(),
        "updated_at": annotation.updated_at.isoformat(),
        "version": 1,
        "article_version": 1,
        "anchor_state": "exact",
        "client_id": None,
        "can_change": True,
    }


def test_span_after_four_astral_characters_is_four_utf16_units_further_on(mixed, alice, labels):
    # 👍🏽 and 🇧🇾 are two astral code points each: four extra UTF-16 units in all.
    start = TEXT.index(SAID)

    response = post_json(client_for(alice), mixed, span_body(mixed, SAID))

    assert response.json()["start"] == start
    assert response.json()["start16"] == start + 4
    assert response.json()["end16"] == start + len(SAID) + 4


def test_code_point_offsets_are_accepted_too(mixed, alice, labels):
    start = TEXT.index(SAID)
    body = {"label": "opinion", "start": start, "end": start + len(SAID), "quote": SAID}

    response = post_json(client_for(alice), mixed, body)

    assert response.status_code == 201, response.content
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end, annotation.quote, annotation.label.slug) == (
        start,
        start + len(SAID),
        SAID,
        "opinion",
    )
    assert (response.json()["start16"], response.json()["end16"]) == (start + 4, start + len(SAID) + 4)


def test_note_speaker_and_evidence_url_are_stored_with_the_span(mixed, alice, labels):
    body = span_body(
        mixed,
        SAID,
        label="quote",
        note="  spaces kept in notes\n",
        speaker="  Ms Li  ",
        evidence_url="https://example.org/li",
    )

    response = post_json(client_for(alice), mixed, body)

    assert response.status_code == 201, response.content
    annotation = Annotation.objects.get()
    assert (annotation.note, annotation.speaker, annotation.evidence_url) == (
        "  spaces kept in notes\n",
        "Ms Li",
        "https://example.org/li",
    )


def test_a_note_of_exactly_the_limit_is_accepted(mixed, alice, labels):
    response = post_json(client_for(alice), mixed, span_body(mixed, SAID, note="n" * 10_000))

    assert response.status_code == 201, response.content
    assert len(Annotation.objects.get().note) == 10_000


def test_another_reviewer_may_mark_the_same_span_with_the_same_label(mixed, alice, bob, labels):
    make_annotation(mixed, labels["fact"], alice, quote=SAID)

    response = post_json(client_for(bob), mixed, span_body(mixed, SAID))

    assert response.status_code == 201, response.content
    assert sorted(Annotation.objects.values_list("reviewer__username", flat=True)) == ["alice", "bob"]


def test_the_same_reviewer_may_mark_the_same_span_with_another_label(mixed, alice, labels):
    make_annotation(mixed, labels["fact"], alice, quote=SAID)

    response = post_json(client_for(alice), mixed, span_body(mixed, SAID, label="opinion"))

    assert response.status_code == 201, response.content
    assert sorted(Annotation.objects.values_list("label__slug", flat=True)) == ["fact", "opinion"]


# Refusals: each with its status, the one error shape, and nothing stored ----

START = TEXT.index(SAID)
END = START + len(SAID)
GOOD = {"label": "fact", "start16": START + 4, "end16": END + 4, "quote": SAID}
GOOD_CP = {"label": "fact", "start": START, "end": END, "quote": SAID}
PAST_END16 = len(TEXT.encode("utf-16-le")) // 2 + 1
CAFE = TEXT.index("Café")
THUMB16 = TEXT.index("👍")  # only BMP characters come before it, so its UTF-16 offset is the same


def without(body: dict, name: str) -> dict:
    return {key: value for key, value in body.items() if key != name}


INVALID_BODIES = [
    pytest.param(
        {**GOOD, "label": "rumour"}, {"message": "unknown label 'rumour'", "field": "label"}, id="unknown-label"
    ),
    pytest.param(without(GOOD, "label"), {"message": "label must be a label's slug", "field": "label"}, id="no-label"),
    pytest.param({**GOOD, "label": 1}, {"message": "label must be a label's slug", "field": "label"}, id="label-int"),
    pytest.param(
        {**GOOD_CP, "start": END, "end": START, "quote": "x"},
        {"message": f"start {END} must be before end {START}", "field": "end"},
        id="code-points-reversed",
    ),
    pytest.param(
        {**GOOD_CP, "end": START, "quote": ""},
        {"message": f"start {START} must be before end {START}", "field": "end"},
        id="code-points-empty-span",
    ),
    pytest.param(
        {**GOOD_CP, "start": -1},
        {"message": "start -1 is negative", "field": "start"},
        id="code-point-negative",
    ),
    pytest.param(
        {**GOOD_CP, "end": len(TEXT) + 1},
        {"message": f"end {len(TEXT) + 1} is past the end of the text ({len(TEXT)} characters)", "field": "end"},
        id="code-point-past-the-end",
    ),
    pytest.param(
        {**GOOD_CP, "start": str(START)},
        {"message": f"start must be a whole number, got '{START}'", "field": "start"},
        id="code-point-string",
    ),
    pytest.param(
        {**GOOD_CP, "start": float(START)},
        {"message": f"start must be a whole number, got {float(START)}", "field": "start"},
        id="code-point-float",
    ),
    pytest.param(
        {**GOOD_CP, "start": True, "end": 2, "quote": "i"},
        {"message": "start must be a whole number, got True", "field": "start"},
        id="code-point-bool",
    ),
    pytest.param(
        {**GOOD_CP, "end": None},
        {"message": "end must be a whole number, got None", "field": "end"},
        id="code-point-none",
    ),
    pytest.param(
        without(without(GOOD_CP, "start"), "end"),
        {"message": "start must be a whole number, got None", "field": "start"},
        id="no-offsets-at-all",
    ),
    pytest.param(
        {**GOOD, "start16": GOOD["end16"], "end16": GOOD["start16"], "quote": "x"},
        {"message": f"start {END} must be before end {START}", "field": "end16"},
        id="utf16-reversed",
    ),
    pytest.param(
        {**GOOD, "start16": -1},
        {"message": "offset -1 is negative", "field": "start16"},
        id="utf16-negative",
    ),
    pytest.param(
        {**GOOD, "start16": PAST_END16, "end16": PAST_END16 + 1},
        {"message": f"offset {PAST_END16} is past the end of the text", "field": "start16"},
        id="utf16-start-past-the-end",
    ),
    pytest.param(
        {**GOOD, "end16": PAST_END16},
        {"message": f"offset {PAST_END16} is past the end of the text", "field": "end16"},
        id="utf16-end-past-the-end",
    ),
    pytest.param(
        {**GOOD, "start16": "7"},
        {"message": "offset must be a whole number, got '7'", "field": "start16"},
        id="utf16-string",
    ),
    pytest.param(
        {**GOOD, "end16": False},
        {"message": "offset must be a whole number, got False", "field": "end16"},
        id="utf16-bool",
    ),
    pytest.param(
        {**GOOD, "end16": None},
        {"message": "offset must be a whole number, got None", "field": "end16"},
        id="utf16-none",
    ),
    pytest.param(
        without(GOOD, "end16"),
        {"message": "offset must be a whole number, got None", "field": "end16"},
        id="utf16-end-missing",
    ),
    pytest.param(
        {**GOOD, "start16": THUMB16 + 1, "quote": "x"},
        {"message": f"offset {THUMB16 + 1} splits a character", "field": "start16"},
        id="utf16-start-inside-a-surrogate-pair",
    ),
    pytest.param(
        {"label": "fact", "start16": 0, "end16": THUMB16 + 3, "quote": "Minsk 👍"},
        {"message": f"offset {THUMB16 + 3} splits a character", "field": "end16"},
        id="utf16-end-inside-the-skin-tone-modifier",
    ),
    pytest.param(
        {**GOOD, "quote": "she said"},
        {
            "message": f"quote 'she said' does not match the text at [{START}, {END}), which reads {SAID!r}",
            "field": "quote",
        },
        id="quote-mismatch",
    ),
    pytest.param(
        {**GOOD_CP, "start": CAFE, "end": CAFE + 4, "quote": "Cafe\u0301"},
        {
            "message": f"quote 'Cafe\u0301' does not match the text at [{CAFE}, {CAFE + 4}), which reads 'Café'",
            "field": "quote",
        },
        id="quote-in-another-normal-form",
    ),
    pytest.param(
        without(GOOD, "quote"), {"message": "quote must be the selected text", "field": "quote"}, id="no-quote"
    ),
    pytest.param({**GOOD, "quote": None}, {"message": "quote must be the selected text", "field": "quote"}, id="null"),
    pytest.param(
        {**GOOD, "colour": "red", "author": "x"}, {"message": "unknown field(s): author, colour"}, id="unknown"
    ),
    pytest.param(
        {**GOOD, "note": "n" * 10_001},
        {"message": "note is longer than 10,000 characters", "field": "note"},
        id="note-too-long",
    ),
    pytest.param({**GOOD, "note": 5}, {"message": "note must be text", "field": "note"}, id="note-not-text"),
    pytest.param(
        {**GOOD, "speaker": "s" * 301},
        {"message": "speaker is longer than 300 characters", "field": "speaker"},
        id="speaker-too-long",
    ),
    pytest.param(
        {**GOOD, "evidence_url": "javascript:alert(1)"},
        {"message": "Enter a valid URL.", "field": "evidence_url"},
        id="evidence-url-not-a-web-address",
    ),
]


@pytest.mark.parametrize(("body", "error"), INVALID_BODIES)
def test_an_invalid_span_is_refused_with_a_message_naming_the_field(mixed, alice, labels, body, error):
    response = post_json(client_for(alice), mixed, body)

    assert (response.status_code, response.json()) == (400, {"error": error})
    assert response["Content-Type"] == "application/json"
    assert not Annotation.objects.exists()


NESTED = "the request body is JSON nested too deeply (more than 64 levels)"
TOO_LONG = "the request body is JSON with a number too long to read (more than 4,300 digits)"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            b"{label: fact}",
            "the request body is not valid JSON (line 1, column 2: Expecting property name enclosed in double quotes)",
            id="not-json",
        ),
        pytest.param(b"\xff\xfe{}", "the request body is not valid JSON (it is not UTF-8: byte 0)", id="not-utf8"),
        pytest.param(json.dumps([GOOD]).encode(), "the request body must be a JSON object", id="a-list"),
        pytest.param(b'"fact"', "the request body must be a JSON object", id="a-string"),
        pytest.param(b"", "the request body must be a JSON object", id="empty"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, NESTED, id="nested-too-deeply"),
        pytest.param(b"[" * 100_000, NESTED, id="opened-too-deeply"),
        # Shallow enough for Python's parser, deeper than any real request.
        pytest.param(b'{"note": ' + b"[" * 500 + b"]" * 500 + b"}", NESTED, id="nested-500"),
        pytest.param(
            b'{"label": "fact", "start": ' + b"9" * 5_000 + b', "end": 2, "quote": "x"}', TOO_LONG, id="start"
        ),
        pytest.param(
            b'{"start": 1, "end": 2, "quote": NaN}', "the request body is JSON with NaN, which is not a JSON number"
        ),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(mixed, alice, labels, raw, message):
    response = client_for(alice).post(
        reverse("article-annotations", args=[mixed.pk]), data=raw, content_type="application/json"
    )

    assert (response.status_code, response.json()) == (400, {"error": {"message": message}})
    assert not Annotation.objects.exists()


def test_a_multipart_form_is_refused_as_not_json(mixed, alice, labels):
    # The CSRF check reads a form's stream before the view; reading the
    # body after that raised, and the answer was a 500 (found by fuzzing).
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(reverse("article-list"))
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse("article-annotations", args=[mixed.pk]), data={"label": "fact"}, headers={"X-CSRFToken": token}
    )

    assert (response.status_code, response.json()) == (
        415,
        {"error": {"message": "the request body must be JSON (Content-Type: application/json), not a form"}},
    )
    assert not Annotation.objects.exists()


def test_a_reviewer_filter_holding_nul_is_a_400_not_a_database_error(mixed, lena):
    # PostgreSQL refuses NUL even in a WHERE clause (found by fuzzing).
    response = client_for(lena).get(
        reverse("article-annotations", args=[mixed.pk]) + "?reviewer=%00", HTTP_ACCEPT="application/json"
    )

    assert (response.status_code, response.json()["error"]["field"]) == (400, "reviewer")
    assert client_for(lena).get(reverse("article-detail", args=[mixed.pk]) + "?reviewer=a%00").status_code == 400


def test_a_body_over_the_limit_is_refused_before_parsing(mixed, alice, labels):
    raw = json.dumps({**GOOD, "note": "n" * 1_000_000}).encode()

    response = client_for(alice).post(
        reverse("article-annotations", args=[mixed.pk]), data=raw, content_type="application/json"
    )

    assert (response.status_code, response.json()) == (
        413,
        {"error": {"message": "the request body is larger than 1,000,000 bytes"}},
    )
    assert not Annotation.objects.exists()


def test_marking_the_same_span_with_the_same_label_twice_is_a_conflict(mixed, alice, labels):
    client = client_for(alice)
    first = post_json(client, mixed, GOOD)

    second = post_json(client, mixed, GOOD)

    assert first.status_code == 201
    assert (second.status_code, second.json()) == (409, {"error": {"message": "you already marked this span as Fact"}})
    assert list(Annotation.objects.values_list("id", flat=True)) == [first.json()["id"]]


# Retried creates (client ids) -------------------------------------------------

CLIENT_ID = "6f1c8f0e-3a5b-4c8e-9d2a-0b7e5c4a1f00"


def test_a_repeat_with_the_same_client_id_answers_the_same_span_and_stores_one(mixed, alice, labels):
    client = client_for(alice)
    first = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID, "note": "from the first try"})

    again = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID, "note": "from the first try"})

    assert first.status_code == 201, first.content
    assert (again.status_code, again.json()) == (201, first.json())
    stored = Annotation.objects.get()
    assert (stored.pk, str(stored.client_id), stored.version) == (first.json()["id"], CLIENT_ID, 1)
    assert first.json()["client_id"] == CLIENT_ID


def test_a_create_arriving_after_its_span_was_deleted_does_not_make_it_again(mixed, alice, labels):
    # The original request, held up in a queue while the page retried, got
    # its span, and the reviewer deleted it: the late one must not bring it back.
    client = client_for(alice)
    first = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID})
    client.delete(reverse("annotation-detail", args=[first.json()["id"]]))

    late = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID})

    assert (late.status_code, late.json()) == (
        409,
        {
            "error": {
                "message": "the span made with this client_id has been deleted since; "
                "make a new client_id for a new span",
                "field": "client_id",
            }
        },
    )
    assert not Annotation.objects.exists()


def test_a_client_id_in_another_spelling_is_the_same_id(mixed, alice, labels):
    client = client_for(alice)
    first = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID})

    again = post_json(client, mixed, {**GOOD, "client_id": "{" + CLIENT_ID.upper() + "}"})

    assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])
    assert Annotation.objects.count() == 1


def test_a_late_repeat_of_a_span_changed_since_returns_it_as_it_is_now(mixed, alice, labels):
    client = client_for(alice)
    first = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID})
    patch_json(client, Annotation.objects.get(), {"label": "opinion", "note": "on reflection", "version": 1})

    again = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID})

    assert again.status_code == 201, again.content
    assert (again.json()["id"], again.json()["label"], again.json()["note"], again.json()["version"]) == (
        first.json()["id"],
        "opinion",
        "on reflection",
        2,
    )
    assert Annotation.objects.count() == 1


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param({"label": "opinion"}, id="another-label"),
        pytest.param({"start16": START + 5, "quote": SAID[1:]}, id="other-offsets"),
        pytest.param({"note": "a different note"}, id="another-note"),
    ],
)
def test_a_repeat_of_a_client_id_asking_for_a_different_span_is_a_conflict(mixed, alice, labels, changed):
    client = client_for(alice)
    first = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID})

    clash = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID, **changed})

    assert (clash.status_code, clash.json()) == (
        409,
        {
            "error": {
                "message": "this client_id was already used for a different span; each new span needs a new client_id",
                "field": "client_id",
            }
        },
    )
    assert list(Annotation.objects.values_list("id", "label__slug", "start")) == [(first.json()["id"], "fact", START)]


def test_a_repeat_of_a_client_id_on_another_article_is_a_conflict(mixed, alice, labels):
    other = make_article("Lukashenko met Xi in Beijing.")
    assign(other, alice)
    post_json(client_for(alice), mixed, {**GOOD, "client_id": CLIENT_ID})

    body = {"label": "fact", "start": 0, "end": 10, "quote": "Lukashenko", "client_id": CLIENT_ID}

    clash = post_json(client_for(alice), other, body)

    assert (clash.status_code, clash.json()["error"]["field"]) == (409, "client_id")
    assert Annotation.objects.count() == 1


def test_another_reviewer_using_the_same_client_id_gets_a_span_of_their_own(mixed, alice, bob, labels):
    mine = post_json(client_for(alice), mixed, {**GOOD, "client_id": CLIENT_ID})

    theirs = post_json(client_for(bob), mixed, {**GOOD, "client_id": CLIENT_ID})

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()["id"] != mine.json()["id"]
    assert sorted(Annotation.objects.values_list("reviewer__username", flat=True)) == ["alice", "bob"]


def test_a_repeat_after_the_reviewer_submitted_still_gets_its_span(mixed, alice, labels):
    client = client_for(alice)
    first = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID})
    Assignment.objects.filter(article=mixed, reviewer=alice).update(
        status=Assignment.Status.SUBMITTED, submitted_at=timezone.now()
    )

    again = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID})

    assert (again.status_code, again.json()["id"], again.json()["can_change"]) == (201, first.json()["id"], False)


def test_the_same_span_again_under_a_new_client_id_is_still_already_marked(mixed, alice, labels):
    client = client_for(alice)
    post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID})

    second = post_json(client, mixed, {**GOOD, "client_id": "0b7e5c4a-1f00-4c8e-9d2a-6f1c8f0e3a5b"})

    assert (second.status_code, second.json()) == (409, {"error": {"message": "you already marked this span as Fact"}})
    assert Annotation.objects.count() == 1


def test_a_lead_repeating_a_consensus_span_gets_the_same_span(mixed, lena, labels):
    client = client_for(lena)
    body = {**GOOD, "layer": "consensus", "decision_reason": " both agreed ", "client_id": CLIENT_ID}
    first = post_json(client, mixed, body)

    again = post_json(client, mixed, body)

    assert first.status_code == 201, first.content
    assert (again.status_code, again.json()) == (201, first.json())
    assert list(Annotation.objects.values_list("layer", "decision_reason")) == [("consensus", "both agreed")]


@pytest.mark.parametrize(
    "client_id",
    [
        pytest.param("not-a-uuid", id="text"),
        pytest.param(12345, id="a-number"),
        pytest.param("", id="empty"),
        pytest.param(["6f1c8f0e-3a5b-4c8e-9d2a-0b7e5c4a1f00"], id="a-list"),
        pytest.param("6f1c8f0e-3a5b-4c8e-9d2a-0b7e5c4a1f00" * 3, id="too-long"),
    ],
)
def test_a_client_id_that_is_not_a_uuid_is_refused(mixed, alice, labels, client_id):
    response = post_json(client_for(alice), mixed, {**GOOD, "client_id": client_id})

    assert (response.status_code, response.json()) == (
        400,
        {"error": {"message": "client_id must be a UUID such as crypto.randomUUID() makes", "field": "client_id"}},
    )
    assert not Annotation.objects.exists()


def test_a_request_without_a_client_id_stores_none(mixed, alice, labels):
    response = post_json(client_for(alice), mixed, GOOD)

    assert (response.status_code, response.json()["client_id"]) == (201, None)
    assert Annotation.objects.get().client_id is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param("note", "nul \x00 inside", "note must not contain NUL characters", id="nul-in-note"),
        pytest.param(
            "speaker",
            "half \ud83d a pair",
            "speaker contains an unpaired surrogate, which is not a character",
            id="lone-surrogate-in-speaker",
        ),
        pytest.param("label", "fa\x00ct", "label must not contain NUL characters", id="nul-in-label"),
    ],
)
def test_text_no_database_can_store_is_refused_with_a_message(mixed, alice, labels, field, value, message):
    # json.dumps escapes both as \u0000 / \ud83d, which is how they arrive.
    response = post_json(client_for(alice), mixed, {**GOOD, field: value})

    assert (response.status_code, response.json()) == (400, {"error": {"message": message, "field": field}})
    assert not Annotation.objects.exists()


def test_anonymous_visitor_gets_401_in_json_and_nothing_is_stored(client, mixed, labels):
    response = post_json(client, mixed, GOOD)

    assert (response.status_code, response.json()) == (401, {"error": {"message": "sign in first"}})
    assert not Annotation.objects.exists()


def test_anonymous_visitor_cannot_read_the_spans_either(client, mixed, alice, labels):
    make_annotation(mixed, labels["fact"], alice, quote=SAID)

    response = client.get(reverse("article-annotations", args=[mixed.pk]))

    assert (response.status_code, response.json()) == (401, {"error": {"message": "sign in first"}})


def test_spans_on_a_missing_article_are_404_in_json(alice, labels):
    response = client_for(alice).post(
        reverse("article-annotations", args=[987_654]), data=json.dumps(GOOD), content_type="application/json"
    )

    assert (response.status_code, response.json()) == (404, {"error": {"message": "not found"}})
    assert not Annotation.objects.exists()


def test_csrf_token_is_required_and_accepted_from_the_header(mixed, alice, labels):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(reverse("article-detail", args=[mixed.pk]))  # sets the csrftoken cookie, as the page does
    url = reverse("article-annotations", args=[mixed.pk])

    refused = client.post(url, data=json.dumps(GOOD), content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {
        "error": {"message": "Your session's security token is missing or out of date; reload the page and try again."}
    }
    assert not Annotation.objects.exists()

    token = client.cookies["csrftoken"].value
    accepted = client.post(url, data=json.dumps(GOOD), content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.content
    assert Annotation.objects.count() == 1


# Listing spans ---------------------------------------------------------------


def test_get_lists_the_articles_spans_in_text_order_with_both_offset_pairs(mixed, alice, bob, labels, settings):
    # Written before independent judgement: every reviewer sees every span here.
    settings.INDEPENDENT_REVIEW = False
    flag = make_annotation(mixed, labels["fact"], bob, quote="🇧🇾")
    said = make_annotation(mixed, labels["quote"], alice, quote=SAID, speaker="Ms Li")
    first = make_annotation(mixed, labels["opinion"], alice, quote="Minsk")
    other = make_annotation(make_article("Another article entirely."), labels["fact"], alice, quote="Another")

    response = client_for(alice).get(reverse("article-annotations", args=[mixed.pk]))

    assert response.status_code == 200
    items = response.json()["annotations"]
    assert other.pk not in [item["id"] for item in items]
    flag_at = TEXT.index("🇧🇾")
    assert [(i["id"], i["label"], i["reviewer"], i["start"], i["end"], i["start16"], i["end16"]) for i in items] == [
        (first.pk, "opinion", "alice", 0, 5, 0, 5),
        (flag.pk, "fact", "bob", flag_at, flag_at + 2, flag_at + 2, flag_at + 6),
        (said.pk, "quote", "alice", START, END, START + 4, END + 4),
    ]
    assert [(i["quote"], i["speaker"], i["can_change"]) for i in items] == [
        ("Minsk", "", True),
        ("🇧🇾", "", False),
        (SAID, "Ms Li", True),
    ]


def test_get_on_an_article_without_spans_is_an_empty_list(mixed, alice):
    response = client_for(alice).get(reverse("article-annotations", args=[mixed.pk]))

    assert (response.status_code, response.json()) == (200, {"annotations": []})


# Changing spans --------------------------------------------------------------


@pytest.fixture
def alices_span(mixed, alice, labels):
    return make_annotation(mixed, labels["fact"], alice, quote=SAID, note="first thought")


@pytest.fixture
def bob_submitted(mixed, bob):
    """bob has submitted the article, so he may see alice's spans (not change them)."""
    Assignment.objects.filter(article=mixed, reviewer=bob).update(
        status=Assignment.Status.SUBMITTED, submitted_at=timezone.now()
    )
    return bob


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(b'{"note": "x", "version": ' + b"9" * 5_000 + b"}", TOO_LONG, id="version"),
        pytest.param(b'{"note": ' + b"[" * 100_000 + b"}", NESTED, id="nested"),
    ],
)
def test_a_hostile_change_is_refused_and_the_span_is_unchanged(alices_span, alice, caplog, raw, message):
    response = client_for(alice).patch(
        reverse("annotation-detail", args=[alices_span.pk]), data=raw, content_type="application/json"
    )

    assert (response.status_code, response.json()) == (400, {"error": {"message": message}})
    assert [record for record in caplog.records if record.exc_info] == []
    stored = Annotation.objects.get(pk=alices_span.pk)
    assert (stored.note, stored.version) == ("first thought", 1)


def test_the_author_changes_label_note_speaker_and_evidence_url(alices_span, alice):
    before = alices_span.updated_at
    body = {
        "label": "quote",
        "note": "  said on state TV\n",
        "speaker": "  Ms Li ",
        "evidence_url": "https://example.org/tv",
    }

    response = patch_json(client_for(alice), alices_span, body)

    assert response.status_code == 200, response.content
    stored = Annotation.objects.get(pk=alices_span.pk)
    assert (stored.label.slug, stored.note, stored.speaker, stored.evidence_url) == (
        "quote",
        "  said on state TV\n",
        "Ms Li",
        "https://example.org/tv",
    )
    assert stored.updated_at > before
    assert stored.created_at == alices_span.created_at
    assert (stored.start, stored.end, stored.quote) == (START, END, SAID)
    data = response.json()
    assert {k: data[k] for k in ("id", "label", "note", "speaker", "evidence_url", "start16", "end16")} == {
        "id": alices_span.pk,
        "label": "quote",
        "note": "  said on state TV\n",
        "speaker": "Ms Li",
        "evidence_url": "https://example.org/tv",
        "start16": START + 4,
        "end16": END + 4,
    }
    assert data["updated_at"] == stored.updated_at.isoformat()


def test_a_null_note_clears_it_and_other_fields_stay(alices_span, alice):
    response = patch_json(client_for(alice), alices_span, {"note": None})

    assert response.status_code == 200, response.content
    stored = Annotation.objects.get(pk=alices_span.pk)
    assert (stored.note, stored.label.slug) == ("", "fact")


def test_another_reviewer_who_may_not_see_a_span_gets_404_and_nothing_changes(alices_span, bob):
    # Independent judgement: before submitting, bob may not learn alice's span exists.
    response = patch_json(client_for(bob), alices_span, {"label": "opinion", "note": "mine now"})

    assert response.status_code == 404
    response = client_for(bob).delete(reverse("annotation-detail", args=[alices_span.pk]))
    assert response.status_code == 404
    stored = Annotation.objects.get(pk=alices_span.pk)
    assert (stored.label.slug, stored.note, stored.updated_at) == ("fact", "first thought", alices_span.updated_at)


def test_another_reviewer_cannot_change_a_span(alices_span, bob_submitted):
    response = patch_json(client_for(bob_submitted), alices_span, {"label": "opinion", "note": "mine now"})

    assert (response.status_code, response.json()) == (
        403,
        {"error": {"message": "only the reviewer who made this span may change it"}},
    )
    stored = Annotation.objects.get(pk=alices_span.pk)
    assert (stored.label.slug, stored.note, stored.updated_at) == ("fact", "first thought", alices_span.updated_at)


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        pytest.param({"start": 0}, 400, {"message": "cannot change start"}, id="offsets-are-not-editable"),
        pytest.param({"quote": "x", "reviewer": "bob"}, 400, {"message": "cannot change quote, reviewer"}, id="two"),
        pytest.param({"label": "rumour"}, 400, {"message": "unknown label 'rumour'", "field": "label"}, id="label"),
        pytest.param({"label": None}, 400, {"message": "label must be a label's slug", "field": "label"}, id="null"),
        pytest.param(
            {"note": "n" * 10_001},
            400,
            {"message": "note is longer than 10,000 characters", "field": "note"},
            id="note-too-long",
        ),
        pytest.param(
            {"evidence_url": "not a url"}, 400, {"message": "Enter a valid URL.", "field": "evidence_url"}, id="url"
        ),
        pytest.param(
            {"label": "opinion"}, 409, {"message": "you already marked this span with that label"}, id="duplicate"
        ),
    ],
)
def test_an_invalid_change_is_refused_and_nothing_changes(alices_span, alice, labels, body, status, error):
    make_annotation(alices_span.article, labels["opinion"], alice, quote=SAID)

    response = patch_json(client_for(alice), alices_span, body)

    assert (response.status_code, response.json()) == (status, {"error": error})
    stored = Annotation.objects.get(pk=alices_span.pk)
    assert (stored.label.slug, stored.note, stored.evidence_url, stored.updated_at) == (
        "fact",
        "first thought",
        "",
        alices_span.updated_at,
    )


def test_patch_on_a_missing_span_is_404_in_json(alice):
    response = client_for(alice).patch(
        reverse("annotation-detail", args=[987_654]), data="{}", content_type="application/json"
    )

    assert (response.status_code, response.json()) == (404, {"error": {"message": "not found"}})


def test_anonymous_visitor_cannot_change_a_span(client, alices_span):
    response = patch_json(client, alices_span, {"note": "x"})

    assert (response.status_code, response.json()) == (401, {"error": {"message": "sign in first"}})
    assert Annotation.objects.get(pk=alices_span.pk).note == "first thought"


# Changes from a stale copy (versions) ------------------------------------------


def test_a_change_with_the_current_version_applies_and_counts_up(alices_span, alice):
    response = patch_json(client_for(alice), alices_span, {"note": "second thought", "version": 1})

    assert (response.status_code, response.json()["note"], response.json()["version"]) == (200, "second thought", 2)
    assert Annotation.objects.get(pk=alices_span.pk).version == 2


def test_a_change_from_a_stale_copy_is_a_conflict_with_the_current_span(alices_span, alice):
    client = client_for(alice)  # one reviewer, two tabs: both read version 1
    patch_json(client, alices_span, {"note": "from the first tab", "version": 1})
    stored = Annotation.objects.get(pk=alices_span.pk)

    stale = patch_json(client, alices_span, {"label": "opinion", "note": "from the second tab", "version": 1})

    assert stale.status_code == 409, stale.content
    error = stale.json()["error"]
    when = timezone.localtime(stored.updated_at)
    assert error["message"] == (
        f"This span was changed by alice at {when:%H:%M:%S on %d %b %Y} ({when.tzname()}); "
        "reload to see the current version."
    )
    assert (error["reason"], error["changed_by"], error["changed_at"]) == (
        "changed",
        "alice",
        stored.updated_at.isoformat(),
    )
    assert error["current"] == workspace.annotation_payload(stored, offsets.Utf16Map(TEXT), alice)
    assert (error["current"]["note"], error["current"]["version"]) == ("from the first tab", 2)
    after = Annotation.objects.get(pk=alices_span.pk)
    assert (after.label.slug, after.note, after.version) == ("fact", "from the first tab", 2)


def test_a_change_without_a_version_still_applies_for_scripts(alices_span, alice):
    patch_json(client_for(alice), alices_span, {"note": "second thought", "version": 1})

    response = patch_json(client_for(alice), alices_span, {"note": "third thought"})

    assert (response.status_code, response.json()["version"]) == (200, 3)
    assert Annotation.objects.get(pk=alices_span.pk).note == "third thought"


def test_a_delete_from_a_stale_copy_is_a_conflict_and_the_span_stays(alices_span, alice):
    client = client_for(alice)
    patch_json(client, alices_span, {"note": "changed in another tab", "version": 1})

    stale = client.delete(reverse("annotation-detail", args=[alices_span.pk]) + "?version=1")

    assert stale.status_code == 409, stale.content
    assert (stale.json()["error"]["current"]["note"], stale.json()["error"]["current"]["version"]) == (
        "changed in another tab",
        2,
    )
    assert Annotation.objects.filter(pk=alices_span.pk).exists()


def test_a_delete_with_the_current_version_deletes(alices_span, alice):
    response = client_for(alice).delete(reverse("annotation-detail", args=[alices_span.pk]) + "?version=1")

    assert (response.status_code, response.json()) == (200, {})
    assert not Annotation.objects.filter(pk=alices_span.pk).exists()


def test_deleting_a_span_deleted_in_another_tab_is_404(alices_span, alice):
    client = client_for(alice)
    client.delete(reverse("annotation-detail", args=[alices_span.pk]) + "?version=1")

    again = client.delete(reverse("annotation-detail", args=[alices_span.pk]) + "?version=1")

    assert (again.status_code, again.json()) == (404, {"error": {"message": "not found"}})


@pytest.mark.parametrize("version", [pytest.param("1", id="digits-as-text"), 0, -1, 1.0, True, [1], {"v": 1}], ids=str)
def test_a_change_with_a_version_that_is_not_a_whole_number_from_1_is_refused(alices_span, alice, version):
    response = patch_json(client_for(alice), alices_span, {"note": "x", "version": version})

    assert (response.status_code, response.json()) == (
        400,
        {"error": {"message": "version must be the span's version, a whole number from 1", "field": "version"}},
    )
    assert Annotation.objects.get(pk=alices_span.pk).note == "first thought"


@pytest.mark.parametrize("query", ["version=", "version=one", "version=-1", "version=0", "version=1.0", "version=١"])
def test_a_delete_with_a_bad_version_is_refused(alices_span, alice, query):
    response = client_for(alice).delete(reverse("annotation-detail", args=[alices_span.pk]) + "?" + query)

    assert (response.status_code, response.json()["error"]["field"]) == (400, "version")
    assert Annotation.objects.filter(pk=alices_span.pk).exists()


def test_a_lead_editing_a_consensus_span_another_lead_changed_hears_who(mixed, lena, labels):
    other_lead = make_user("leo", is_staff=True)
    span = make_annotation(mixed, labels["fact"], lena, quote=SAID, layer="consensus")
    patch_json(client_for(other_lead), span, {"decision_reason": "leo's reason", "version": 1})

    stale = patch_json(client_for(lena), span, {"decision_reason": "lena's reason", "version": 1})

    assert stale.status_code == 409, stale.content
    assert stale.json()["error"]["changed_by"] == "leo"
    assert stale.json()["error"]["message"].startswith("This span was changed by leo at ")
    assert Annotation.objects.get(pk=span.pk).decision_reason == "leo's reason"


def test_a_stale_change_is_refused_by_the_service_without_http(alices_span, alice):
    from annotate.actions import annotations

    annotations.annotation_update(alices_span, note="one", version=1)

    with pytest.raises(annotations.AnnotationChanged) as caught:
        annotations.annotation_update(Annotation.objects.get(pk=alices_span.pk), note="two", version=1)

    assert caught.value.current_version == 2
    assert Annotation.objects.get(pk=alices_span.pk).note == "one"


def test_a_change_from_an_instance_read_before_another_change_keeps_that_change(alices_span, alice):
    from annotate.actions import annotations

    read_early = Annotation.objects.get(pk=alices_span.pk)
    annotations.annotation_update(alices_span, speaker="Ms Li")

    annotations.annotation_update(read_early, note="later note")

    stored = Annotation.objects.get(pk=alices_span.pk)
    assert (stored.speaker, stored.note, stored.version) == ("Ms Li", "later note", 3)


# Deleting spans --------------------------------------------------------------


def test_the_author_deletes_a_span(alices_span, alice):
    response = client_for(alice).delete(reverse("annotation-detail", args=[alices_span.pk]))

    assert (response.status_code, response.json()) == (200, {})
    assert not Annotation.objects.filter(pk=alices_span.pk).exists()


def test_another_reviewer_cannot_delete_a_span(alices_span, bob_submitted):
    response = client_for(bob_submitted).delete(reverse("annotation-detail", args=[alices_span.pk]))

    assert (response.status_code, response.json()) == (
        403,
        {"error": {"message": "only the reviewer who made this span may delete it"}},
    )
    assert Annotation.objects.filter(pk=alices_span.pk).exists()


def test_anonymous_visitor_cannot_delete_a_span(client, alices_span):
    response = client.delete(reverse("annotation-detail", args=[alices_span.pk]))

    assert (response.status_code, response.json()) == (401, {"error": {"message": "sign in first"}})
    assert Annotation.objects.filter(pk=alices_span.pk).exists()


# Methods ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_the_article_spans_endpoint_allows_only_get_and_post(mixed, alice, method):
    response = getattr(client_for(alice), method)(reverse("article-annotations", args=[mixed.pk]))

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json() == {"error": {"message": f"{method.upper()} is not allowed here"}}


@pytest.mark.parametrize("method", ["get", "post", "put"])
def test_the_span_endpoint_allows_only_patch_and_delete(alices_span, alice, method):
    response = getattr(client_for(alice), method)(reverse("annotation-detail", args=[alices_span.pk]))

    assert response.status_code == 405
    assert response["Allow"] == "PATCH, DELETE"
    assert Annotation.objects.filter(pk=alices_span.pk).exists()


# The workspace functions, without HTTP ---------------------------------------


def test_create_from_browser_refuses_an_inactive_user(mixed, labels):
    gone = make_user("gone", is_active=False)

    with pytest.raises(Http404):
        workspace.annotation_create_answer(article=mixed, data=GOOD, user=gone)
    assert not Annotation.objects.exists()


def test_create_from_browser_refuses_the_anonymous_user(mixed, labels):
    with pytest.raises(Http404):
        workspace.annotation_create_answer(article=mixed, data=GOOD, user=AnonymousUser())
    assert not Annotation.objects.exists()


def test_create_from_browser_prefers_utf16_offsets_when_both_are_given(mixed, alice, labels):
    # start/end here would be wrong by four if they were read as code points.
    data = {**GOOD, "start": START + 4, "end": END + 4}

    payload = workspace.annotation_create_answer(article=mixed, data=data, user=alice)

    annotation = Annotation.objects.get(pk=payload["id"])
    assert (annotation.start, annotation.end, annotation.quote) == (START, END, SAID)


def test_create_from_browser_raises_json_error_naming_the_utf16_field(mixed, alice, labels):
    with pytest.raises(JsonError) as caught:
        workspace.annotation_create_answer(
            article=mixed, data={**GOOD, "start16": THUMB16 + 1, "quote": "x"}, user=alice
        )

    assert (str(caught.value), caught.value.status, caught.value.field) == (
        f"offset {THUMB16 + 1} splits a character",
        400,
        "start16",
    )


def test_change_from_browser_refuses_another_reviewer(alices_span, bob_submitted):
    bob = bob_submitted
    with pytest.raises(PermissionDenied, match="only the reviewer who made this span may change it"):
        workspace.annotation_change_answer(annotation=alices_span, data={"note": "x"}, user=bob)
    assert Annotation.objects.get(pk=alices_span.pk).note == "first thought"


def test_delete_from_browser_refuses_another_reviewer(alices_span, bob_submitted):
    bob = bob_submitted
    with pytest.raises(PermissionDenied, match="only the reviewer who made this span may delete it"):
        workspace.annotation_delete_from_browser(annotation=alices_span, user=bob)
    assert Annotation.objects.filter(pk=alices_span.pk).exists()


def test_payload_gives_both_offset_pairs_and_whether_the_user_may_change_it(alices_span, alice, bob):
    utf16_map = offsets.Utf16Map(alices_span.article.text)

    mine = workspace.annotation_payload(alices_span, utf16_map, alice)
    theirs = workspace.annotation_payload(alices_span, utf16_map, bob)

    assert (mine["start"], mine["end"], mine["start16"], mine["end16"]) == (START, END, START + 4, END + 4)
    assert (mine["can_change"], theirs["can_change"]) == (True, False)
    assert (mine["reviewer"], mine["note"], mine["quote"]) == ("alice", "first thought", SAID)


def test_label_payload_has_the_shortcut_or_an_empty_string(labels):
    labels["fact"].shortcut = None

    assert workspace.label_payload(labels["fact"]) == {
        "slug": "fact",
        "name": "Fact",
        "colour": "#2a9d8f",
        "shortcut": "",
    }
    assert workspace.label_payload(labels["quote"])["shortcut"] == "Q"


# Queries per save ---------------------------------------------------------------
# Pinned so that a query creeping into the save path fails here rather than
# slowing 20 reviewers down (bench/load.py). In a test the transactions are
# savepoints (SAVEPOINT ... RELEASE), which count as statements too.


def test_a_create_takes_a_fixed_number_of_queries(mixed, alice, labels, django_assert_num_queries):
    client = client_for(alice)
    post_json(client, mixed, span_body(mixed, "Minsk"))  # the assignment is now in progress

    # session, user, article, assignment status, client id in the history,
    # label; savepoint, insert, history insert, release. The answer's
    # can_change comes from the status already read: no query of its own.
    with django_assert_num_queries(10):
        response = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID})
    assert response.status_code == 201


def test_the_first_create_also_marks_the_assignment_started(mixed, alice, labels, django_assert_num_queries):
    client = client_for(alice)

    # ... plus savepoint, the assignment locked, its update, its history, release.
    with django_assert_num_queries(15):
        response = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID})
    assert response.status_code == 201
    assert Assignment.objects.get(article=mixed, reviewer=alice).status == Assignment.Status.IN_PROGRESS


def test_a_repeated_create_takes_a_fixed_number_of_queries(mixed, alice, labels, django_assert_num_queries):
    client = client_for(alice)
    post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID})

    # session, user, article, assignment status, client id in the history,
    # the span (with label and reviewer), the label asked for.
    with django_assert_num_queries(7):
        response = post_json(client, mixed, {**GOOD, "client_id": CLIENT_ID})
    assert response.status_code == 201


def test_a_change_takes_a_fixed_number_of_queries(alices_span, alice, django_assert_num_queries):
    # session, user, the span (with article, label, reviewer), assignment
    # status, the new label; savepoint, row lock, update, history insert,
    # release. The answer reuses the status read first.
    client = client_for(alice)

    with django_assert_num_queries(10):
        response = patch_json(client, alices_span, {"label": "opinion", "note": "n", "version": 1})
    assert response.status_code == 200


def test_a_delete_takes_a_fixed_number_of_queries(alices_span, alice, django_assert_num_queries):
    # session, user, the span, assignment status; savepoint, row lock, the
    # consensus spans based on it set to none, delete, history insert, release.
    client = client_for(alice)

    with django_assert_num_queries(10):
        response = client.delete(reverse("annotation-detail", args=[alices_span.pk]) + "?version=1")
    assert response.status_code == 200


def test_a_reload_of_unchanged_spans_is_a_304_and_any_change_a_new_tag(mixed, alice, bob, labels):
    url = reverse("article-annotations", args=[mixed.pk])
    alice_client = client_for(alice)
    assert post_json(alice_client, mixed, span_body(mixed, SAID)).status_code == 201
    first = alice_client.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]

    again = alice_client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""

    # Another user is sent other spans under the same address: never their 304.
    bob_sees = client_for(bob).get(url, headers={"If-None-Match": first["ETag"]})
    assert bob_sees.status_code == 200 and bob_sees["ETag"] != first["ETag"]

    # A change of the span changes what alice is sent.
    span = Annotation.objects.get(article=mixed, reviewer=alice)
    assert patch_json(alice_client, span, {"note": "checked", "version": span.version}).status_code == 200
    changed = alice_client.get(url, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert json.loads(changed.content)["annotations"][0]["note"] == "checked"
