"""Fetching an article's page from a URL, safely.

``fetch_url`` is the only code in Sourcemark that opens a connection to an
address a user gave. It defends the server and its network:

- **Where it connects.** The host is resolved once, every address it
  resolves to is checked (``rules/web_addresses.address_refusal``: private,
  loopback, link-local, multicast, reserved, unspecified and cloud metadata
  addresses are refused), and the connection goes to the address that was
  checked. Nothing resolves the name a second time, so a DNS answer that
  changes between the check and the connection (DNS rebinding) cannot
  slip a private address in. The request still says ``Host: <name>``, and
  TLS sends the name (SNI) and verifies the certificate against it.
- **Redirects** are followed here, never by the HTTP library, and every hop
  goes through the same checks; a loop, or more than the limit, is refused.
- **Limits.** Connect and total timeouts, a size limit read as a stream (a
  page is refused as soon as it passes the limit, and a Content-Length over
  it is refused before reading), and only the content types the fetch
  is for: HTML and PDF for an article, RSS, Atom and XML for a feed
  (``FetchPolicy.for_feeds``).
- **Conditional requests.** A feed's poll sends the ETag and
  Last-Modified its last answer gave (If-None-Match, If-Modified-Since);
  a 304 comes back as a page with ``not_modified`` set and no body.

The limits are settings (config/settings.py, README "Fetching articles").
``ARTICLE_FETCH_ALLOW_PRIVATE`` lifts the address check for every host (the
tests serve pages from 127.0.0.1); ``ARTICLE_FETCH_PRIVATE_HOSTS`` lifts it
for the host names it lists only (an intranet CMS), and every other host,
redirect targets included, is still checked.
"""

import socket
import time
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from django.conf import settings

from annotate.rules.web_addresses import address_refusal, addresses_are_checked, literal_address, url_refusal

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPE = "application/pdf"
CONTENT_TYPES = (*HTML_TYPES, PDF_TYPE)
# RSS 2.0 and Atom as they are meant to be served, RSS 1.0 (RDF), and the
# plain XML types most servers send a feed file as.
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml")
NOT_MODIFIED = 304
DEFAULT_PORTS = {"http": 80, "https": 443}
CHUNK_BYTES = 64 * 1024


class FetchProblem(Exception):
    """A URL that could not be fetched. ``str()`` names the URL and says why;
    ``url`` and ``reason`` hold the two parts."""

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


@dataclass(frozen=True)
class FetchedPage:
    """What a fetch brought back: the URL it ended at (after redirects), the
    Content-Type header as the server sent it (charset included), the body
    (decompressed, never more than the size limit) and the HTTP status;
    the ETag and Last-Modified headers ("" when the server sent none), for
    the next conditional request. A 304 (``not_modified``) has no body."""

    final_url: str
    content_type: str
    body: bytes
    status: int
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        """The server said the document has not changed since the ETag or
        date the request gave (304): there is nothing new to read."""
        return self.status == NOT_MODIFIED

    @property
    def media_type(self) -> str:
        """The content type without its parameters, e.g. "text/html"."""
        return media_type(self.content_type)


