"""export_project / import_project (annotate/io/backup/): one archive holds
the whole project, and a restore into an empty database gives it back row
for row, or refuses and writes nothing."""

import hashlib
import json
import stat
import zipfile
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import transaction
from django.http import HttpRequest

from annotate.actions import annotations, article_fetches, assignments, feeds
from annotate.actions.consensus import adjudication_close, adjudication_reopen, consensus_accept, consensus_create
from annotate.io.backup import ArchiveError
from annotate.io.backup.export import project_export
from annotate.io.backup.manifest import FORMAT_VERSION, latest_migrations
from annotate.io.backup.restore import database_contents, project_import
from annotate.io.backup.tables import archive_tables
from annotate.models import Adjudication, Annotation, Article, Assignment, FeedEntry, Label, Source
from tests.conftest import (
    EMOJI_TEXT,
    PASSWORD,
    make_annotation,
    make_article,
    make_assignment,
    make_data_migration_rows,
    make_reviewer,
    make_user,
)

# Astral characters (a family emoji joined by ZWJs, a flag), a combining mark
# that NFC leaves as two code points (x + U+0302), and text after them.
COMBINING_TEXT = "Zoë said x\u0302 is 👨\u200d👩\u200d👧 fine.\nČeská 🇨🇿 zpráva, right?"

# The newest migration file of the app: what a freshly migrated database is at.
LATEST_ANNOTATE_MIGRATION = max(
    path.stem for path in (Path(__file__).resolve().parents[2] / "annotate" / "migrations").glob("0*.py")
)


