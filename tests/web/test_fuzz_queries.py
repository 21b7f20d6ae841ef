"""Every GET endpoint, page and API, under random query strings, and every
page form under random fields (hypothesis), as the anonymous visitor, a
reviewer, a lead and an admin:
each parameter the endpoint reads (from its form, or from the API's own
schema) and some it does not, repeated or not, with values that are
empty, text with NUL and lone surrogates, Unicode digits that str.isdigit
accepts and int() refuses, numbers of any length up to past Python's
4,300 digits, dates that do not exist, and the names that do exist. Path
ids get the same treatment.

Whatever arrives, the answer is never a 5xx, and a JSON error has the one
shape. Each example runs in a savepoint that is rolled back.
"""

import os
import urllib.parse

import pytest
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.models import AnnotationImportJob, ArticleFetch, Feed
from annotate.web.forms import AnnotationExportForm, ArticleListForm, AssignForm, FeedFollowForm, ReportForm
from tests.conftest import assign, make_annotation, make_article, make_assignment
from tests.web.test_fuzz_json import content_types, rolled_back

pytestmark = pytest.mark.django_db

QUERIES = settings(
    # QUERY_EXAMPLES=500 for a longer hunt than `make test` can afford.
    max_examples=int(os.environ.get("QUERY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Each page and the query parameters it reads; {article}, {span}, {source}
# and {assignment} are filled in from the world below.
PAGES = {
    "/": [*ArticleListForm.base_fields, "page"],
    "/articles/{article}/": ["others", "reviewer", "layer"],
    "/articles/{article}/annotations/": ["others", "reviewer", "layer"],
    "/annotations/{span}/history/": [],
    "/articles/{article}/curate/": ["show", "page"],
    "/queue/": [],
    "/articles/new/": [],
    "/feeds/": [],
    "/assign/": ["articles", "page"],
    "/team/": ["source"],
    "/team/agreement.csv": ["source"],
    "/team/agreement.json": ["source"],
    "/reports/": [*ReportForm.base_fields, "page"],
    "/reports/sources.csv": [*ReportForm.base_fields],
    "/reports/articles.json": [*ReportForm.base_fields, "article"],
    "/reports/articles.xlsx": [*ReportForm.base_fields, "article"],
    "/reports/articles/{article}/": [*ReportForm.base_fields],
    "/export/annotations/": [*AnnotationExportForm.base_fields],
    "/healthz": [],
    "/labels.css": [],
    "/accounts/login/": ["next"],
}


def api_endpoints() -> dict[str, list[str]]:
    """Every API path with a GET, and the query parameters its schema
    documents; {id} is filled in per path below."""
    spec = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"]
        for path, operations in spec["paths"].items()
        if "get" in operations
    }


ENDPOINTS = PAGES | api_endpoints()
ROLES = ["anonymous", "alice", "lena", "root"]

# Values that broke an endpoint once, or could: digits str.isdigit accepts
# and int() refuses, numbers past int()'s 4,300 digits and past any id,
# dates that do not exist, and values each filter knows.
KNOWN = ["", " ", "0", "-1", "1", "2", "1.5", "1e3", "²", "١٢", "9" * 19, "9" * 20, "9" * 4_300, "9" * 4_301,
         "9" * 5_000, "true", "null", "\x00", "\ud800", "2023-02-30", "0001-01-01", "9999-12-31", "2023-03-05",
         "fact", "unsupported_claim", "reviewer", "consensus", "auto", "disputed", "csv", "xlsx", "w3c", "alice",
         "lena", "nobody", "BelTA", "Reuters", "newest", "title", "-published", "assigned", "submitted",
         "https://evil.example/", "//evil.example", "javascript:alert(1)"]  # fmt: skip
values = (
    st.sampled_from(KNOWN)
    | st.text(st.characters(exclude_categories=()), max_size=20)
    | st.integers(min_value=1, max_value=6_000).map(lambda n: "9" * n)
    | st.integers(min_value=-(2**70), max_value=2**70).map(str)
)
path_ids = st.sampled_from(["{real}", "{real}", "0", "987654", "9" * 25, "9" * 5_000, "²", "x"])


@st.composite
def query_strings(draw, names: list[str]) -> str:
    """Each of the endpoint's own parameters or not, then pairs of any of
    them and some it does not know (so a name may repeat, as labels= does)."""
    pairs = [(name, draw(values)) for name in names if draw(st.booleans())]
    pairs += draw(st.lists(st.tuples(st.sampled_from([*names, "page", "format", "zzz"]), values), max_size=3))
    return urllib.parse.urlencode(draw(st.permutations(pairs)), errors="surrogatepass")


@pytest.fixture
def world(alice, bob, lena, root, labels):
    """An article alice and bob reviewed (bob submitted), their spans and a
    consensus span, an article nobody has; a signed-in client per role."""
    article = make_article("Xi 😀 met Lukashenko in Minsk.", source="BelTA", published="2023-03-05")
    make_article("Another article about tanks.", source="Reuters")
    assign(article, alice)
    submitted = make_assignment(article, bob, status="submitted")
    span = make_annotation(article, labels["fact"], alice, quote="Minsk")
    make_annotation(article, labels["opinion"], bob, quote="Xi 😀")
    make_annotation(article, labels["quote"], lena, quote="Lukashenko", layer="consensus")
    fetch = ArticleFetch.objects.create(url="https://news.example/story", requested_by=lena)
    feed = Feed.objects.create(url="https://news.example/rss.xml", url_key="news.example/rss.xml", added_by=lena)
    job = AnnotationImportJob.objects.create(requested_by=lena, file_format="csv", data=b"article_id\n")
    ids = {"article": article.pk, "span": span.pk, "source": article.source_id, "assignment": submitted.pk,
           "label": labels["fact"].pk, "fetch": fetch.pk, "feed": feed.pk, "import_job": job.pk}  # fmt: skip
    clients = {"anonymous": Client()}
    for user in (alice, lena, root):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    return ids, clients


# What an API path's {id} names, by the collection before it.
ID_KINDS = {"articles": "article", "sources": "source", "assignments": "assignment", "labels": "label",
            "annotations": "span", "article-fetches": "fetch", "jobs": "import_job"}  # fmt: skip


def real_path(template: str, ids: dict, path_id: str) -> str:
    if "{id}" in template:
        collection = template.split("/{id}")[0].rsplit("/", 1)[1]
        template = template.replace("{id}", path_id.replace("{real}", str(ids[ID_KINDS[collection]])))
    return template.format(**ids)


def check(response) -> None:
    assert response.status_code < 500, response.content[:300]
    if response.get("Content-Type") == "application/json" and response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["message"], str) and error["message"]


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@QUERIES
@given(role=st.sampled_from(ROLES), path_id=path_ids, data=st.data())
def test_no_query_string_makes_any_endpoint_fail_with_a_server_error(world, endpoint, role, path_id, data):
    ids, clients = world
    url = real_path(endpoint, ids, path_id) + "?" + data.draw(query_strings(ENDPOINTS[endpoint]), label="query")

    @rolled_back
    def run():
        check(clients[role].get(url))

    run()


# The values that each broke some endpoint before: every parameter of
# every endpoint gets each of them, as a lead and as a reviewer.
HOSTILE = ["²", "١٢", "9" * 20, "9" * 4_301, "9" * 5_000, "-1", "0", "\x00", "\ud800", "2023-02-30"]


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_every_parameter_takes_every_hostile_value_without_a_server_error(world, endpoint):
    ids, clients = world
    for value in HOSTILE:
        query = urllib.parse.urlencode([(name, value) for name in ENDPOINTS[endpoint]], errors="surrogatepass")
        url = real_path(endpoint, ids, value if value.isdigit() else "{real}") + "?" + query
        for role in ("alice", "lena"):

            @rolled_back
            def run():
                check(clients[role].get(url))  # noqa: B023 - run now, in this iteration

            run()


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/annotations/²/", 404),
        ("/api/annotations/" + "9" * 5_000 + "/", 404),
        ("/api/annotations/" + "9" * 5_000 + "/history/", 404),
        ("/api/exports/annotations/?article=²", 400),
        ("/api/exports/annotations/?article=" + "9" * 5_000, 400),
        ("/reports/articles.csv?article=²", 400),
        ("/reports/articles.csv?article=" + "9" * 5_000, 400),
    ],
)
def test_an_id_that_str_isdigit_accepts_but_is_no_id_is_refused(world, url, status):
    _, clients = world
    assert clients["lena"].get(url).status_code == status


