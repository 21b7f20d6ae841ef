"""Killing a bulk import half way leaves the database as it was before it.

Each import runs as a real ``manage.py`` process against a real database
(whatever the suite runs on: a migrated SQLite file, since the suite's own
SQLite database is in memory, or the suite's PostgreSQL test database
itself, which a transactional test commits to and flushes afterwards). The
test reads the command's ``--progress`` lines, a user-facing option, and
kills the process with SIGKILL once a line proves rows are written inside
its transaction; then it compares every table, row by row, with what it
held before the import started.

The last test moves a project between two SQLite files with the commands
alone, as a person would.
"""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import zipfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from annotate.io.backup.export import project_export
from annotate.models import Annotation, Article, Label, Source
from tests.io.test_backup import recreate_what_migrate_makes

pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = Path(settings.BASE_DIR) / "manage.py"
KILL_TIMEOUT = 300


@dataclass
class Target:
    """A database a subprocess can reach: its URL, and the SQLite file
    behind it (None on PostgreSQL, where the suite's connection reads it)."""

    url: str
    sqlite_path: Path | None = None


def manage(target: Target, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env={**os.environ, "DATABASE_URL": target.url},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=KILL_TIMEOUT,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite file `migrate` has made, copied for each test (migrating
    takes seconds)."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    manage(Target(f"sqlite:///{path}"), "migrate", "--noinput", "-v", "0")
    return path


def sqlite_copy(template: Path, path: Path) -> Target:
    # The backup API copies what the write-ahead log holds too.
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)
    return Target(f"sqlite:///{path}", path)


@pytest.fixture
def target(request, tmp_path) -> Target:
    """The suite's kind of database, migrated and empty, for a subprocess."""
    if connection.vendor == "sqlite":
        return sqlite_copy(request.getfixturevalue("migrated_sqlite"), tmp_path / "db.sqlite3")
    if connection.vendor != "postgresql":
        pytest.skip(f"no subprocess set-up for {connection.vendor}")
    recreate_what_migrate_makes()
    db = connection.settings_dict
    credentials = f"{quote(db['USER'], safe='')}:{quote(db['PASSWORD'] or '', safe='')}@" if db["USER"] else ""
    return Target(f"postgres://{credentials}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}")


def database_state(target: Target) -> dict[str, list]:
    """Every table's rows, in a fixed order, read without Django's models."""
    if target.sqlite_path is not None:
        with closing(sqlite3.connect(target.sqlite_path)) as db:
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            return {table: db.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall() for table in tables}
    state = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            state[table] = cursor.fetchall()
    return state


