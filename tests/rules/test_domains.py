"""annotate/rules/domains.py: hosts and the domains an outlet may be under."""

import pytest

from annotate.rules import domains


@pytest.mark.parametrize(
    "url, host",
    [
        ("https://edition.cnn.com/2023/03/01/china/index.html", "edition.cnn.com"),
        ("https://www.cnn.com/world", "cnn.com"),
        ("http://WWW.Reuters.COM./world/", "reuters.com"),
        ("https://user:secret@www.dw.com:8443/en/a-1", "dw.com"),
        ("  https://www.bbc.co.uk/news  ", "bbc.co.uk"),
        # "www." is only a prefix when something is left that is a domain.
        ("https://www.com/", "www.com"),
        ("https://wwwnews.example/", "wwwnews.example"),
        ("http://10.0.0.1/page", "10.0.0.1"),
        ("http://[::1]:8000/page", "::1"),
        ("HTTPS://CNN.com/world", "cnn.com"),
        ("ftp://www.cnn.com/file", ""),
        ("javascript:alert(1)", ""),
        ("cnn.com/world", ""),
        ("", ""),
        ("http://[::1/broken", ""),
        ("https:///no-host", ""),
    ],
)
def test_url_host_is_the_lower_case_host_without_www_port_or_trailing_dot(url, host):
    assert domains.url_host(url) == host


@pytest.mark.parametrize(
    "typed, bare",
    [
        ("cnn.com", "cnn.com"),
        ("www.CNN.com", "cnn.com"),
        (" www.cnn.com. ", "cnn.com"),
        ("Edition.CNN.com", "edition.cnn.com"),
        ("www.com", "www.com"),
        ("www.", "www"),
        ("", ""),
    ],
)
def test_bare_domain_ignores_case_www_and_a_trailing_dot(typed, bare):
    assert domains.bare_domain(typed) == bare


@pytest.mark.parametrize(
    "host, candidates",
    [
        ("edition.cnn.com", ["edition.cnn.com", "cnn.com"]),
        ("www.edition.cnn.com", ["edition.cnn.com", "cnn.com"]),
        ("a.b.news.bbc.co.uk", ["a.b.news.bbc.co.uk", "b.news.bbc.co.uk", "news.bbc.co.uk", "bbc.co.uk", "co.uk"]),
        ("cnn.com", ["cnn.com"]),
        ("localhost", ["localhost"]),
        ("10.0.0.1", ["10.0.0.1"]),
        ("::1", ["::1"]),
        ("::ffff:10.0.0.1", ["::ffff:10.0.0.1"]),
        ("1.2.3.example", ["1.2.3.example", "2.3.example", "3.example"]),
        ("", []),
    ],
)
def test_domain_candidates_run_from_the_host_to_its_two_label_parent(host, candidates):
    assert domains.domain_candidates(host) == candidates


# Two addresses of one page, as feeds and pages write them: each pair is one
# article (a feed's item is "already known" by it, annotate/io/feeds.py).
@pytest.mark.parametrize(
    "one, other",
    [
        ("https://www.example.org/world/story", "http://example.org/world/story"),  # scheme, www.
        ("HTTPS://Example.ORG/world/story", "https://example.org/world/story"),  # scheme and host case
        ("https://example.org/world/story/", "https://example.org/world/story"),  # trailing slash
        ("https://example.org/world/story#comments", "https://example.org/world/story"),  # fragment
        ("https://example.org:443/world/story", "https://example.org/world/story"),  # default port
        ("https://example.org/story?utm_source=rss&utm_medium=feed&utm_campaign=x", "https://example.org/story"),
        ("https://example.org/story?fbclid=IwAR0abc", "https://example.org/story"),
        ("https://example.org/story?gclid=EAIaIQob&id=7", "https://example.org/story?id=7"),
        ("https://example.org/story?b=2&a=1", "https://example.org/story?a=1&b=2"),  # parameter order
        ("https://example.org/", "https://example.org"),
    ],
)
def test_comparable_url_is_the_same_for_two_addresses_of_one_page(one, other):
    assert domains.comparable_url(one) == domains.comparable_url(other) != ""


@pytest.mark.parametrize(
    "one, other",
    [
        ("https://example.org/world/story", "https://example.org/World/Story"),  # paths keep their case
        ("https://example.org/story?id=7", "https://example.org/story?id=8"),  # a parameter that is the page's
        ("https://example.org/story", "https://example.org:8443/story"),  # another port is another server
        ("https://news.example.org/story", "https://example.org/story"),  # a subdomain is another site
    ],
)
def test_comparable_url_keeps_what_makes_another_page(one, other):
    assert domains.comparable_url(one) != domains.comparable_url(other)


@pytest.mark.parametrize("url", ["", "ftp://example.org/story", "mailto:desk@example.org", "/world/story", "story"])
def test_comparable_url_is_empty_for_what_is_no_web_address(url):
    assert domains.comparable_url(url) == ""
