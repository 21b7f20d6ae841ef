"""The cast every test can ask for by name, and factories with defaults so a
test sets only the fields it is about.

alice and bob review, lena leads, root administers; ``client`` is the
anonymous visitor.
"""

import os
import re
import sqlite3
from pathlib import Path

import hypothesis
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from annotate import permissions
from annotate.actions import annotations
from annotate.io import articles_in
from annotate.models import Article, Assignment, Label

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PASSWORD = "correct horse battery staple"

# `make mutation` runs the suite once per mutant: the same examples every
# time (derandomize), so a mutant is killed or survives for the mutant's
# sake and not the draw's, and no example database carried between runs.
hypothesis.settings.register_profile("mutation", derandomize=True, database=None)
if os.environ.get("HYPOTHESIS_PROFILE"):
    hypothesis.settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a database file rather than Django's default shared
    in-memory one: that one locks whole tables between connections and fails
    at once ("database table is locked") where a file in WAL mode, as
    `make run` uses, waits its turn. The concurrency tests
    (tests/web/test_workspace_races.py) need the real behaviour."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")
        # Locking as in production, but no waiting for the disk: a test
        # database need not survive a power cut, and syncing doubled the time.
        options = database["OPTIONS"]
        options["init_command"] = options["init_command"].replace("synchronous=NORMAL", "synchronous=OFF")


def make_data_migration_rows() -> None:
    """The labels and roles the data migrations make. A transactional
    test's flush empties every table, and pytest-django runs transactional
    tests last, so every one after the first starts without them."""
    import importlib

    from django.apps import apps

    importlib.import_module("annotate.migrations.0002_default_labels").create_default_labels(apps, None)
    importlib.import_module("annotate.migrations.0005_roles").create_roles(apps, None)


@pytest.fixture(autouse=True)
def data_migration_rows_after_a_flush(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        make_data_migration_rows()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default PBKDF2 hasher takes a good part of a second per user, which
    # made user-heavy tests the slowest in the suite; tests need no real hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_report_cache():
    # Each test starts with no cached report figures (annotate/read/reports.py),
    # so no test passes on another's leftovers.
    from django.conf import settings
    from django.core.cache import caches

    caches[settings.REPORT_CACHE].clear()


@pytest.fixture
def lock_the_database(transactional_db):
    """A callable that makes another connection take SQLite's write lock
    (BEGIN EXCLUSIVE) and hold it until the test ends, as an import in
    another process does; the app's own connections wait 0.2 s for it
    rather than SQLITE_BUSY_TIMEOUT. Call it once the test's own writes
    (users, articles, sign-ins) are done; ask for it before the cast, whose
    roles it makes again after an earlier transactional test's flush."""

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the busy timeout is SQLite's; PostgreSQL waits on row locks")
    options = connection.settings_dict["OPTIONS"]
    saved = dict(options)
    holders = []

    def lock():
        connection.close()
        options["timeout"] = 0.2
        options["init_command"] = re.sub(r"busy_timeout=\d+", "busy_timeout=200", options["init_command"])
        holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        holders.append(holder)

    yield lock
    for holder in holders:
        holder.execute("ROLLBACK")
        holder.close()
    connection.close()
    options.clear()
    options.update(saved)


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", **extra
    )


def make_reviewer(username: str, **extra):
    """A member of the "Reviewer" group that migration 0005 creates."""
    user = make_user(username, **extra)
    user.groups.add(Group.objects.get(name=permissions.REVIEWER_GROUP))
    return user


@pytest.fixture
def alice(db):
    return make_reviewer("alice")


@pytest.fixture
def bob(db):
    return make_reviewer("bob")


@pytest.fixture
def lena(db):
    """A lead: a member of the "Lead" group that migration 0005 creates."""
    user = make_user("lena")
    user.groups.add(Group.objects.get(name=permissions.LEAD_GROUP))
    return user


