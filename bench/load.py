"""Many reviewers at once: the workspace's JSON endpoints under gunicorn,
driven over HTTP by simulated reviewers, then the database checked against
what every reviewer was told.

Several runs, each on a fresh database: PostgreSQL with 20 reviewers who
pause between actions (a mean drawn at random per action, as for people
acting independently) of 500, 250 and 150 ms, then the same 20 back to back
(no pause), then SQLite with 5 reviewers back to back. A person reading an
article marks a span every few seconds at most; a 250 ms mean pause is each
reviewer saving four times a second, 80 actions a second between the 20,
and 150 ms is most of what this server takes. Back to back is no reviewer
at all but a closed loop of 20 clients: it measures the server's capacity
(saves per second) and what queueing at saturation does to latency. Each
run:
  * the five seed articles, each assigned to every reviewer; a user each;
  * the app under gunicorn on loopback (DEBUG off, several workers);
  * each reviewer signs in through /accounts/login/ (its own session and
    CSRF token) and then, on its own thread and keep-alive connection,
    makes 200 spans, changes 20 and deletes 10, interleaved, as the page
    does: client ids on creates, versions on changes and deletes. Every
    10th create loses its answer (the connection drops before the answer is
    read) and is sent again with the same client id, racing the first.
    Five changes per reviewer are resent from the replaced version, as from
    a second tab, and must be refused (409 with the current span);
  * afterwards every span in the database is compared with what its
    reviewer was last told: lost (told saved, missing), duplicated (never
    told of, a second row, or told deleted and still there), differ
    (present, other content or version);
  * server errors are counted from the answers and gunicorn's access log,
    "database is locked" in the server's log.

Baseline, in the same run and under the same server: GET /healthz (one
database query) from the same reviewers at the same pace. Bars: no 5xx,
nothing lost, duplicated or different, no "database is locked" in any run;
p95 save latency under 100 ms for 20 reviewers on PostgreSQL pausing a mean
of 250 ms or more (the runs marked "bar"). The faster runs show where the
latency goes as the load nears and passes capacity; they carry the
correctness bars only.

    .venv/bin/python bench/load.py --postgres postgres://user:pw@127.0.0.1:5432/sourcemark_bench
    (or LOAD_POSTGRES_URL=...; without either, only SQLite runs)

The bench empties the databases it is given: a PostgreSQL one's name must
contain "bench". Server logs are kept in bench/load-logs/.
"""

import argparse
import http.client
import importlib
import json
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from _setup import ROOT, print_table

sys.path.insert(0, str(ROOT))
from config.gunicorn import default_workers  # noqa: E402

PASSWORD = "load-bench-password-4821"
LOSE_EVERY = 10  # every 10th create loses its answer and is sent again
BASELINE_REQUESTS = 50
SAVE_P95_BAR_MS = 100.0
# The latency bar holds for reviewers pausing at least this long on average
# (four actions a second each); faster runs are capacity measurements.
BAR_MIN_PACE_MS = 250.0
LOG_DIR = ROOT / "bench" / "load-logs"


@dataclass(frozen=True)
class Workload:
    """What each reviewer does: ``creates`` spans, with a change after every
    10th (``stale`` of them then resent from the old version) and a deletion
    after every 20th; ``pace_ms`` is the mean pause before each action (0:
    back to back), drawn from an exponential distribution as for people
    acting independently."""

    creates: int = 200
    pace_ms: float = 0.0

    @property
    def changes(self) -> int:
        return self.creates // 10

    @property
    def deletes(self) -> int:
        return self.creates // 20

    @property
    def stale(self) -> int:
        return self.changes // 4


# ---- the reviewers' side (plain HTTP, no Django) ---------------------------------