def build_project() -> dict:
    """A small project with a row in every archived table: four sources'
    articles, a URL fetch done and one failed, a followed feed with an
    item imported and one failed, every label (one default edited, one added), reviewers, a lead,
    an admin and an inactive user, both layers with based_on links,
    assignments in each status, an adjudication, a reopened one, history
    from edits and deletions, and an admin log entry."""
    alice, bob = make_reviewer("alice"), make_reviewer("bob")
    lena = make_user("lena", first_name="Lena", last_name="Lindqvist")
    lena.groups.add(Group.objects.get(name="Lead"))
    root = make_user("root", is_staff=True, is_superuser=True)
    quiet = make_user("quiet", first_name="Zoë", last_name="Ünal", is_active=False)
    quiet.user_permissions.add(Permission.objects.get(codename="view_annotation"))
    editors = Group.objects.create(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="view_article"))
    root.groups.add(editors)

    Label.objects.filter(slug="fact").update(colour="#000000", description="Edited after migrate.")
    Label.objects.create(name="Satire", slug="satire", colour="#123abc", shortcut="S", order=9)
    labels = {label.slug: label for label in Label.objects.all()}

    emoji = make_article(EMOJI_TEXT, title="Emoji first", source="Test Source")
    combining = make_article(
        COMBINING_TEXT, title="Combining", source="ČT24", byline="Jana Nováková", url="https://ct24.example/1",
        published="2024-02-29", language="cs",
    )  # fmt: skip
    plain = make_article("Lukashenko met Xi in Beijing. It was, critics said, a disgrace.", source="Reuters")
    make_article("Nobody has read this one yet.", source="Reuters", original_filename="unread.txt")

    make_assignment(plain, quiet, assigned_by=lena)
    make_assignment(combining, bob, assigned_by=lena)
    for article in (emoji, plain):
        for reviewer in (alice, bob):
            make_assignment(article, reviewer, status=Assignment.Status.SUBMITTED, assigned_by=lena)

    alice_fact = make_annotation(emoji, labels["fact"], alice, quote="😀 Minsk", note="line one\nline two")
    make_annotation(emoji, labels["opinion"], alice, quote=" says “yes”")
    bob_fact = make_annotation(emoji, labels["fact"], bob, quote="😀 Minsk")
    make_annotation(emoji, labels["satire"], bob, quote="Beijing")
    make_annotation(
        combining,
        labels["quote"],
        bob,
        quote="x\u0302 is 👨\u200d👩\u200d👧",
        speaker="Zoë",
        evidence_url="https://e.example/",
    )
    assignments.assignment_mark_started(article=combining, reviewer=bob)
    annotations.annotation_update(bob_fact, note="=changed my mind")
    gone = make_annotation(plain, labels["opinion"], alice, quote="a disgrace")
    annotations.annotation_delete(gone)
    accepted = make_annotation(plain, labels["fact"], alice, quote="Lukashenko met Xi")

    consensus_accept(alice_fact, lead=lena, reason="Both saw it.")
    consensus_create(
        article=emoji, label=labels["unsupported_claim"], start=EMOJI_TEXT.index("The end."),
        end=len(EMOJI_TEXT), lead=lena, reason="Missed by both.",
    )  # fmt: skip
    consensus_accept(accepted, lead=lena, reason="Checked.")
    # The accepted span goes; its consensus span keeps a based_on of NULL.
    annotations.annotation_delete(accepted)
    adjudication_close(emoji, lead=lena, note="Settled ✅")
    adjudication_close(plain, lead=lena)
    adjudication_reopen(plain, lead=lena)
    done = article_fetches.article_fetch_create(url="https://reuters.example/plain", requested_by=lena)
    article_fetches.article_fetch_finish(article_fetches.article_fetch_start(done.pk), article=plain, outcome="created")
    failed = article_fetches.article_fetch_create(url="https://gone.example/ü", requested_by=lena)
    article_fetches.article_fetch_fail(failed, reason="https://gone.example/ü: the server answered 410 Gone")
    feed = feeds.feed_follow(url="https://reuters.example/world.rss", added_by=lena, source_name="Reuters")
    feeds.feed_entries_record(feed, [feeds.SeenItem("https://reuters.example/plain", "Plain"),
                                     feeds.SeenItem("https://reuters.example/gone", "Gone ü")])  # fmt: skip
    imported, missing = FeedEntry.objects.filter(feed=feed).order_by("id")
    feeds.feed_entry_imported(imported, article=plain)
    feeds.feed_entry_failed(missing, reason="the server answered 410 Gone", attempts_allowed=3)
    feeds.feed_poll_finish(
        feeds.feed_poll_start(feed.pk), status="ok", outcome="1 new, 0 already known, 1 failed.",
        title="Reuters: World", etag='"abc"', last_modified="Tue, 01 Dec 2026 09:41:01 GMT",
    )  # fmt: skip
    # Outside a request simple-history knows no user; say who, as the
    # middleware would have.
    Annotation.history.filter(history_type="~").update(history_user=bob)
    Adjudication.history.update(history_user=lena)
    LogEntry.objects.create(
        user=root, content_type=ContentType.objects.get_for_model(Article), object_id=str(plain.pk),
        object_repr=plain.title, action_flag=CHANGE, change_message='[{"changed": {"fields": ["Title"]}}]',
    )  # fmt: skip
    return {"alice": alice, "lena": lena, "emoji": emoji, "labels": labels}


def export_and_forget(path: Path, **options) -> dict:
    """Build the project, export it, and roll it all back: the database is
    empty again (as ``migrate`` left it) and the archive holds the backup."""
    with transaction.atomic():
        build_project()
        manifest = project_export(path, **options)
        transaction.set_rollback(True)
    assert database_contents() == []
    return manifest


@pytest.fixture
def archive(db, tmp_path) -> Path:
    path = tmp_path / "backup.zip"
    export_and_forget(path)
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def rows(path: Path, table: str) -> list[dict]:
    return [json.loads(line) for line in members(path)[f"{table}.jsonl"].decode("utf-8").splitlines()]


