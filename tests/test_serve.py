"""`make serve`: the production start, run for real. gunicorn with DEBUG off
serves the health check, a static file through whitenoise and the login page
from a subprocess on a port of its own; nothing is mocked."""

import os
import re
import runpy
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

PROJECT = Path(__file__).resolve().parent.parent
PORT = 8101
BASE = f"http://127.0.0.1:{PORT}"
# What nginx adds in front of the app (docs/deploy.md): the request came in
# over HTTPS. gunicorn believes it from 127.0.0.1, Django with BEHIND_TLS_PROXY.
THROUGH_THE_PROXY = {"X-Forwarded-Proto": "https"}
UNSET = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def production_env(**extra) -> dict:
    """The test's environment without the settings a developer (or the browser
    tests' conftest) may have set, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    return env | extra


def make_serve(env: dict, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(["make", "--no-print-directory", "-C", str(PROJECT), "serve"], env=env, **kwargs)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(NoRedirects)


def fetch(path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(BASE + path, headers=headers or {})
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_until_up(server: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"make serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            fetch("/healthz")
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"gunicorn did not answer on port {PORT} within {seconds} s:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # make and gunicorn: the session started for them
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture
def database_url(request, tmp_path) -> str:
    """A database the server can reach: a fresh SQLite file, or on PostgreSQL
    the suite's own test database (already migrated; serve's migrate finds
    nothing to do)."""
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    request.getfixturevalue("django_db_setup")
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.parametrize(
    ("missing", "says"),
    [
        ("SECRET_KEY", "make serve: set SECRET_KEY to a long random string"),
        ("DATABASE_URL", "make serve: set DATABASE_URL, e.g. postgres://"),
        ("ALLOWED_HOSTS", "make serve: set ALLOWED_HOSTS to the host names the site answers to"),
    ],
)
def test_make_serve_refuses_to_start_without_its_settings(missing, says):
    settings = {"SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": "sqlite:///unused", "ALLOWED_HOSTS": "x"}
    del settings[missing]

    result = make_serve(production_env(**settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, stderr = result.communicate(timeout=300)

    assert result.returncode != 0
    assert says in stderr


def test_make_serve_runs_gunicorn_with_debug_off_behind_a_tls_proxy(database_url, tmp_path):
    log = tmp_path / "serve.log"
    env = production_env(
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1",
        BEHIND_TLS_PROXY="1",
        STATIC_ROOT=str(tmp_path / "static"),
        PORT=str(PORT),
        WEB_CONCURRENCY="2",
    )
    with log.open("w") as output:
        server = make_serve(env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(server, log)

        # The health check answers over plain HTTP too (a load balancer's poll).
        status, headers, body = fetch("/healthz")
        assert (status, body) == (200, b'{"status": "ok", "database": "ok"}')

        # Every other page insists on HTTPS...
        status, headers, _ = fetch("/accounts/login/")
        assert (status, headers["Location"]) == (301, f"https://127.0.0.1:{PORT}/accounts/login/")

        # ...and through the proxy the login page is served, with the
        # production headers.
        status, headers, body = fetch("/accounts/login/", THROUGH_THE_PROXY)
        page = body.decode()
        assert status == 200
        assert "<h1>Sign in</h1>" in page
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert "Secure" in headers["Set-Cookie"]  # the CSRF cookie
        assert "default-src 'self'" in headers["Content-Security-Policy"].split("; ")

        # The stylesheet it links is whitenoise's hashed, compressed copy,
        # cacheable for ever.
        stylesheet = re.search(r'href="(/static/annotate/app\.[0-9a-f]{12}\.css)"', page).group(1)
        status, headers, body = fetch(stylesheet, THROUGH_THE_PROXY | {"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]
        status, _, source = fetch(stylesheet, THROUGH_THE_PROXY)
        assert status == 200
        assert source == (PROJECT / "annotate/static/annotate/app.css").read_bytes()

        # DEBUG is off: a missing page is a plain 404, not Django's debug page.
        status, _, body = fetch("/no-such-page/", THROUGH_THE_PROXY)
        assert status == 404
        assert b"URLconf" not in body

        # An unknown host is refused (ALLOWED_HOSTS).
        status, _, _ = fetch("/healthz", {"Host": "evil.example"})
        assert status == 400
    finally:
        stop(server)
    output = log.read_text()
    assert len(re.findall(r"Booting worker with pid", output)) == 2, output
    assert "Applying" in output or "No migrations to apply" in output
    assert "static files copied" in output


@pytest.mark.parametrize(
    ("env", "workers"),
    [
        ({"WEB_CONCURRENCY": "3"}, 3),
        ({}, None),
    ],
)
def test_gunicorn_config_reads_the_environment(monkeypatch, env, workers):
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    config = runpy.run_path(str(PROJECT / "config/gunicorn.py"))

    assert config["bind"] == "127.0.0.1:8000"
    expected = workers or config["default_workers"](os.cpu_count())
    assert config["workers"] == expected


def test_default_workers_follow_the_cpus_within_bounds():
    default_workers = runpy.run_path(str(PROJECT / "config/gunicorn.py"))["default_workers"]

    assert [default_workers(cpus) for cpus in (1, 2, 4, 64)] == [3, 5, 9, 12]
