"""A real HTTP server on 127.0.0.1 for the fetch tests: the standard
library's http.server in a thread, answering from a table of routes.

A route is a ``Reply`` (status, headers, body) or a function that gets the
request handler and answers it itself (to sleep, to stream, to count what it
managed to send). Every request is recorded with its path and headers, so a
test can check what the fetcher sent (Host, User-Agent).
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The Content-Type of a page the fetcher takes.
HTML = {"Content-Type": "text/html; charset=utf-8"}


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    body: bytes = b""


@dataclass
class ConditionalReply:
    """A route that answers as a server with HTTP caching does: the body
    with its ETag and Last-Modified, and a bodiless 304 to a request whose
    If-None-Match (or, without one, If-Modified-Since) matches them.
    ``etag=""`` sends no ETag, ``last_modified=""`` no date."""

    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str = '"feed-v1"'
    last_modified: str = "Tue, 01 Dec 2026 09:41:01 GMT"

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        asked_etag = handler.headers.get("If-None-Match")
        asked_date = handler.headers.get("If-Modified-Since")
        unchanged = (
            (asked_etag == self.etag)
            if asked_etag and self.etag
            else bool(asked_date and self.last_modified and asked_date == self.last_modified)
        )
        handler.send_response(304 if unchanged else 200)
        if self.etag:
            handler.send_header("ETag", self.etag)
        if self.last_modified:
            handler.send_header("Last-Modified", self.last_modified)
        if unchanged:
            handler.end_headers()
            return
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body)


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]


Route = Reply | Callable[[BaseHTTPRequestHandler], None]


class LoopbackServer:
    """``with LoopbackServer({"/": Reply(body=...)}) as server: server.url("/")``."""

    def __init__(self, routes: dict[str, Route] | None = None, *, host: str = "127.0.0.1", tls=None):
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[SeenRequest] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server.requests.append(SeenRequest(self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    route = Reply(404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>")
                if isinstance(route, Reply):
                    self.send_response(route.status)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    if not any(name.lower() == "content-length" for name in route.headers):
                        self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body)
                else:
                    route(self)

            def log_message(self, format, *args):  # quiet: the tests say what matters
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            # ``tls``: an ssl.SSLContext holding the server's certificate.
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        self.host = host
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str = "/", *, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def __enter__(self) -> "LoopbackServer":
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def article_page(title: str, paragraphs: list[str], *, site: str = "The Loopback Times") -> bytes:
    """A small news page shaped like a real outlet's: navigation, a cookie
    banner, the article with its headline and paragraphs, related links and
    a footer, so extraction has boilerplate to leave out."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | {site}</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{site}">
<meta name="author" content="Ana Reporter">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
<main><article>
<h1>{title}</h1>
<p class="byline">By Ana Reporter</p>
{body}
</article></main>
<aside class="related"><h2>Related</h2><ul><li><a href="/a">Another story</a></li></ul></aside>
<footer>© {site}. All rights reserved.</footer>
</body></html>""".encode()


class OffLoopbackConnection(AssertionError):
    """The code under test tried to open a connection to an address off
    this machine."""


_guarding = threading.local()


def _refuse_off_loopback(event: str, args) -> None:
    recording = getattr(_guarding, "events", None)
    if recording is not None and event in ("socket.getaddrinfo", "socket.connect"):
        recording.append((event, args))
    if event != "socket.connect" or not getattr(_guarding, "on", False):
        return
    address = args[1]
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if not (host.startswith("127.") or host in ("::1", "localhost")):
            raise OffLoopbackConnection(f"a connection to {host} was attempted; only loopback is allowed here")


_hook_installed = False


def _install_hook() -> None:
    global _hook_installed
    if not _hook_installed:
        import sys

        # An audit hook cannot be removed; it does nothing while off.
        sys.addaudithook(_refuse_off_loopback)
        _hook_installed = True


class network_events:
    """``with network_events() as events: ...``: the name lookups and
    connections this thread makes, as (audit event, arguments) pairs."""

    def __enter__(self) -> list:
        _install_hook()
        _guarding.events = []
        return _guarding.events

    def __exit__(self, *exc):
        _guarding.events = None


class loopback_only:
    """``with loopback_only(): ...``: any socket connection this thread
    opens to an address off this machine raises OffLoopbackConnection
    before a packet leaves. The refusal tests name private and metadata
    addresses; should the fetcher ever fail to refuse one, the test fails
    here instead of sending traffic to the office network."""

    def __enter__(self):
        _install_hook()
        _guarding.on = True
        return self

    def __exit__(self, *exc):
        _guarding.on = False


STORY_TITLE = "Minsk and Beijing sign a trade pact"
STORY_PARAGRAPHS = [
    "The governments of Belarus and China signed a trade agreement on Tuesday, "
    "after two days of talks in Beijing that officials on both sides called productive.",
    "“This agreement opens our markets to each other,” the Belarusian trade minister told "
    "reporters outside the Great Hall of the People, adding that tariffs would fall within a year.",
    "Critics in Minsk said the deal had been negotiated without consulting local manufacturers, "
    "who fear competition from cheaper imports, and called for the text to be published in full.",
    "The agreement still has to be ratified by the Belarusian parliament, which is expected "
    "to vote on it before the end of the month.",
]


def story_page() -> bytes:
    """The test story as a news page."""
    return article_page(STORY_TITLE, STORY_PARAGRAPHS)