def rewrite(source: Path, target: Path, *, replace=None, drop=(), manifest=None, fix_checksums=True) -> Path:
    """A copy of an archive with members replaced or dropped and manifest
    keys changed; the manifest's rows and SHA-256 follow the new members
    unless ``fix_checksums`` is off (the damage a tool would not hide)."""
    contents = members(source)
    meta = json.loads(contents.pop("manifest.json"))
    for name, data in (replace or {}).items():
        contents[name] = data
        for entry in meta["tables"]:
            if entry["member"] == name and fix_checksums:
                entry["rows"] = data.count(b"\n")
                entry["sha256"] = hashlib.sha256(data).hexdigest()
    for name in drop:
        del contents[name]
    meta.update(manifest or {})
    with zipfile.ZipFile(target, "w") as written:
        for name, data in contents.items():
            written.writestr(name, data)
        written.writestr("manifest.json", json.dumps(meta))
    return target


def edit_row(source: Path, target: Path, table: str, line: int, **changes) -> Path:
    """The archive with one row (``line`` counted from 1) changed."""
    lines = members(source)[f"{table}.jsonl"].decode("utf-8").splitlines()
    row = json.loads(lines[line - 1])
    for name, value in changes.items():
        if value is ...:
            del row[name]
        else:
            row[name] = value
    lines[line - 1] = json.dumps(row, ensure_ascii=False)
    return rewrite(source, target, replace={f"{table}.jsonl": ("\n".join(lines) + "\n").encode("utf-8")})


# ---- export -------------------------------------------------------------------------


def test_manifest_names_the_format_migrations_and_each_members_rows_and_checksum(archive):
    contents = members(archive)
    manifest = json.loads(contents["manifest.json"])
    assert manifest["format"] == "sourcemark-project"
    assert manifest["format_version"] == FORMAT_VERSION == 1
    assert manifest["sourcemark_version"] == "0.1.0"
    assert manifest["migrations"]["annotate"] == LATEST_ANNOTATE_MIGRATION
    assert set(manifest["migrations"]) == {"admin", "annotate", "auth", "contenttypes"}
    assert manifest["passwords"] is True
    assert [entry["name"] for entry in manifest["tables"]] == [
        "auth_group", "auth_user", "annotate_source", "annotate_label", "annotate_article", "annotate_articleversion",
        "annotate_annotation",
        "annotate_assignment", "annotate_adjudication", "annotate_articlefetch", "annotate_feed", "annotate_feedentry",
        "annotate_historicalannotation",
        "annotate_historicalassignment", "annotate_historicaladjudication", "django_admin_log",
    ]  # fmt: skip
    expected_rows = {
        "auth_group": 3, "auth_user": 5, "annotate_source": 3, "annotate_label": 5, "annotate_article": 4,
        "annotate_articleversion": 0, "annotate_annotation": 8, "annotate_assignment": 6, "annotate_adjudication": 1,
        "annotate_articlefetch": 2, "annotate_feed": 1, "annotate_feedentry": 2,
        "annotate_historicalannotation": 13, "annotate_historicalassignment": 7,
        "annotate_historicaladjudication": 3, "django_admin_log": 1,
    }  # fmt: skip
    assert {entry["name"]: entry["rows"] for entry in manifest["tables"]} == expected_rows
    for entry in manifest["tables"]:
        data = contents[entry["member"]]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert data.count(b"\n") == entry["rows"]
    assert set(contents) == {entry["member"] for entry in manifest["tables"]} | {"manifest.json"}


