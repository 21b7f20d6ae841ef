"""Review workspace: article page render time and span save round trip.

Two articles, each with 500 spans: the seed article 003 (about 4,000
characters) and a 50,000-character article with emoji and CJK. For each:
  * server render of the article page, in process (Django test client),
    median and p95 over 30 requests; bar: median < 100 ms;
  * the same page over HTTP from the dev server (runserver on loopback);
  * saving a span (POST) over HTTP to the dev server, median and p95 over
    50 saves; bar: median < 30 ms.
  * in Debian's chromium (if installed): time from navigation until the
    workspace has drawn every highlight, and from pressing F on a selection
    until the new highlight is drawn, median over 10 marks.
Baseline, measured in the same run: the sign-in page, which renders a
template but reads no article.

    .venv/bin/python bench/workspace.py
"""

import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse

from _setup import ROOT, print_table, setup_django

setup_django("workspace")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from annotate.actions import assignments  # noqa: E402
from annotate.io import articles_in  # noqa: E402
from annotate.models import Annotation, Label  # noqa: E402
from annotate.rules import offsets  # noqa: E402

PASSWORD = "bench-password-123"
SPANS = 500


def make_articles():
    seed = articles_in.import_paths([ROOT / "seeds"], manifest=ROOT / "seeds" / "manifest.csv")
    assert not seed.failed, seed.failed
    paragraph = "Belarus and China 军事 pledged ties 👍🏽 🇧🇾 café q̃ said Lukashenko.\u00a0" * 8 + "\n\n"
    long_text = (paragraph * (50_000 // len(paragraph) + 1))[:50_000].rstrip() + "."
    long_article, _ = articles_in.article_import(
        articles_in.ArticleRecord(text=long_text, title="Fifty thousand characters", source="Bench outlet")
    )
    from annotate.models import Article

    short_article = Article.objects.get(original_filename="003_c9aaef3b5bae2a7a.txt")
    return [("seed 003", short_article), ("50,000 chars", long_article)]


def add_spans(article, reviewers, labels):
    text = article.text
    step = max(1, (len(text) - 40) // SPANS)
    rows = []
    for index in range(SPANS):
        start = index * step
        end = min(len(text), start + 10 + index % 30)
        rows.append(
            Annotation(
                article=article, label=labels[index % len(labels)], reviewer=reviewers[index % len(reviewers)],
                start=start, end=end, quote=text[start:end], note="checked" if index % 3 else "",
            )
        )  # fmt: skip
    Annotation.objects.bulk_create(rows)


def timings(func, repeat):
    func()  # warm up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browserish:
    """A keep-alive HTTP client with a session cookie and a CSRF token, as
    the workspace's fetch() calls send them."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, data

    def sign_in(self, username):
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        status, _ = self.request(
            "POST", "/accounts/login/", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 302, f"sign-in failed ({status})"

    def json(self, method, path, payload):
        return self.request(
            method, path, json.dumps(payload),
            {"Content-Type": "application/json", "X-CSRFToken": self.cookies["csrftoken"]},
        )  # fmt: skip


def browser_timings(port, cookies, url, text) -> tuple[str, str]:
    """(open, mark) medians in ms as drawn by chromium, or "n/a" without it."""
    chromium = "/usr/bin/chromium"
    if not os.path.exists(chromium):
        return "n/a", "n/a"
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]  # fmt: skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=args)
        context = browser.new_context()
        context.add_cookies([{"name": k, "value": v, "domain": "127.0.0.1", "path": "/"} for k, v in cookies.items()])
        page = context.new_page()
        opens = []
        for _ in range(5):
            started = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}{url}")
            page.wait_for_selector("#article-text[data-ready=true]")
            opens.append((time.perf_counter() - started) * 1000)
        marks = []
        for number in range(10):
            start = 5 + number * (len(text) // 11)
            page.evaluate(
                """([start, end]) => {
                  const box = document.getElementById("article-text");
                  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
                  const range = document.createRange(); let seen = 0, started = false;
                  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                    if (!started && start <= seen + n.data.length) { range.setStart(n, start - seen); started = true; }
                    if (end <= seen + n.data.length) { range.setEnd(n, end - seen); break; }
                    seen += n.data.length;
                  }
                  box.focus(); getSelection().removeAllRanges(); getSelection().addRange(range);
                }""",
                [start, start + 12],
            )
            before = int(page.inner_text("#annotation-count"))
            started = time.perf_counter()
            page.keyboard.press("o")
            # A function, not an expression string: Playwright evaluates a
            # string with eval, which the page's Content-Security-Policy refuses.
            page.wait_for_function(
                "(count) => document.getElementById('annotation-count').textContent === count", arg=str(before + 1)
            )
            marks.append((time.perf_counter() - started) * 1000)
        browser.close()
    return f"{statistics.median(opens):.0f}", f"{statistics.median(marks):.0f}"


def main():
    User = get_user_model()
    reviewers = [User.objects.create_user(f"reviewer{i}", password=PASSWORD) for i in range(3)]
    labels = list(Label.objects.all())
    articles = make_articles()
    for _, article in articles:
        add_spans(article, reviewers, labels)
    # Reviewers see only the articles assigned to them (the rest are a 404).
    assignments.assignments_create(articles=[a for _, a in articles], reviewers=reviewers, assigned_by=reviewers[0])

    client = Client(HTTP_HOST="localhost")
    client.force_login(reviewers[0])
    baseline_render, _ = timings(lambda: client.get("/accounts/login/"), 30)

    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        browser = Browserish(port)
        browser.sign_in(reviewers[0].username)
        baseline_http, _ = timings(lambda: browser.request("GET", "/accounts/login/"), 30)
        rows = []
        for name, article in articles:
            url = f"/articles/{article.pk}/"
            connection.queries_log.clear()  # a full log (9,000 entries) would count 0
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            render_median, render_p95 = timings(lambda url=url: client.get(url), 30)
            http_median, _ = timings(lambda url=url: browser.request("GET", url), 30)
            utf16 = offsets.Utf16Map(article.text)
            counter = iter(range(10_000))

            def save(article=article, utf16=utf16, counter=counter):
                number = next(counter)
                start = (number * 97) % (len(article.text) - 50)
                end = start + 20
                status, body = browser.json(
                    "POST", f"/articles/{article.pk}/annotations/",
                    {"label": "fact", "start16": utf16.to_utf16(start), "end16": utf16.to_utf16(end),
                     "quote": article.text[start:end]},
                )  # fmt: skip
                assert status in (201, 409), (status, body)

            save_median, save_p95 = timings(save, 50)
            open_ms, mark_ms = browser_timings(port, browser.cookies, url, article.text)
            rows.append([
                name, f"{len(article.text):,}", SPANS, len(queries),
                f"{render_median:.1f}", f"{render_p95:.1f}", f"{render_median / baseline_render:.1f}x",
                f"{http_median:.1f}", f"{save_median:.1f}", f"{save_p95:.1f}", open_ms, mark_ms,
                "PASS" if render_median < 100 and save_median < 30 else "FAIL",
            ])  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)
    print_table(
        f"Review workspace on {connection.vendor}; baseline sign-in page: {baseline_render:.1f} ms in process, "
        f"{baseline_http:.1f} ms over HTTP (ms unless noted)",
        ["article", "chars", "spans", "queries", "render median", "render p95", "vs baseline",
         "page over HTTP", "save median", "save p95", "browser open", "browser mark", "bars (<100 / <30)"],
        rows,
    )  # fmt: skip


if __name__ == "__main__":
    main()