@pytest.fixture
def root(db):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def lena_client(client, lena):
    client.force_login(lena)
    return client


@pytest.fixture
def admin_client_(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def labels(db):
    """The four default labels (made by the data migration), by slug."""
    return {label.slug: label for label in Label.objects.all()}


def make_article(text: str = "Lukashenko met Xi in Beijing.", *, title: str = "", source: str = "Test Source", **extra):
    record = articles_in.ArticleRecord(
        text=text, title=title, source=source, original_filename=extra.pop("original_filename", ""), **extra
    )
    article, _ = articles_in.article_import(record)
    return article


@pytest.fixture
def article(db):
    return make_article()


@pytest.fixture
def seed_articles(db):
    """The five seed articles, imported the way `make run` imports them."""
    report = articles_in.import_paths([SEEDS], manifest=SEEDS / "manifest.csv")
    assert not report.failed, report.failed
    return {a.original_filename: a for a in Article.objects.all()}


def make_assignment(article, reviewer, *, status: str = Assignment.Status.ASSIGNED, assigned_by=None, **extra):
    """An assignment in the given state (a submitted one gets a submitted_at)."""
    if status == Assignment.Status.SUBMITTED:
        extra.setdefault("submitted_at", timezone.now())
    return Assignment.objects.create(
        article=article, reviewer=reviewer, status=status, assigned_by=assigned_by, **extra
    )


def assign(article, *reviewers, status: str = Assignment.Status.ASSIGNED):
    """Give the article to each reviewer (a reviewer sees only what is assigned)."""
    return [make_assignment(article, reviewer, status=status) for reviewer in reviewers]


def make_annotation(article, label, reviewer, *, quote: str | None = None, start=None, end=None, **extra):
    """A span on ``article``: give ``quote`` (its first occurrence) or offsets."""
    if quote is not None and start is None:
        start = article.text.index(quote)
        end = start + len(quote)
    return annotations.annotation_create(
        article=article, label=label, start=start, end=end, reviewer=reviewer, quote=quote, **extra
    )


HITLER_QUOTE = "Lukashenko, who has a great deal of respect for Adolf Hitler"
# Emoji (one astral code point each, two in UTF-16) before every span, a span
# at the very start (no prefix) and one at the very end (no suffix).
EMOJI_TEXT = "😀 Minsk 🇧🇾 says “yes” to Beijing.\nThe end."


@pytest.fixture
def mixed_annotations(seed_articles, labels, alice, bob, lena):
    """Spans across three sources, every label, three reviewers, both layers,
    and notes that a spreadsheet would run as formulas; in export order."""
    seed_003 = seed_articles["003_c9aaef3b5bae2a7a.txt"]
    cnn = seed_articles["002_62f2d983f655606c.txt"]
    emoji = make_article(EMOJI_TEXT, title="Emoji first")
    made = [
        make_annotation(seed_003, labels["unsupported_claim"], alice, quote=HITLER_QUOTE, note="No source given."),
        make_annotation(seed_003, labels["opinion"], bob, quote=HITLER_QUOTE, note="=SUM(A1:A2)"),
        make_annotation(
            cnn,
            labels["quote"],
            bob,
            quote="“deep concern over the protracted armed conflict,”",
            speaker="Xi and Lukashenko",
            evidence_url="https://example.org/joint-statement",
            note="-1",
        ),
        make_annotation(cnn, labels["fact"], lena, quote="Hong Kong (CNN)", layer="consensus", note="'=already"),
        make_annotation(emoji, labels["fact"], alice, quote="😀 Minsk", note="line one\nline two"),
        make_annotation(emoji, labels["opinion"], alice, quote=" says “yes”", note="@SUM(1)"),
        make_annotation(emoji, labels["unsupported_claim"], bob, quote="The end.", note="\tstarts with a tab"),
    ]
    return sorted(made, key=lambda a: (a.article_id, a.start, a.end, a.pk))


def api_as(user=None):
    """A DRF test client signed in as ``user`` (anonymous when None)."""
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def story_server(settings):
    """A loopback server with one article page at /story, which the fetcher
    may reach (ARTICLE_FETCH_ALLOW_PRIVATE) within a short timeout."""
    from tests.loopback_server import HTML, LoopbackServer, Reply, story_page

    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    settings.ARTICLE_FETCH_TIMEOUT = 5
    with LoopbackServer({"/story": Reply(200, HTML, story_page())}) as running:
        yield running


FEED_FIXTURES = Path(__file__).resolve().parent / "io" / "fixtures" / "feeds"
# The pages the fixture feeds link to (tests/io/fixtures/feeds/README.md);
# /world/missing-story is missing on purpose.
FEED_STORIES = {
    "/news/2026/harbour-reopens": "Harbour reopens after the storm",
    "/news/2026/eclipse-watch": "Sky watchers prepare for a partial eclipse",
    "/news/2026/new-engine": "The engine that does more",
    "/news/2026/crew-laundry": "Crew's laundry goes to orbit",
    "/science/glacier-survey": "Glacier survey finds a faster retreat",
    "/science/sea-floor-robots": "Robots map the sea floor",
    "/world/minsk-trade-pact": "Minsk and Beijing sign a trade pact",
    "/world/budget-vote/": "Parliament votes on the budget",
    "/world/harbour-strike": "Dockers strike at the harbour",
}
# Each feed fixture, where the server serves it, and as what.
FEED_ROUTES = {
    "/feeds/world.rss": ("rss2-spec-sample-shape.xml", "application/rss+xml; charset=utf-8"),
    "/feeds/science.atom": ("atom-rfc4287-shape.xml", "application/atom+xml"),
    "/feeds/europe.xml": ("rss-relative-duplicates-tracking.xml", "text/xml; charset=utf-8"),
    "/feeds/broken.xml": ("broken.xml", "application/rss+xml"),
}


def news_page(title: str) -> bytes:
    """A news page for ``title``, its paragraphs its own, so every story is
    a different article."""
    from tests.loopback_server import article_page

    return article_page(
        title,
        [
            f"{title}: that was the news on Tuesday, officials confirmed in a statement that "
            "they read out to reporters gathered outside the ministry in the capital.",
            f"Residents said they had expected it for weeks. “{title} is what everyone was talking about,” "
            "one shopkeeper said, adding that prices had risen since the summer.",
            f"Analysts cautioned that the consequences of the story ({title.lower()}) would take months "
            "to become clear, and that the government had promised a full report by spring.",
        ],
    )


def feed_fixture(name: str, base: str) -> bytes:
    """A feed fixture with its links pointing at ``base`` (the server)."""
    return (FEED_FIXTURES / name).read_text().replace("{{base}}", base).encode()


@pytest.fixture
def feed_server(settings):
    """A loopback server with the fixture feeds (answering conditional
    requests with a 304, as a caching server does), the pages their items
    link to, an HTML page, and a feed that answers too late; the fetcher
    may reach it (ARTICLE_FETCH_ALLOW_PRIVATE) within a short timeout."""
    import time

    from tests.loopback_server import HTML, ConditionalReply, LoopbackServer, Reply

    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    settings.ARTICLE_FETCH_TIMEOUT = 2

    def too_slow(handler):
        time.sleep(3)

    server = LoopbackServer({path: Reply(200, HTML, news_page(title)) for path, title in FEED_STORIES.items()})
    for path, (name, content_type) in FEED_ROUTES.items():
        server.routes[path] = ConditionalReply(feed_fixture(name, server.url("")), content_type=content_type)
    server.routes["/feeds/front-page.html"] = Reply(200, HTML, news_page("Front page"))
    server.routes["/feeds/slow.rss"] = too_slow
    with server as running:
        yield running