def test_rows_keep_their_ids_links_and_exact_text(db, tmp_path):
    path = tmp_path / "backup.zip"
    with transaction.atomic():
        made = build_project()
        project_export(path)
        consensus = Annotation.objects.filter(layer="consensus").order_by("pk")
        expected_based_on = [span.based_on_id for span in consensus]
        emoji_id, alice_id = made["emoji"].pk, made["alice"].pk
        reviewer_group = Group.objects.get(name="Reviewer").pk
        transaction.set_rollback(True)

    article = next(row for row in rows(path, "annotate_article") if row["id"] == emoji_id)
    assert article["text"] == EMOJI_TEXT
    # Written as UTF-8, not \u escapes: the member is readable as it stands.
    assert "😀 Minsk".encode() in members(path)["annotate_article.jsonl"]
    spans = rows(path, "annotate_annotation")
    assert [row["id"] for row in spans] == sorted(row["id"] for row in spans)
    consensus_rows = [row for row in spans if row["layer"] == "consensus"]
    assert [row["based_on_id"] for row in consensus_rows] == expected_based_on
    assert expected_based_on[0] is not None and expected_based_on[-1] is None
    assert sorted(row["history_type"] for row in rows(path, "annotate_historicalannotation")) == sorted(
        "+" * 10 + "~" + "-" * 2
    )
    alice = next(row for row in rows(path, "auth_user") if row["username"] == "alice")
    assert alice["id"] == alice_id and alice["groups"] == [reviewer_group]
    quiet = next(row for row in rows(path, "auth_user") if row["username"] == "quiet")
    assert (quiet["is_active"], quiet["first_name"], quiet["user_permissions"]) == (
        False,
        "Zoë",
        [["annotate", "view_annotation"]],
    )
    lead = next(row for row in rows(path, "auth_group") if row["name"] == "Lead")
    assert ["annotate", "add_assignment"] in lead["permissions"]
    (entry,) = rows(path, "django_admin_log")
    assert entry["content_type"] == ["annotate", "article"]
    assert all(row["created_at"].endswith("Z") for row in spans)