class Reviewer:
    """One simulated reviewer: a keep-alive connection, a session cookie and
    a CSRF token, sending what workspace.js sends."""

    def __init__(self, port: int, username: str):
        self.port, self.username = port, username
        self.conn = self._connect()
        self.cookies: dict[str, str] = {}
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()
        self.unexpected: list[str] = []

    def _connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method, path, body=None, headers=None, *, kind=None):
        headers = {"Host": "127.0.0.1", **(headers or {})}
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                # The server closed an idle keep-alive connection: reconnect.
                self.conn.close()
                self.conn = self._connect()
                if attempt:
                    raise
        elapsed = (time.perf_counter() - started) * 1000
        if kind:
            self.latencies[kind].append(elapsed)
        self.statuses[response.status] += 1
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = self._connect()
        return response.status, data

    def sign_in(self):
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode({"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{self.port}/"}
        status, _ = self.request("POST", "/accounts/login/", form, headers)
        if status != 302:
            raise RuntimeError(f"{self.username}: sign-in answered {status}")

    def json(self, method, path, payload=None, *, kind):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        headers["X-CSRFToken"] = self.cookies["csrftoken"]
        body = None if payload is None else json.dumps(payload)
        status, data = self.request(method, path, body, headers, kind=kind)
        return status, (json.loads(data) if data else None)

    def send_and_lose_answer(self, path, payload):
        """Send a create and drop the connection before reading the answer:
        the server may or may not have made the span by the time the retry
        arrives, as when a phone leaves Wi-Fi mid-request."""
        lost = self._connect()
        headers = {
            "Host": "127.0.0.1", "Content-Type": "application/json", "X-CSRFToken": self.cookies["csrftoken"],
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }  # fmt: skip
        lost.request("POST", path, body=json.dumps(payload), headers=headers)
        lost.close()


def utf16(text: str, index: int) -> int:
    """The browser's offset for code point ``index`` (independent of annotate.rules.offsets)."""
    return len(text[:index].encode("utf-16-le")) // 2


def plan_spans(articles: list[dict], rng: random.Random, count: int) -> list[dict]:
    """``count`` distinct (article, label, start, end) spans as create bodies."""
    labels = ["fact", "quote", "opinion", "unsupported_claim"]
    seen, bodies = set(), []
    while len(bodies) < count:
        article = rng.choice(articles)
        text = article["text"]
        start = rng.randrange(0, len(text) - 40)
        end = start + rng.randrange(5, 40)
        quote = text[start:end]
        # One span per position, so a change of label never repeats another.
        if not quote.strip() or quote != quote.strip() or (article["id"], start, end) in seen:
            continue
        seen.add((article["id"], start, end))
        bodies.append(
            {"article": article["id"], "label": rng.choice(labels), "start16": utf16(text, start),
             "end16": utf16(text, end), "quote": quote, "start": start, "end": end}
        )  # fmt: skip
    return bodies


def pause(rng: random.Random, workload: Workload) -> None:
    if workload.pace_ms:
        time.sleep(rng.expovariate(1000 / workload.pace_ms))


def review(
    reviewer: Reviewer, start_line: threading.Barrier, workload: Workload, articles: list[dict], seed: int, told: dict
):
    """One reviewer's session: creates, changes (and stale ones), deletes.
    ``told`` collects, by client id, the span as the server last described it
    (None once deleted)."""
    rng = random.Random(seed)
    spans = plan_spans(articles, rng, workload.creates)
    made: list[str] = []  # client ids of live spans, in order made
    stale_due = set(rng.sample(range(workload.changes), workload.stale))
    changes = deletes = 0
    start_line.wait()
    for number, plan in enumerate(spans, start=1):
        pause(rng, workload)
        client_id = str(uuid.uuid4())
        body = {k: plan[k] for k in ("label", "start16", "end16", "quote")} | {"client_id": client_id}
        path = f"/articles/{plan['article']}/annotations/"
        if number % LOSE_EVERY == 0:
            reviewer.send_and_lose_answer(path, body)
            status, payload = reviewer.json("POST", path, body, kind="create (retry)")
        else:
            status, payload = reviewer.json("POST", path, body, kind="create")
        if status != 201 or payload.get("client_id") != client_id:
            reviewer.unexpected.append(f"create {status} {payload}")
            continue
        told[client_id] = payload
        made.append(client_id)
        # Interleaved: a change after every 10th create, a deletion after every 20th.
        if number % 10 == 0 and changes < workload.changes:
            pause(rng, workload)
            target = told[rng.choice(made)]
            note = f"checked {changes} by {reviewer.username}"
            change = {"note": note, "label": rng.choice(["fact", "opinion"]), "version": target["version"]}
            status, payload = reviewer.json("PATCH", f"/annotations/{target['id']}/", change, kind="change")
            if status == 200 and payload["version"] == target["version"] + 1 and payload["note"] == note:
                told[target["client_id"]] = payload
                if changes in stale_due:
                    # The same change again from the version just replaced: a second tab.
                    stale = {"note": "from a stale tab", "version": target["version"]}
                    status, payload = reviewer.json("PATCH", f"/annotations/{target['id']}/", stale, kind="stale")
                    current = told[target["client_id"]]
                    if status != 409 or payload["error"]["current"] != current:
                        reviewer.unexpected.append(f"stale change {status} {payload}")
            else:
                reviewer.unexpected.append(f"change {status} {payload}")
            changes += 1
        if number % 20 == 0 and deletes < workload.deletes:
            pause(rng, workload)
            client_id = made.pop(rng.randrange(len(made)))
            target = told[client_id]
            path = f"/annotations/{target['id']}/?version={target['version']}"
            status, payload = reviewer.json("DELETE", path, kind="delete")
            if status == 200:
                told[client_id] = None
            else:
                reviewer.unexpected.append(f"delete {status} {payload}")
            deletes += 1


def healthz_rounds(reviewer: Reviewer, start_line: threading.Barrier, workload: Workload, seed: int):
    rng = random.Random(seed)
    start_line.wait()
    for _ in range(BASELINE_REQUESTS):
        pause(rng, workload)
        status, _ = reviewer.request("GET", "/healthz", kind="healthz")
        if status != 200:
            reviewer.unexpected.append(f"healthz {status}")


def run_threads(target, reviewers, *per_reviewer) -> None:
    """Run ``target(reviewer, start_line, *its arguments)`` for every reviewer
    on a thread of its own; they start together at ``start_line``."""
    start_line = threading.Barrier(len(reviewers))
    errors = []

    def run(reviewer, arguments):
        try:
            target(reviewer, start_line, *arguments)
        except Exception as error:  # noqa: BLE001 - reported after the run
            errors.append(f"{reviewer.username}: {error!r}")
            start_line.abort()

    threads = [
        threading.Thread(target=run, args=(r, [values[i] for values in per_reviewer])) for i, r in enumerate(reviewers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError("; ".join(errors))


# ---- one database: set up, serve, load, check (a process of its own) ------------


def phase(database_url: str, reviewers_count: int, workload: Workload, port: int, workers: int, threads: int) -> dict:
    os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.apps import apps
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection

    from annotate import permissions
    from annotate.io import articles_in
    from annotate.models import Annotation, Article, Assignment

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    # flush empties the tables the data migrations filled: make them again.
    importlib.import_module("annotate.migrations.0002_default_labels").create_default_labels(apps, None)
    importlib.import_module("annotate.migrations.0005_roles").create_roles(apps, None)
    report = articles_in.import_paths([ROOT / "seeds"], manifest=ROOT / "seeds" / "manifest.csv")
    assert not report.failed, report.failed
    articles = [{"id": a.pk, "text": a.text} for a in Article.objects.order_by("pk")]
    hashed = make_password(PASSWORD)  # one hash for all: the bench signs in, it does not time hashing
    group = Group.objects.get(name=permissions.REVIEWER_GROUP)
    users = User.objects.bulk_create(
        [User(username=f"load-reviewer-{n:02d}", password=hashed) for n in range(reviewers_count)]
    )
    group.user_set.add(*users)
    Assignment.objects.bulk_create([Assignment(article_id=a["id"], reviewer=u) for a in articles for u in users])
    connection.close()

    LOG_DIR.mkdir(exist_ok=True)
    vendor = connection.vendor
    access_log, error_log = LOG_DIR / f"{vendor}-access.log", LOG_DIR / f"{vendor}-server.log"
    for log in (access_log, error_log):
        log.unlink(missing_ok=True)
    env = {
        **os.environ, "DATABASE_URL": database_url, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
    }  # fmt: skip
    # DEBUG off serves static files by their hashed names (whitenoise), which
    # collectstatic writes; the sign-in page needs them.
    env["STATIC_ROOT"] = str(LOG_DIR / "static")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        # make serve's configuration (config/gunicorn.py); the command line
        # overrides only the address, the worker counts and the logs.
        [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--access-logfile", str(access_log), "--access-logformat", "%(m)s %(U)s %(s)s %(M)s",
         "--error-logfile", str(error_log), "--capture-output", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(port, server)
        reviewers = [Reviewer(port, u.username) for u in users]
        for reviewer in reviewers:
            reviewer.sign_in()
        every = [workload] * len(reviewers)
        seeds = list(range(len(reviewers)))
        run_threads(healthz_rounds, reviewers, every, seeds)
        told_by_reviewer = [{} for _ in reviewers]
        started = time.perf_counter()
        run_threads(review, reviewers, every, [articles] * len(reviewers), seeds, told_by_reviewer)
        elapsed = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    latencies = defaultdict(list)
    statuses, unexpected = Counter(), []
    for reviewer in reviewers:
        for kind, values in reviewer.latencies.items():
            latencies[kind].extend(values)
        statuses.update(reviewer.statuses)
        unexpected.extend(reviewer.unexpected)
    told = {cid: payload for told in told_by_reviewer for cid, payload in told.items()}
    check = compare(told, list(Annotation.objects.filter(reviewer__in=users).values()))
    access = access_log.read_text().splitlines()
    server_log = error_log.read_text()
    saves = sum(len(latencies[k]) for k in ("create", "create (retry)", "change", "delete"))
    return {
        "database": "PostgreSQL" if vendor == "postgresql" else "SQLite",
        "reviewers": reviewers_count,
        "workload": asdict(workload),
        "workers": f"{workers}x{threads}",
        "saves": saves,
        "seconds": elapsed,
        "latencies": dict(latencies),
        "client_5xx": sum(n for status, n in statuses.items() if status >= 500),
        "log_5xx": sum(1 for line in access if line.split()[2:3] and line.split()[2].startswith("5")),
        "locked": server_log.count("database is locked"),
        "unexpected": unexpected,
        **check,
    }


def compare(told: dict, rows: list[dict]) -> dict:
    """The database against what the reviewers were told, by client id."""
    by_client = defaultdict(list)
    for row in rows:
        by_client[str(row["client_id"])].append(row)
    lost = duplicated = differ = 0
    for client_id, payload in told.items():
        found = by_client.get(client_id, [])
        duplicated += max(0, len(found) - 1)
        if payload is None:
            duplicated += 1 if found else 0  # told deleted, still there
        elif not found:
            lost += 1
        else:
            row = found[0]
            stored = (row["id"], row["start"], row["end"], row["quote"], row["note"], row["version"])
            said = (
                payload["id"],
                payload["start"],
                payload["end"],
                payload["quote"],
                payload["note"],
                payload["version"],
            )
            differ += stored != said
    duplicated += sum(len(found) for client_id, found in by_client.items() if client_id not in told)
    return {"lost": lost, "duplicated": duplicated, "differ": differ, "told": len(told), "rows": len(rows)}


def wait_for(port: int, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {LOG_DIR}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer /healthz within 30 s")


# ---- the driver: one process per database, one table ------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run_phase(url: str, reviewers: int, workload: Workload, port: int, workers: int, threads: int) -> dict:
    command = [sys.executable, __file__, "--phase", url, "--reviewers", str(reviewers), "--creates",
               str(workload.creates), "--pace-ms", str(workload.pace_ms), "--port", str(port),
               "--workers", str(workers), "--threads", str(threads)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        sys.exit(f"the {url.split(':')[0]} run failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def row_for(result: dict, *, latency_bar: bool) -> list:
    lat = result["latencies"]
    saves = lat["create"] + lat["create (retry)"] + lat["change"] + lat["delete"]
    save_p95 = percentile(saves, 0.95)
    base_p95 = percentile(lat["healthz"], 0.95)
    errors = max(result["client_5xx"], result["log_5xx"])
    bad = result["lost"] + result["duplicated"] + result["differ"] + errors + result["locked"]
    passed = not bad and not result["unexpected"] and (not latency_bar or save_p95 < SAVE_P95_BAR_MS)
    pace = result["workload"]["pace_ms"]

    def pair(kind):
        return f"{statistics.median(lat[kind]):.0f} / {percentile(lat[kind], 0.95):.0f}"

    return [
        result["database"], result["reviewers"], f"{pace:.0f} ms" if pace else "none", result["workers"],
        f"{result['saves']:,}", f"{result['saves'] / result['seconds']:.0f}", pair("create"),
        pair("create (retry)"), pair("change"), pair("delete"), f"{save_p95:.0f}", pair("healthz"),
        f"{save_p95 / base_p95:.1f}x", errors, result["lost"], result["duplicated"], result["differ"],
        result["locked"], ("PASS" if passed else "FAIL") + (" (latency bar)" if latency_bar else " (no latency bar)"),
    ]  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("LOAD_POSTGRES_URL", ""))
    parser.add_argument("--postgres-reviewers", type=int, default=20)
    parser.add_argument("--sqlite-reviewers", type=int, default=5)
    parser.add_argument("--creates", type=int, default=200, help="spans each reviewer makes")
    parser.add_argument(
        "--paces", default="500,250,150", help="mean pauses (ms) of the paced PostgreSQL runs, comma-separated"
    )
    parser.add_argument("--pace-ms", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--workers", type=int, default=default_workers(os.cpu_count() or 1), help="default: as make serve starts"
    )
    parser.add_argument("--threads", type=int, default=1, help="per worker; above 1, gunicorn's threaded worker")
    parser.add_argument("--port", type=int, default=8201, help="first of the loopback ports to serve on, one per run")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--reviewers", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        workload = Workload(creates=args.creates, pace_ms=args.pace_ms)
        print(json.dumps(phase(args.phase, args.reviewers, workload, args.port, args.workers, args.threads)))
        return

    paces = [float(value) for value in args.paces.split(",") if value.strip()]
    back_to_back = Workload(args.creates, 0.0)
    runs = []  # (url, reviewers, workload, whether the latency bar applies)
    if args.postgres:
        name = urllib.parse.urlparse(args.postgres).path.lstrip("/")
        if "bench" not in name:
            sys.exit(f"refusing to empty database {name!r}: bench/load.py needs a database named for it (…bench…)")
        for pace in paces:
            runs += [(args.postgres, args.postgres_reviewers, Workload(args.creates, pace), pace >= BAR_MIN_PACE_MS)]
        runs += [(args.postgres, args.postgres_reviewers, back_to_back, False)]
    else:
        print("PostgreSQL: skipped (pass --postgres URL or set LOAD_POSTGRES_URL)")
    sqlite_path = ROOT / "bench" / "load.sqlite3"
    runs.append((f"sqlite:///{sqlite_path}", args.sqlite_reviewers, back_to_back, False))

    rows, failed, notes = [], False, []
    for offset, (url, reviewers, workload, latency_bar) in enumerate(runs):
        if url.startswith("sqlite"):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        result = run_phase(url, reviewers, workload, args.port + offset, args.workers, args.threads)
        row = row_for(result, latency_bar=latency_bar)
        failed |= not row[-1].startswith("PASS")
        rows.append(row)
        notes.extend(f"{result['database']}: {line}" for line in result["unexpected"][:5])
    print_table(
        f"Many reviewers at once: per reviewer {back_to_back.creates} creates (every {LOSE_EVERY}th resent after a "
        f"lost answer), {back_to_back.changes} changes (+{back_to_back.stale} from a stale version, refused) and "
        f"{back_to_back.deletes} deletes; pause: mean time a reviewer waits before each action (none: back to "
        f"back); gunicorn workers x threads (config/gunicorn.py, as make serve runs it); latency p50 / p95 in ms; "
        f"baseline: GET /healthz from the same reviewers at the same pace; bars: 0 5xx / lost / duplicated / "
        f"differ / locked everywhere, save p95 < {SAVE_P95_BAR_MS:.0f} ms for 20 reviewers on PostgreSQL pausing "
        f"{BAR_MIN_PACE_MS:.0f} ms or more (faster runs: capacity, correctness bars only)",
        ["database", "reviewers", "pause", "workers", "saves", "saves/s", "create", "create (resent)", "change",
         "delete", "save p95", "baseline /healthz", "save p95 / baseline p95", "5xx", "lost", "duplicated",
         "differ", '"database is locked"', "result"],
        rows,
    )  # fmt: skip
    for note in notes:
        print(f"- unexpected answer: {note}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