@pytest.mark.parametrize("span", ["²", "9" * 5_000, "9" * 20])
@pytest.mark.parametrize("action", ["curate-accept", "curate-remove"])
def test_a_curation_form_naming_a_span_by_no_id_says_so(world, span, action):
    ids, clients = world
    response = clients["lena"].post(reverse(action, args=[ids["article"]]), {"span": span, "reason": "r"}, follow=True)
    assert response.status_code == 200
    assert "Choose a span." in [str(m) for m in response.context["messages"]]


# Each form a page posts, and the fields its view reads.
FORMS = {
    "/articles/{article}/curate/accept/": ["span", "reason"],
    "/articles/{article}/curate/accept-unanimous/": ["reason"],
    "/articles/{article}/curate/remove/": ["span", "version"],
    "/articles/{article}/curate/close/": ["note"],
    "/articles/{article}/curate/reopen/": [],
    "/queue/{assignment}/submit/": [],
    "/assignments/{assignment}/reopen/": [],
    "/assign/": [*AssignForm.base_fields],
    "/feeds/follow/": [*FeedFollowForm.base_fields],
    "/feeds/{feed}/poll/": [],
    "/feeds/{feed}/pause/": [],
    "/accounts/login/": ["username", "password", "next"],
    "/accounts/logout/": [],
}


@pytest.mark.parametrize("endpoint", sorted(FORMS))
@QUERIES
@given(
    role=st.sampled_from(ROLES),
    data=st.data(),
    content_type=st.just("application/x-www-form-urlencoded") | content_types,
)
def test_no_form_body_makes_a_page_fail_with_a_server_error(world, endpoint, role, data, content_type):
    ids, clients = world
    fields = data.draw(query_strings(FORMS[endpoint]), label="fields")
    body = (
        fields.encode()
        if content_type.startswith("application/x-www")
        else data.draw(st.binary(max_size=300) | st.just(fields.encode()))
    )

    @rolled_back
    def run():
        check(clients[role].generic("POST", real_path(endpoint, ids, "{real}"), data=body, content_type=content_type))

    run()
