"""Which web addresses Sourcemark may fetch an article from: pure checks on
a URL's shape and on the IP address its host resolved to, so the fetcher
(annotate/io/fetching.py) and the write that queues a fetch
(annotate/actions/article_fetches.py) refuse the same things in the same
words, and the tests can ask them without a network.

The address check is what stops a URL from making the server fetch from
its own network (server-side request forgery): a lead pastes a link, and
the link must not reach the database, a cloud's metadata service or an
admin page on the office network.
"""

import ipaddress
from urllib.parse import urlsplit

FETCH_SCHEMES = ("http", "https")
# Cloud instance metadata services: named on their own because they are
# the prize of a forged request (credentials), and so that the reason says so.
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack …
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
}
# The longest URL we keep (Article.url and ArticleFetch.url hold 2000).
MAX_URL_LENGTH = 2000

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def url_refusal(url: str) -> str | None:
    """Why ``url`` cannot be fetched as it is written, or None when it can
    be tried: an http(s) URL with a host name, no user name or password in
    it, a valid port. Where its host leads is ``address_refusal``'s
    question, asked once the host is resolved."""
    if not url or not url.strip():
        return "no URL given"
    if len(url) > MAX_URL_LENGTH:
        return f"the URL is {len(url):,} characters long; at most {MAX_URL_LENGTH:,} are kept"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return f"not a valid URL ({error})"
    scheme = parts.scheme.lower()
    if scheme not in FETCH_SCHEMES:
        if not scheme:
            return "not a URL (it should start with http:// or https://)"
        return f"only http:// and https:// addresses are fetched, not {scheme}:"
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return "the URL contains spaces or control characters"
    if not parts.hostname:
        return "the URL has no host name"
    if parts.username is not None or parts.password is not None:
        return "the URL carries a user name or password; give the address without them"
    if port == 0:
        return "port 0 is not a port anything listens on"
    return None


def literal_address(host: str) -> Address | None:
    """The IP address ``host`` is, when it is written as one in dotted or
    IPv6 form (brackets allowed); None for a host name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def address_refusal(address: Address | str) -> str | None:
    """Why no fetch may connect to ``address``, or None when it is a public
    address. The reason reads after the address, e.g. "10.0.0.1 is a
    private address". An IPv6 address that carries an IPv4 one (mapped,
    NAT64, 6to4) is judged by the IPv4 address inside it, so ::ffff:10.0.0.1
    is as private as 10.0.0.1."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    inner = _embedded_ipv4(ip)
    if inner is not None:
        reason = address_refusal(inner)
        return f"carries {inner}, which {reason}" if reason else None
    if ip in METADATA_ADDRESSES:
        return "is the cloud metadata address"
    for flag, kind in (
        ("is_unspecified", "the unspecified address"),
        ("is_loopback", "a loopback address (this machine)"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    ):
        if getattr(ip, flag):
            return f"is {kind}"
    if not ip.is_global:
        # Shared address space (100.64.0.0/10, carrier-grade NAT) and the
        # like: not private in the RFC 1918 sense, not on the internet either.
        return "is not a public internet address"
    return None


def _embedded_ipv4(ip: Address) -> ipaddress.IPv4Address | None:
    if ip.version == 4:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def addresses_are_checked(host: str, *, allow_private: bool, private_hosts: frozenset[str] | set[str]) -> bool:
    """Whether the addresses ``host`` resolves to must be public: always,
    unless private addresses are allowed everywhere (the tests' loopback
    server) or ``host`` is one of the ``private_hosts`` named as trusted
    (lower case, IPv6 addresses without brackets)."""
    return not allow_private and host.lower().strip("[]") not in private_hosts


def queue_time_refusal(url: str, *, allow_private: bool, private_hosts: frozenset[str] | set[str]) -> str | None:
    """Why ``url`` is refused before a fetch is even queued, or None: its
    shape (``url_refusal``), or a host written as an address that may not
    be fetched (10.0.0.1). A host name is only resolved by the fetch
    itself, which checks every address again."""
    if refusal := url_refusal(url):
        return refusal
    host = urlsplit(url).hostname or ""
    address = literal_address(host)
    if address is None or not addresses_are_checked(host, allow_private=allow_private, private_hosts=private_hosts):
        return None
    refusal = address_refusal(address)
    return f"{address} {refusal}" if refusal else None