@dataclass(frozen=True)
class FetchPolicy:
    """The limits one fetch works under; ``from_settings`` reads them."""

    allow_private: bool = False
    private_hosts: frozenset[str] = frozenset()
    connect_timeout: float = 10
    total_timeout: float = 30
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = "Sourcemark article fetcher"
    ca_bundle: str = ""
    # What the fetch is for: the media types taken, the Accept header that
    # asks for them, and what a refusal of any other type says.
    content_types: tuple[str, ...] = CONTENT_TYPES
    accept: str = "text/html,application/xhtml+xml,application/pdf;q=0.9"
    wanted: str = "only HTML pages and PDF files are imported"

    @classmethod
    def from_settings(cls) -> "FetchPolicy":
        return cls(
            allow_private=settings.ARTICLE_FETCH_ALLOW_PRIVATE,
            private_hosts=frozenset(host.lower().strip("[]") for host in settings.ARTICLE_FETCH_PRIVATE_HOSTS),
            connect_timeout=settings.ARTICLE_FETCH_CONNECT_TIMEOUT,
            total_timeout=settings.ARTICLE_FETCH_TIMEOUT,
            max_bytes=settings.ARTICLE_FETCH_MAX_BYTES,
            max_redirects=settings.ARTICLE_FETCH_MAX_REDIRECTS,
            user_agent=settings.ARTICLE_FETCH_USER_AGENT,
            ca_bundle=settings.ARTICLE_FETCH_CA_BUNDLE,
        )

    def for_feeds(self) -> "FetchPolicy":
        """The same limits and address checks, for an RSS or Atom feed."""
        return replace(
            self,
            content_types=FEED_TYPES,
            accept="application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,"
            "application/xml;q=0.8,text/xml;q=0.8",
            wanted="only RSS and Atom feeds can be followed",
        )

    def checks_addresses_of(self, host: str) -> bool:
        """Whether the addresses ``host`` resolves to must be public."""
        return addresses_are_checked(host, allow_private=self.allow_private, private_hosts=self.private_hosts)


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def fetch_url(url: str, *, policy: FetchPolicy | None = None, etag: str = "", last_modified: str = "") -> FetchedPage:
    """Fetch ``url`` (http or https) under ``policy`` (the settings' by
    default), following redirects, and return the page. Raises
    FetchProblem, naming ``url`` and the reason, for every way it can fail:
    a refused URL or address, a host not found, a timeout, an error status,
    a content type the policy does not take, a body over the size limit.

    ``etag`` and ``last_modified``, the headers of an earlier answer, make
    the request conditional (If-None-Match, If-Modified-Since): a 304 is
    then returned as a page with ``not_modified`` and no body. Unasked
    for, a 304 is an error status like any other.

    Resolving the host name is bounded by the system resolver's own
    timeout, not by ``total_timeout``: the standard library gives no way
    to cut getaddrinfo short."""
    policy = policy or FetchPolicy.from_settings()
    deadline = time.monotonic() + policy.total_timeout
    conditions = {}
    if etag:
        conditions["If-None-Match"] = etag
    if last_modified:
        conditions["If-Modified-Since"] = last_modified
    hops = [url]
    current = url
    for _ in range(policy.max_redirects + 1):
        response, pool = _open(url, current, policy, deadline, conditions)
        try:
            if response.status == NOT_MODIFIED and conditions:
                # A 304 may repeat the validators or send new ones; without
                # them, the ones asked with still hold.
                return FetchedPage(
                    final_url=current,
                    content_type=response.headers.get("Content-Type", "").strip(),
                    body=b"",
                    status=NOT_MODIFIED,
                    etag=response.headers.get("ETag", "").strip() or etag,
                    last_modified=response.headers.get("Last-Modified", "").strip() or last_modified,
                )
            if response.status in REDIRECT_STATUSES and response.headers.get("Location"):
                target = urljoin(current, response.headers["Location"].strip()).split("#", 1)[0]
                if target in hops:
                    raise FetchProblem(url, "redirect loop: " + " → ".join([*hops, target]))
                hops.append(target)
                current = target
                continue
            return _page(url, current, response, policy, deadline)
        finally:
            # Hang up, whatever was left unread: one connection per hop,
            # never kept for another request.
            response.close()
            pool.close()
    raise FetchProblem(url, f"more than {policy.max_redirects} redirects: " + " → ".join(hops))


def _page(url: str, current: str, response, policy: FetchPolicy, deadline: float) -> FetchedPage:
    where = "" if current == url else f" (redirected to {current})"
    if not 200 <= response.status < 300:
        reason = f" {response.reason}" if response.reason else ""
        raise FetchProblem(url, f"the server answered {response.status}{reason}{where}")
    content_type = response.headers.get("Content-Type", "").strip()
    if media_type(content_type) not in policy.content_types:
        said = f"“{content_type}”" if content_type else "no content type"
        raise FetchProblem(url, f"the server sent {said}{where}; {policy.wanted}")
    body = _read_body(url, response, policy, deadline)
    return FetchedPage(
        final_url=current,
        content_type=content_type,
        body=body,
        status=response.status,
        etag=response.headers.get("ETag", "").strip(),
        last_modified=response.headers.get("Last-Modified", "").strip(),
    )


def _read_body(url: str, response, policy: FetchPolicy, deadline: float) -> bytes:
    """The body, decompressed, read as a stream: refused the moment it
    passes ``max_bytes``, so a huge page never sits in memory whole."""
    limit = policy.max_bytes
    declared = response.headers.get("Content-Length", "").strip()
    # A compressed body's length says nothing of its size once inflated; an
    # uncompressed one over the limit is refused before reading a byte.
    compressed = response.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity")
    if declared.isdigit() and int(declared) > limit and not compressed:
        raise FetchProblem(url, f"the page is {_size(int(declared))}, more than the limit of {_size(limit)}")
    chunks = []
    size = 0
    try:
        while True:
            _set_read_timeout(response, deadline)
            chunk = response.read1(CHUNK_BYTES)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise FetchProblem(url, f"the page is larger than the limit of {_size(limit)}")
            chunks.append(chunk)
    except urllib3.exceptions.ReadTimeoutError:
        raise FetchProblem(url, _timed_out(policy)) from None
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise FetchProblem(url, f"the connection broke while reading the page ({_describe(error)})") from None
    return b"".join(chunks)


