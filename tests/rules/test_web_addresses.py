"""The address and URL checks, without a network: what a fetch refuses
before it connects, in the words it says it."""

import pytest

from annotate.rules.web_addresses import (
    address_refusal,
    addresses_are_checked,
    queue_time_refusal,
    url_refusal,
)


@pytest.mark.parametrize(
    "address, reason",
    [
        ("127.0.0.1", "is a loopback address (this machine)"),
        ("127.8.9.10", "is a loopback address (this machine)"),
        ("::1", "is a loopback address (this machine)"),
        ("10.0.0.1", "is a private address"),
        ("172.16.5.4", "is a private address"),
        ("192.168.0.10", "is a private address"),
        ("fd12:3456::1", "is a private address"),
        ("169.254.169.254", "is the cloud metadata address"),
        ("fd00:ec2::254", "is the cloud metadata address"),
        ("169.254.1.1", "is a link-local address"),
        ("fe80::1", "is a link-local address"),
        ("224.0.0.251", "is a multicast address"),
        ("ff02::1", "is a multicast address"),
        ("0.0.0.0", "is the unspecified address"),
        ("::", "is the unspecified address"),
        ("240.0.0.1", "is a reserved address"),
        ("100.64.0.1", "is not a public internet address"),  # carrier-grade NAT
        ("198.18.0.1", "is a private address"),  # benchmarking
        # IPv6 forms that carry an IPv4 address are judged by it.
        ("::ffff:10.0.0.1", "carries 10.0.0.1, which is a private address"),
        ("::ffff:169.254.169.254", "carries 169.254.169.254, which is the cloud metadata address"),
        ("64:ff9b::7f00:1", "carries 127.0.0.1, which is a loopback address (this machine)"),
        ("2002:a00:1::", "carries 10.0.0.1, which is a private address"),
    ],
)
def test_addresses_off_the_public_internet_are_refused_by_kind(address, reason):
    assert address_refusal(address) == reason


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.215.14"])
def test_public_addresses_pass(address):
    assert address_refusal(address) is None


@pytest.mark.parametrize(
    "url, reason",
    [
        ("", "no URL given"),
        ("   ", "no URL given"),
        ("ftp://example.org/a", "only http:// and https:// addresses are fetched, not ftp:"),
        ("javascript:alert(1)", "only http:// and https:// addresses are fetched, not javascript:"),
        ("example.org/story", "not a URL (it should start with http:// or https://)"),
        ("http:///story", "the URL has no host name"),
        ("https://a@example.org/", "the URL carries a user name or password; give the address without them"),
        ("http://example.org:0/", "port 0 is not a port anything listens on"),
        ("http://example.org:70000/", "not a valid URL (Port out of range 0-65535)"),
        ("http://exa mple.org/", "the URL contains spaces or control characters"),
        ("http://example.org/\x00", "the URL contains spaces or control characters"),
        ("https://example.org/" + "a" * 2000, "the URL is 2,020 characters long; at most 2,000 are kept"),
    ],
)
def test_urls_that_are_not_fetchable_web_addresses_are_named(url, reason):
    assert url_refusal(url) == reason


@pytest.mark.parametrize("url", ["https://example.org/", "HTTP://Example.org:8080/a?b=c#d", "http://[2001:db8::1]/"])
def test_web_addresses_pass(url):
    assert url_refusal(url) is None


def test_the_allow_list_names_hosts_and_the_switch_lifts_every_check():
    assert addresses_are_checked("intranet.example", allow_private=False, private_hosts=set())
    assert not addresses_are_checked("Intranet.Example", allow_private=False, private_hosts={"intranet.example"})
    assert not addresses_are_checked("[::1]", allow_private=False, private_hosts={"::1"})
    assert not addresses_are_checked("anything.example", allow_private=True, private_hosts=set())


def test_a_private_address_written_out_is_refused_before_queueing_but_a_name_is_left_to_the_fetch():
    policy = {"allow_private": False, "private_hosts": set()}
    assert queue_time_refusal("http://10.0.0.1/", **policy) == "10.0.0.1 is a private address"
    assert queue_time_refusal("http://[::1]:8000/", **policy) == "::1 is a loopback address (this machine)"
    assert (
        queue_time_refusal("ftp://x.example/", **policy) == "only http:// and https:// addresses are fetched, not ftp:"
    )
    assert queue_time_refusal("http://localhost/", **policy) is None  # resolved, and refused, by the fetch
    assert queue_time_refusal("http://10.0.0.1/", allow_private=True, private_hosts=set()) is None
    assert queue_time_refusal("http://10.0.0.1/", allow_private=False, private_hosts={"10.0.0.1"}) is None
