"""Web domains as Sourcemark compares them: the host of an article's URL,
and the domains an outlet (``Source.domain``) may be recorded under.

Pure functions on strings; ``annotate/actions/sources.py`` asks the
database with what they return.
"""

from urllib.parse import urlsplit

from courlan import normalize_url


def url_host(url: str) -> str:
    """The host of an http(s) URL in the form ``Source.domain`` holds it:
    lower case, no port, no trailing dot, no leading ``www.``. Empty when
    ``url`` is not an http(s) URL with a host."""
    try:
        parts = urlsplit((url or "").strip())
        host = parts.hostname or ""
    except ValueError:
        # urlsplit refuses a malformed IPv6 literal ("http://[::1/x").
        return ""
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    return bare_domain(host)


def bare_domain(domain: str) -> str:
    """A domain as typed into ``Source.domain`` ("www.CNN.com.", "cnn.com")
    in the form compared: lower case, no trailing dot, no leading ``www.``."""
    domain = domain.strip().lower().rstrip(".")
    return domain.removeprefix("www.") if domain.count(".") >= 2 else domain


def domain_candidates(host: str) -> list[str]:
    """The domains an outlet publishing on ``host`` may be recorded under,
    longest first: the host itself, then each parent domain down to two
    labels ("edition.cnn.com" → edition.cnn.com, cnn.com; never "com").

    An IP address is only itself: 10.0.0.1 has no parent domain."""
    host = bare_domain(host)
    if not host:
        return []
    labels = host.split(".")
    if _is_ip_address(labels):
        return [host]
    return [".".join(labels[start:]) for start in range(max(1, len(labels) - 1))]


def _is_ip_address(labels: list[str]) -> bool:
    # urlsplit keeps an IPv6 literal's colons; an IPv4 address is four numbers.
    return any(":" in label for label in labels) or (len(labels) == 4 and all(label.isdigit() for label in labels))


def comparable_url(url: str) -> str:
    """The form in which two addresses of one page compare equal, or "" for
    anything but an http(s) URL with a host: courlan's normalisation (host
    in lower case, default port dropped, query parameters sorted, the
    trackers newsrooms add removed: utm_*, fbclid, gclid, mc_cid, ref …),
    then without the scheme (an outlet serves the same article over http
    and https), the fragment, a leading ``www.`` and a trailing slash.

    An article is identified by its address when it has one, so a page
    fetched again, or linked from a feed with other tracking parameters,
    is the same article (annotate/io/articles_in.py)."""
    host = url_host(url)
    if not host:
        return ""
    try:
        parts = urlsplit(normalize_url(url.strip()))
    except ValueError:
        return ""
    path = parts.path.rstrip("/")
    port = f":{parts.port}" if parts.port else ""
    return f"{host}{port}{path}" + (f"?{parts.query}" if parts.query else "")