def kill_mid_way(target: Target, args: list[str], progress: re.Pattern, at_least: int) -> tuple[int, int]:
    """Run ``manage.py *args``, read its stderr until a progress line says at
    least ``at_least`` items are done (and not all), SIGKILL it there, and
    return (done, total) from that line."""
    process = subprocess.Popen(
        [sys.executable, str(MANAGE), *args],
        env={**os.environ, "DATABASE_URL": target.url},
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(KILL_TIMEOUT, process.kill)
    watchdog.start()
    seen = []
    try:
        for line in process.stderr:
            seen.append(line)
            match = progress.search(line)
            if match and int(match["done"]) >= at_least:
                process.send_signal(signal.SIGKILL)
                done, total = int(match["done"]), int(match["total"])
                break
        else:
            pytest.fail(f"the import ended before it was {at_least} in:\n{''.join(seen[-20:])}")
        process.wait(timeout=60)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL, "".join(seen[-20:])
    assert done < total, "the import had finished its last item before the kill"
    return done, total


def write_articles(folder: Path, count: int, *, prefix: str) -> Path:
    folder.mkdir()
    for number in range(count):
        (folder / f"{prefix}-{number:04d}.txt").write_text(
            f"{prefix} story {number} 😀\n\nMinsk and Beijing sign pact {number}. Critics said it was a disgrace.\n",
            encoding="utf-8",
        )
    return folder


def test_killing_import_articles_half_way_leaves_the_database_as_it_was(target, tmp_path):
    manage(target, "import_articles", str(write_articles(tmp_path / "earlier", 3, prefix="earlier")))
    manage(target, "ensure_demo_user")
    bulk = write_articles(tmp_path / "bulk", 300, prefix="bulk")
    before = database_state(target)
    assert len(before["annotate_article"]) == 3

    # "[n/300] path" is printed once file n is written, inside the run's
    # one transaction.
    done, total = kill_mid_way(
        target, ["import_articles", str(bulk), "--progress"], re.compile(r"^\[(?P<done>\d+)/(?P<total>\d+)\]"), 20
    )
    assert 20 <= done < total == 300

    assert database_state(target) == before
    # The database is not left locked or half-written: the next import works.
    result = manage(target, "import_articles", str(write_articles(tmp_path / "after", 1, prefix="after")))
    assert "Articles: 1 new" in result.stdout


def build_large_project(articles: int) -> None:
    """Many articles with sixteen spans each, written in bulk (the services
    would take minutes for this many)."""
    reviewer = get_user_model().objects.create_user("filler", password="unused-here")
    source = Source.objects.create(name="Bulk")
    now = timezone.now()
    texts = [
        f"Bulk story {number} 😀\n\nMinsk and Beijing sign pact {number}. Critics said it was a disgrace.\n"
        for number in range(articles)
    ]
    made = Article.objects.bulk_create(
        Article(source=source, title=f"Bulk {number}", text=text, sha256=Article.fingerprint(text),
                word_count=Article.count_words(text))
        for number, text in enumerate(texts)
    )  # fmt: skip
    spans = []
    for article in made:
        for word in ("Minsk", "Beijing", "Critics", "disgrace"):
            start = article.text.index(word)
            for label in Label.objects.all():
                spans.append(Annotation(article=article, label=label, start=start, end=start + len(word), quote=word,
                                        reviewer=reviewer, created_at=now, updated_at=now))  # fmt: skip
    Annotation.objects.bulk_create(spans, batch_size=2000)


def test_killing_import_project_half_way_leaves_the_database_as_it_was(target, tmp_path):
    recreate_what_migrate_makes()
    build_large_project(500)
    archive = tmp_path / "large.zip"
    project_export(archive)
    if target.sqlite_path is None:
        # The target is this very database: empty it as `migrate` would leave it.
        call_command("flush", interactive=False, verbosity=0)
        recreate_what_migrate_makes()
    before = database_state(target)

    # "annotate_annotation: 2000/8000 rows": every table before it is in,
    # and 2,000 of its rows, inside the import's one transaction.
    done, total = kill_mid_way(
        target,
        ["import_project", str(archive), "--progress"],
        re.compile(r"^annotate_annotation: (?P<done>\d+)/(?P<total>\d+) rows"),
        2000,
    )
    assert total == 8000

    assert database_state(target) == before


def test_killing_import_annotations_half_way_leaves_the_database_as_it_was(target, tmp_path):
    manage(target, "import_articles", str(write_articles(tmp_path / "articles", 60, prefix="spans")))
    manage(target, "ensure_demo_user")
    before = database_state(target)
    rows = []
    for article_id, text in article_texts(target):
        for match in re.finditer(r"\w+", text):
            for reviewer in ("ana", "ben"):
                for label in ("fact", "opinion", "quote", "unsupported_claim"):
                    rows.append({"article_id": article_id, "label": label, "start": match.start(),
                                 "end": match.end(), "quote": match.group(), "reviewer": reviewer})  # fmt: skip
    spans = tmp_path / "spans.json"
    spans.write_text(json.dumps(rows), encoding="utf-8")
    # Spans are written in batches of up to 2,000 (bulk_annotations): a
    # file of several, so that the kill comes while some are still to write.
    assert len(rows) > 3 * 2_000

    # The whole file is checked first ("checking: …"); "writing: 100/…" is
    # said once a batch holding the hundredth span is written, inside the
    # import's one transaction.
    done, total = kill_mid_way(
        target,
        ["import_annotations", str(spans), "--user", "demo", "--keep-authors", "--progress"],
        re.compile(r"^writing: (?P<done>\d+)/(?P<total>\d+) rows"),
        100,
    )
    assert total == len(rows)

    assert database_state(target) == before


def article_texts(target: Target) -> list[tuple[int, str]]:
    if target.sqlite_path is not None:
        with closing(sqlite3.connect(target.sqlite_path)) as db:
            return db.execute("SELECT id, text FROM annotate_article ORDER BY id").fetchall()
    return list(Article.objects.order_by("pk").values_list("pk", "text"))


def test_a_project_moves_between_two_sqlite_files_with_the_commands_alone(migrated_sqlite, tmp_path):
    first = sqlite_copy(migrated_sqlite, tmp_path / "first.sqlite3")
    second = sqlite_copy(migrated_sqlite, tmp_path / "second.sqlite3")
    seeds = Path(settings.BASE_DIR) / "seeds"
    manage(first, "import_articles", str(seeds), "--manifest", str(seeds / "manifest.csv"))
    manage(first, "ensure_demo_user")
    manage(
        first, "import_annotations", str(write_annotation_file(first, tmp_path / "spans.json")),
        "--user", "demo", "--keep-authors",
    )  # fmt: skip
    manage(first, "export_project", str(tmp_path / "first.zip"))

    result = manage(second, "import_project", str(tmp_path / "first.zip"))
    assert "restored" in result.stdout
    manage(second, "export_project", str(tmp_path / "second.zip"))
    # Refused the second time: the database is no longer empty.
    again = manage(second, "import_project", str(tmp_path / "first.zip"), check=False)
    assert again.returncode == 1
    assert "the database is not empty" in again.stderr

    with zipfile.ZipFile(tmp_path / "first.zip") as a, zipfile.ZipFile(tmp_path / "second.zip") as b:
        manifest = json.loads(a.read("manifest.json"))
        assert {entry["name"]: entry["rows"] for entry in manifest["tables"]}["annotate_annotation"] == 4
        for entry in manifest["tables"]:
            assert a.read(entry["member"]) == b.read(entry["member"]), entry["member"]
    assert database_state(first)["annotate_annotation"] == database_state(second)["annotate_annotation"]


def write_annotation_file(target: Target, path: Path) -> Path:
    (article_id, text), *_ = article_texts(target)
    rows = [
        {"article_id": article_id, "label": label, "start": match.start(), "end": match.end(),
         "quote": match.group(), "reviewer": reviewer}
        for match in list(re.finditer(r"\w{6,}", text))[:2]
        for label, reviewer in (("fact", "ana"), ("opinion", "ben"))
    ]  # fmt: skip
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path