def _set_read_timeout(response, deadline: float) -> None:
    """Each read may wait only as long as the fetch has left, so a server
    that sends a byte now and then cannot stretch it past the total."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise urllib3.exceptions.ReadTimeoutError(None, None, "total timeout")
    sock = getattr(response.connection, "sock", None)
    if sock is not None:
        sock.settimeout(remaining)


def _open(url: str, current: str, policy: FetchPolicy, deadline: float, conditions: dict[str, str]):
    """Check ``current``, resolve its host once, and send the GET (with the
    ``conditions`` headers) to the address checked; returns urllib3's
    response, its body not yet read, and the pool that holds its
    connection, for the caller to close."""
    where = "" if current == url else f"redirected to {current}, which "
    if refusal := url_refusal(current):
        raise FetchProblem(url, f"{where}cannot be fetched: {refusal}" if where else refusal)
    parts = urlsplit(current)
    scheme = parts.scheme.lower()
    host = parts.hostname  # lower case, without an IPv6 address's brackets
    port = parts.port or DEFAULT_PORTS[scheme]
    addresses = _resolve(url, host, port, where)
    if policy.checks_addresses_of(host):
        for address in addresses:
            if refusal := address_refusal(address):
                literal = literal_address(host) is not None
                said = f"{address} {refusal}" if literal else f"{host} resolves to {address}, which {refusal}"
                raise FetchProblem(url, f"{where}is refused: {said}" if where else f"refused: {said}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Host": _host_header(host, parts.port),
        "User-Agent": policy.user_agent,
        "Accept": policy.accept,
        "Accept-Encoding": "gzip, deflate",
        **conditions,
    }
    last_error = None
    # Each address the name resolved to, all of them checked above, in the
    # resolver's order: the first that answers is used.
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        timeout = urllib3.Timeout(connect=min(policy.connect_timeout, remaining), read=remaining)
        pool = _pool(scheme, address, port, host, policy, timeout)
        try:
            response = pool.urlopen(
                "GET", path, headers=headers, redirect=False, retries=False, preload_content=False,
                assert_same_host=False, release_conn=False,
            )  # fmt: skip
            return response, pool
        except (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.NewConnectionError) as error:
            last_error = error
            pool.close()
        except urllib3.exceptions.ReadTimeoutError:
            pool.close()
            raise FetchProblem(url, _timed_out(policy)) from None
        except urllib3.exceptions.SSLError as error:
            pool.close()
            raise FetchProblem(url, f"{where}failed the TLS check ({_describe(error)})") from None
        except (urllib3.exceptions.HTTPError, OSError) as error:
            pool.close()
            raise FetchProblem(url, f"{where}could not be fetched ({_describe(error)})") from None
    if last_error is None or isinstance(last_error, urllib3.exceptions.ConnectTimeoutError):
        raise FetchProblem(url, _timed_out(policy))
    raise FetchProblem(url, f"{where}could not be reached ({_describe(last_error)})")


def _resolve(url: str, host: str, port: int, where: str) -> list[str]:
    """Every address ``host`` resolves to, once, in the resolver's order."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchProblem(url, f"{where}names a host that was not found ({host}: {_describe(error)})") from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in found:
        # An IPv6 scope ("fe80::1%eth0") is not part of the address.
        address = sockaddr[0].split("%", 1)[0]
        if address not in addresses:
            addresses.append(address)
    return addresses


def _pool(scheme: str, address: str, port: int, host: str, policy: FetchPolicy, timeout):
    """A connection pool to the checked ``address``; for https it sends and
    verifies ``host``, as a browser would, though it never resolves it."""
    if scheme == "http":
        return urllib3.HTTPConnectionPool(address, port, timeout=timeout, maxsize=1, retries=False)
    return urllib3.HTTPSConnectionPool(
        address, port, timeout=timeout, maxsize=1, retries=False,
        cert_reqs="CERT_REQUIRED", ca_certs=policy.ca_bundle or certifi.where(),
        server_hostname=host, assert_hostname=host,
    )  # fmt: skip


def _host_header(host: str, port: int | None) -> str:
    name = f"[{host}]" if ":" in host else host
    return f"{name}:{port}" if port else name


def _timed_out(policy: FetchPolicy) -> str:
    return f"no answer within {policy.total_timeout:g} seconds (the time limit)"


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    # urllib3 prefixes its messages with the connection object's repr.
    if ": " in text and text.startswith("<"):
        text = text.split(": ", 1)[1]
    return text or type(error).__name__


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} bytes"