def test_password_hashes_are_exported_by_default_and_the_archive_is_private(db, tmp_path):
    path = tmp_path / "backup.zip"
    export_and_forget(path)
    assert all(row["password"].startswith("md5$") for row in rows(path, "auth_user"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_without_passwords_the_hashes_are_left_out_and_the_manifest_says_so(db, tmp_path):
    path = tmp_path / "shareable.zip"
    manifest = export_and_forget(path, with_passwords=False)
    assert manifest["passwords"] is False
    assert [row["password"] for row in rows(path, "auth_user")] == [None] * 5
    assert b"md5$" not in b"".join(members(path).values())


def test_a_failed_export_leaves_no_file_behind(db, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("annotate.io.backup.export._export_rows", broken)
    with pytest.raises(RuntimeError):
        project_export(tmp_path / "backup.zip")
    assert list(tmp_path.iterdir()) == []


# ---- import ---------------------------------------------------------------------


def recreate_what_migrate_makes():
    """A flush removes the rows the data migrations made; a fresh
    ``migrate`` would have them, so make them the way the migrations do."""
    make_data_migration_rows()


@pytest.mark.django_db(transaction=True)
def test_export_flush_import_export_gives_the_same_tables_row_for_row(tmp_path, client):
    recreate_what_migrate_makes()
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    build_project()
    project_export(first)
    highest = {model: model._base_manager.order_by("-pk").values_list("pk", flat=True)[0] for model in (
        Annotation, Annotation.history.model, get_user_model(), Assignment, Article,
    )}  # fmt: skip

    # An empty database as `migrate` leaves it, with every id sequence back at 1.
    call_command("flush", interactive=False, verbosity=0)
    recreate_what_migrate_makes()
    counts = project_import(first)
    project_export(second)

    assert counts["annotate_annotation"] == 8
    assert archive_tables()  # every table is compared below
    for table in archive_tables():
        assert rows(second, table.name) == rows(first, table.name), table.name
        assert members(second)[table.member] == members(first)[table.member]
    first_manifest, second_manifest = (json.loads(members(p)["manifest.json"]) for p in (first, second))
    assert first_manifest.pop("created_at") != second_manifest.pop("created_at")
    assert first_manifest == second_manifest
    # The archive's labels replaced the defaults the migration made.
    assert Label.objects.get(slug="fact").colour == "#000000"

    # New rows after the restore take fresh ids (the sequences were reset).
    lena = get_user_model().objects.get(username="lena")
    article = Article.objects.get(title="Nobody has read this one yet.")
    span = make_annotation(article, Label.objects.get(slug="fact"), lena, quote="Nobody")
    assert span.pk > highest[Annotation]
    assert span.history.get().pk > highest[Annotation.history.model]
    assert make_user("newcomer").pk > highest[get_user_model()]
    assert make_assignment(article, lena).pk > highest[Assignment]
    assert make_article("A new story.").pk > highest[Article]
    # The restored users sign in with their old passwords.
    assert sign_in(client, username="alice", password=PASSWORD)


def sign_in(client, **credentials) -> bool:
    """client.login through the real backends; django-axes wants the
    request it throttles."""
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    return client.login(request=request, **credentials)


@pytest.mark.django_db(transaction=True)
def test_users_restored_without_passwords_cannot_sign_in_until_given_one(tmp_path, client):
    recreate_what_migrate_makes()
    path = tmp_path / "shareable.zip"
    build_project()
    project_export(path, with_passwords=False)
    call_command("flush", interactive=False, verbosity=0)
    recreate_what_migrate_makes()
    call_command("import_project", str(path), verbosity=0)
    alice = get_user_model().objects.get(username="alice")
    assert not alice.has_usable_password()
    assert not sign_in(client, username="alice", password=PASSWORD)
    alice.set_password("a new one, please")
    alice.save()
    assert sign_in(client, username="alice", password="a new one, please")


def test_the_import_command_restores_and_says_how_much(archive, capsys):
    call_command("import_project", str(archive))
    assert capsys.readouterr().out == f"{archive}: restored 64 rows in 16 tables.\n"
    assert Article.objects.count() == 4 and Annotation.history.count() == 13
    assert Source.objects.filter(name="ČT24").exists()


def test_the_export_command_writes_the_archive_and_says_what_it_holds(db, tmp_path, capsys):
    build_project()
    path = tmp_path / "out.zip"
    call_command("export_project", str(path), "--without-passwords")
    assert capsys.readouterr().out == f"{path}: 64 rows in 16 tables, without passwords.\n"
    assert json.loads(members(path)["manifest.json"])["passwords"] is False


# ---- refusals: nothing is written ------------------------------------------------


def snapshot() -> dict:
    """Every archived table's rows, to show a refused import changed nothing."""
    return {table.name: list(table.model._base_manager.order_by("pk").values()) for table in archive_tables()}


def test_a_database_that_is_not_empty_is_refused(archive):
    make_user("someone")
    make_article("Already here.")
    before = snapshot()
    with pytest.raises(ArchiveError, match=r"the database is not empty: it holds 1 users; 1 sources; 1 art"):
        project_import(archive)
    assert snapshot() == before


def test_changed_default_labels_or_roles_count_as_not_empty(archive):
    Label.objects.filter(slug="quote").update(colour="#ffffff")
    Group.objects.get(name="Lead").permissions.clear()
    with pytest.raises(ArchiveError) as raised:
        project_import(archive)
    assert "labels other than the defaults (quote)" in str(raised.value)
    assert "groups other than the default roles (Lead)" in str(raised.value)
    assert not Article.objects.exists()


def test_a_database_with_no_default_labels_or_roles_is_empty_enough(archive):
    Label.objects.all().delete()
    Group.objects.all().delete()
    project_import(archive)
    assert Label.objects.count() == 5


def _write(target: Path, data: bytes) -> Path:
    target.write_bytes(data)
    return target


def _zip(target: Path, contents: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(target, "w") as written:
        for name, data in contents.items():
            written.writestr(name, data)
    return target


def _member(source: Path, table: str) -> bytes:
    return members(source)[f"{table}.jsonl"]


DAMAGE = {
    "not a zip": (lambda src, dst: _write(dst, b"id,name\n1,x\n"), "is not a readable zip archive"),
    "truncated file": (
        lambda src, dst: _write(dst, src.read_bytes()[: src.stat().st_size // 2]),
        "is not a readable zip archive",
    ),
    "foreign zip": (
        lambda src, dst: _zip(dst, {"readme.txt": b"Holiday photos"}),
        "not a Sourcemark project archive: it has no manifest.json",
    ),
    "other format name": (
        lambda src, dst: rewrite(src, dst, manifest={"format": "something-else"}),
        "gives format 'something-else', not 'sourcemark-project'",
    ),
    "manifest not JSON": (
        lambda src, dst: _zip(dst, {**members(src), "manifest.json": b"{"}),
        "manifest.json is not valid JSON",
    ),
    "newer format version": (
        lambda src, dst: rewrite(src, dst, manifest={"format_version": 2, "sourcemark_version": "9.0"}),
        "format version 2, written by a newer Sourcemark (9.0); this one reads up to version 1",
    ),
    "unknown migration": (
        lambda src, dst: rewrite(src, dst, manifest={"migrations": {**latest_migrations(), "annotate": "0099_future"}}),
        "written at migration annotate.0099_future, which this Sourcemark does not have",
    ),
    "older migration": (
        lambda src, dst: rewrite(
            src,
            dst,
            manifest={"migrations": {**latest_migrations(), "annotate": "0006_consensus_and_adjudication"}},
        ),
        f"written at annotate.0006_consensus_and_adjudication, older than this database's "
        f"annotate.{LATEST_ANNOTATE_MIGRATION}",
    ),
    "missing member": (
        lambda src, dst: rewrite(src, dst, drop=["annotate_annotation.jsonl"]),
        "member annotate_annotation.jsonl is missing",
    ),
    "unexpected member": (
        lambda src, dst: rewrite(src, dst, replace={"extra.jsonl": b"{}\n"}),
        "holds member(s) a Sourcemark archive does not: extra.jsonl",
    ),
    "table missing from the manifest": (
        lambda src, dst: rewrite(
            src, dst, manifest={"tables": json.loads(members(src)["manifest.json"])["tables"][:-1]}
        ),
        "does not list the table(s) django_admin_log",
    ),
    "checksum mismatch": (
        lambda src, dst: rewrite(
            src,
            dst,
            replace={"annotate_article.jsonl": _member(src, "annotate_article").replace(b"Minsk", b"Pinsk")},
            fix_checksums=False,
        ),
        "member annotate_article.jsonl does not match its SHA-256 in manifest.json",
    ),
    "member cut in the middle of a row": (
        lambda src, dst: rewrite(
            src,
            dst,
            replace={"annotate_annotation.jsonl": _member(src, "annotate_annotation")[:-40]},
            fix_checksums=False,
        ),
        "member annotate_annotation.jsonl ends in the middle of a row (line 8)",
    ),
    "member missing its last rows": (
        lambda src, dst: rewrite(
            src,
            dst,
            replace={"annotate_annotation.jsonl": b"".join(_member(src, "annotate_annotation").splitlines(True)[:5])},
            fix_checksums=False,
        ),
        "member annotate_annotation.jsonl holds 5 row(s) where manifest.json says 8",
    ),
    "invalid JSON line": (
        lambda src, dst: rewrite(
            src,
            dst,
            replace={
                "annotate_label.jsonl": _member(src, "annotate_label").replace(b'"slug":"quote"', b'"slug":quote')
            },
        ),
        "annotate_label.jsonl, line 2: not valid JSON (column 31: Expecting value)",
    ),
    "manifest nested too deeply": (
        lambda src, dst: _zip(dst, {**members(src), "manifest.json": b"[" * 100_000}),
        "manifest.json is JSON nested too deeply (more than 64 levels)",
    ),
    "a line nested too deeply": (
        lambda src, dst: rewrite(src, dst, replace={"annotate_source.jsonl": b"[" * 100_000 + b"\n"}),
        "annotate_source.jsonl, line 1: JSON nested too deeply (more than 64 levels)",
    ),
    "a line with a number too long to read": (
        lambda src, dst: rewrite(src, dst, replace={"annotate_source.jsonl": b'{"id": ' + b"9" * 5_000 + b"}\n"}),
        "annotate_source.jsonl, line 1: JSON with a number too long to read (more than 4,300 digits)",
    ),
    "a line that is not an object": (
        lambda src, dst: rewrite(src, dst, replace={"annotate_source.jsonl": b"[1, 2]\n"}),
        "annotate_source.jsonl, line 1: not a JSON object",
    ),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_or_foreign_archive_is_refused_by_name_and_nothing_is_written(archive, tmp_path, damage):
    make, message = DAMAGE[damage]
    damaged = make(archive, tmp_path / "damaged.zip")
    before = snapshot()
    with pytest.raises(CommandError) as raised:
        call_command("import_project", str(damaged))
    assert message in str(raised.value)
    assert str(raised.value).endswith("; nothing was imported.")
    assert snapshot() == before


BAD_ROWS = {
    "quote not at its offsets": (
        ("annotate_annotation", 1, {"quote": "😀 Pinsk"}),
        "annotate_annotation.jsonl, line 1: quote: quote '😀 Pinsk' does not match the text at [0, 7)",
    ),
    "span past the end of the text": (
        ("annotate_annotation", 1, {"start": 1000, "end": 1007}),
        "annotate_annotation.jsonl, line 1: end: end 1007 is past the end of the text",
    ),
    "offset of the wrong kind": (
        ("annotate_annotation", 1, {"start": "0"}),
        "annotate_annotation.jsonl, line 1: start must be a whole number, got '0'",
    ),
    "span on an article not in the archive": (
        ("annotate_annotation", 1, {"article_id": 999_999}),
        "annotate_annotation.jsonl, line 1: article 999999 is not in the archive's annotate_article table",
    ),
    "reviewer not in the archive": (
        ("annotate_annotation", 1, {"reviewer_id": 999_999}),
        "annotate_annotation.jsonl: row",
    ),
    "unknown layer": (
        ("annotate_annotation", 1, {"layer": "draft"}),
        "annotate_annotation.jsonl, line 1: layer: Value 'draft' is not a valid choice.",
    ),
    "article text that is not normalised": (
        ("annotate_article", 1, {"text": "Line one\r\nline two"}),
        "annotate_article.jsonl, line 1: text: Text must be normalised",
    ),
    "article fingerprint that does not match": (
        ("annotate_article", 1, {"sha256": "0" * 64}),
        "annotate_article.jsonl, line 1: sha256 does not match the article's text",
    ),
    "null where the column allows none": (
        ("annotate_source", 1, {"name": None}),
        "annotate_source.jsonl, line 1: name must not be null",
    ),
    "missing field": (("annotate_source", 1, {"notes": ...}), "annotate_source.jsonl, line 1: missing field(s) notes"),
    "bad colour": (("annotate_label", 1, {"colour": "red"}), "annotate_label.jsonl, line 1: colour: Use a colour"),
    "time without a zone": (
        ("annotate_assignment", 1, {"assigned_at": "2024-01-01T10:00:00"}),
        "annotate_assignment.jsonl, line 1: assigned_at: '2024-01-01T10:00:00' has no time zone",
    ),
    "unknown permission": (
        ("auth_group", 1, {"permissions": [["annotate", "fly_article"]]}),
        "auth_group.jsonl, line 1: permission annotate.fly_article does not exist here",
    ),
    "user in a group not in the archive": (
        ("auth_user", 1, {"groups": [999]}),
        "auth_user.jsonl, line 1: groups [999] are not in the archive's auth_group table",
    ),
    "duplicate username": (("auth_user", 2, {"username": "alice"}), "auth_user.jsonl, lines 1-5: the database refused"),
    "history naming a user not in the archive": (
        ("annotate_historicaladjudication", 1, {"history_user_id": 999_999}),
        "annotate_historicaladjudication.jsonl: row",
    ),
    # The last table: every table before it was written inside the
    # transaction, and all of it is rolled back.
    "bad row in the last table": (
        ("django_admin_log", 1, {"action_time": "yesterday"}),
        "django_admin_log.jsonl, line 1: action_time: 'yesterday' is not a valid time",
    ),
    "unknown content type": (
        ("django_admin_log", 1, {"content_type": ["annotate", "spaceship"]}),
        "django_admin_log.jsonl, line 1: content type annotate.spaceship does not exist here",
    ),
    "unknown field": (
        ("annotate_source", 1, {"colour": "#fff"}),
        "annotate_source.jsonl, line 1: unknown field(s) colour",
    ),
}


@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_a_row_the_models_refuse_names_its_line_and_nothing_is_written(archive, tmp_path, case):
    (table, line, changes), message = BAD_ROWS[case]
    damaged = edit_row(archive, tmp_path / "bad.zip", table, line, **changes)
    before = snapshot()
    with pytest.raises(ArchiveError) as raised:
        project_import(damaged)
    assert message in str(raised.value)
    assert snapshot() == before
    assert database_contents() == []


def test_a_missing_archive_is_named(db, tmp_path):
    with pytest.raises(CommandError, match="nowhere.zip: no such file"):
        call_command("import_project", str(tmp_path / "nowhere.zip"))


def test_a_user_made_without_a_password_is_restored_as_such(db, tmp_path):
    # create() rather than create_user() leaves the password "", which the
    # model's own validation would call blank: the restore keeps it.
    path = tmp_path / "backup.zip"
    with transaction.atomic():
        get_user_model().objects.create(username="nopass")
        project_export(path)
        transaction.set_rollback(True)
    project_import(path)
    assert get_user_model().objects.get(username="nopass").password == ""


def test_a_password_longer_than_a_hash_is_refused(archive, tmp_path):
    damaged = edit_row(archive, tmp_path / "bad.zip", "auth_user", 1, password="x" * 129)
    with pytest.raises(ArchiveError, match=r"auth_user.jsonl, line 1: password: longer than a password hash"):
        project_import(damaged)
    assert database_contents() == []


def test_earlier_versions_and_orphans_come_back_and_are_checked(db, tmp_path):
    """An orphan's offsets count in an earlier text: the archive keeps that
    text, and a restore checks the orphan against it, not the current one."""
    from annotate.io import articles_in
    from annotate.models import ArticleVersion

    path, broken = tmp_path / "backup.zip", tmp_path / "broken.zip"
    url = "https://example.org/story"
    with transaction.atomic():
        alice = make_reviewer("alice")
        record = articles_in.ArticleRecord(text="One. Two sentences here. Three.", url=url, source="Example")
        article, _ = articles_in.article_import(record)
        make_annotation(article, Label.objects.get(slug="fact"), alice, quote="Two sentences here.")
        articles_in.article_import(articles_in.ArticleRecord(text="One. Three.", url=url, source="Example"))
        project_export(path)
        transaction.set_rollback(True)
    with transaction.atomic():
        counts = project_import(path)
        assert (counts["annotate_articleversion"], counts["annotate_annotation"]) == (1, 1)
        orphan = Annotation.all_spans.get()
        assert (orphan.anchor_state, orphan.article_version, orphan.quote) == ("orphaned", 1, "Two sentences here.")
        assert ArticleVersion.objects.get().text[orphan.start : orphan.end] == orphan.quote
        transaction.set_rollback(True)

    # The same orphan claiming to count in a version the archive lacks is refused.
    edit_row(path, broken, "annotate_annotation", 1, article_version=7)
    with pytest.raises(ArchiveError, match="version 7 of article"):
        project_import(broken)
