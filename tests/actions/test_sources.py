"""annotate/actions/sources.py: which outlet an imported article lands under."""

import pytest

from annotate.actions.sources import source_for_article
from annotate.models import Source

pytestmark = pytest.mark.django_db


def test_a_named_source_is_the_outlet_whatever_the_url_says():
    cnn = Source.objects.create(name="CNN", domain="cnn.com")
    source = source_for_article(name="Reuters", url="https://edition.cnn.com/x", site_name="CNN")
    assert source.name == "Reuters"
    assert source != cnn
    assert source_for_article(name=" Reuters ") == source


def test_unknown_named_as_the_source_names_none_and_the_url_decides():
    cnn = Source.objects.create(name="CNN", domain="cnn.com")
    assert source_for_article(name="unknown", url="https://www.cnn.com/x") == cnn


@pytest.mark.parametrize(
    "url",
    [
        "https://cnn.com/2023/03/01/x",
        "https://www.cnn.com/x",
        "https://edition.cnn.com/x",
        "http://WWW.EDITION.CNN.COM./x",
        "https://a.b.edition.cnn.com/x",
    ],
)
def test_the_url_host_or_a_parent_of_it_finds_the_outlet_recorded_under_that_domain(url):
    cnn = Source.objects.create(name="CNN", domain="cnn.com")
    assert source_for_article(url=url) == cnn


@pytest.mark.parametrize("recorded", ["www.cnn.com", "CNN.com", "Www.Cnn.Com"])
def test_a_domain_typed_with_www_or_capitals_still_matches(recorded):
    cnn = Source.objects.create(name="CNN", domain=recorded)
    assert source_for_article(url="https://edition.cnn.com/x") == cnn


def test_the_longest_matching_domain_wins():
    Source.objects.create(name="CNN", domain="cnn.com")
    edition = Source.objects.create(name="CNN International", domain="www.edition.cnn.com")
    Source.objects.create(name="CNN Money", domain="money.cnn.com")
    assert source_for_article(url="https://edition.cnn.com/x") == edition
    assert source_for_article(url="https://cnn.com/x").name == "CNN"


def test_two_outlets_under_the_same_domain_give_the_older():
    first = Source.objects.create(name="Deutsche Welle", domain="dw.com")
    Source.objects.create(name="DW", domain="www.dw.com")
    assert source_for_article(url="https://www.dw.com/en/a-1") == first


def test_a_domain_that_only_ends_the_same_does_not_match():
    Source.objects.create(name="CNN", domain="cnn.com")
    source = source_for_article(url="https://notcnn.com/x")
    assert (source.name, source.domain) == ("notcnn.com", "notcnn.com")


def test_without_a_domain_match_the_site_name_finds_the_outlet_case_ignored():
    herald = Source.objects.create(name="National Herald")
    assert source_for_article(url="https://www.nationalheraldindia.com/x", site_name="NATIONAL HERALD") == herald
    assert herald.domain == ""  # a match by name leaves the outlet as it was


def test_a_new_outlet_is_named_by_the_site_name_and_recorded_under_the_host():
    source = source_for_article(url="https://edition.cnn.com/x", site_name="CNN")
    assert (source.name, source.domain) == ("CNN", "edition.cnn.com")
    assert source_for_article(url="https://us.cnn.com/y", site_name="CNN") == source
    assert source_for_article(url="https://edition.cnn.com/z") == source


def test_a_new_outlet_without_a_site_name_is_named_by_its_host():
    source = source_for_article(url="https://www.example-news.org/x")
    assert (source.name, source.domain) == ("example-news.org", "example-news.org")


def test_a_site_name_that_is_only_the_host_is_no_name():
    Source.objects.create(name="example-news.org")
    source = source_for_article(url="https://www.example-news.org/x", site_name="www.example-news.org")
    assert (source.name, source.domain) == ("example-news.org", "")
    assert Source.objects.count() == 1


def test_with_nothing_to_go_on_the_outlet_is_unknown():
    assert source_for_article().name == "Unknown"
    assert source_for_article(url="not a url", site_name="  ").name == "Unknown"
    assert Source.objects.count() == 1


def test_a_site_name_alone_names_a_new_outlet_with_no_domain():
    source = source_for_article(site_name="The Outlet")
    assert (source.name, source.domain) == ("The Outlet", "")


def test_a_long_name_is_cut_to_the_column():
    source = source_for_article(name="N" * 250)
    assert len(source.name) == 200
