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
