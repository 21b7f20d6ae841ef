"""annotate/io/web_pages.py: saved news pages as articles ("Real pages").

The pages under fixtures/pages/ are shaped like real outlets' pages (a CNN
article, a WordPress blog with Yoast and Jetpack, a Next.js site with
microdata, a Quintype news site, a Blogger blog whose paragraphs are
<br><br>): navigation, cookie banners, JSON-LD, Open Graph, canonical
links, bylines, related links, comments, share buttons and footers around
the real article texts of seeds/. Each page's body must come out exactly:
every paragraph of the seed article, in order, a blank line apart, after
the headline, and none of the page's furniture.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotate.io import articles_in, web_pages
from annotate.io.documents import read_document
from annotate.models import Article, Source
from tests.conftest import SEEDS

PAGES = Path(__file__).parent / "fixtures" / "pages"


@dataclass(frozen=True)
class Page:
    file: str
    seed: str
    # The seed's (non-blank) lines before the article body (its title, a site's
    # tagline, a byline or a caption the scrape kept), and the lines of
    # page furniture inside it, which the page has but not in its body.
    body_from: int
    furniture_lines: tuple[str, ...]
    title: str
    byline: str
    published: dt.date
    url: str
    language: str
    outlet: str
    domain: str
    boilerplate: tuple[str, ...]

    def body(self) -> list[str]:
        text = (SEEDS / self.seed).read_text(encoding="utf-8")
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        # trafilatura lays text out with plain spaces, as a reader sees it:
        # the &nbsp; a CMS puts around links (and the scrape kept) is one.
        body = [line.replace("\u00a0", " ") for line in lines[self.body_from :]]
        return [line for line in body if not line.startswith(self.furniture_lines)]

    def data(self) -> bytes:
        return (PAGES / self.file).read_bytes()


CNN = Page(
    file="cnn-xi-lukashenko.html",
    seed="002_62f2d983f655606c.txt",
    body_from=1,
    furniture_lines=("See also", "Leave a Reply", "Your email address will not be published"),
    title="Putin’s ally Lukashenko and Chinese leader Xi Jinping have pledged to deepen defense ties",
    byline="Simone McCarthy",
    published=dt.date(2023, 3, 1),
    url="https://edition.cnn.com/2023/03/01/china/china-belarus-xi-jinping-lukashenko-meeting-intl-hnk/index.html",
    language="en",
    outlet="CNN",
    domain="edition.cnn.com",
    boilerplate=(
        "Skip to main content", "US Politics", "Subscribe", "Sign in", "Ad Feedback", "By Simone McCarthy",
        "Published 1:46 AM EST", "Share on Facebook", "Tweet this story", "Link Copied!", "Related article",
        "US seeks allied support", "Russia steps up strikes on Kharkiv", "Gorbachev’s funeral", "Share this story",
        "Topics", "More from CNN", "China’s Ukraine peace plan offers little new", "Belarusian partisans",
        "Paid Content", "Seniors Are Ditching", "Melts Belly Fat", "Most read", "FBI director",
        "Terms of Use", "Cookie Settings", "Cable News Network", "We Care About Your Privacy",
        "unique IDs in cookies", "Accept All", "Manage Preferences", "Koki Kataoka",
    ),
)  # fmt: skip
WORDPRESS = Page(
    file="wordpress-union-state-doctrine.html",
    seed="003_c9aaef3b5bae2a7a.txt",
    body_from=0,
    furniture_lines=("Categories: Uncategorized",),
    # og:title's straight apostrophe: Yoast writes it so, and it is the
    # title the page gives (the <h1> has ’).
    title="How Washington and Brussels pushed neutral Belarus into Russia's arms",
    byline="Gerald Fenwick",
    published=dt.date(2021, 11, 4),
    url="https://continentaldispatch.example/2021/11/04/how-washington-and-brussels-pushed-neutral-belarus-into-russias-arms/",
    language="en-GB",
    outlet="Continental Dispatch",
    domain="continentaldispatch.example",
    boilerplate=(
        "Skip to content", "News the mainstream will not tell you", "Support Independent Media", "Share this:",
        "Click to share", "Telegram", "Print", "Like this:", "Loading...", "Related", "Zapad-2021 drills",
        "migrant crisis on the Polish border", "Published", "Categorized as", "Uncategorized",
        "View all of Gerald Fenwick", "refuses to be silenced", "comments on", "Patriot1776", "says:",
        "potash mines", "Grodno", "globalist agenda", "Reply", "Your email address will not be published",
        "Post Comment", "Save my name, email", "Previous post", "Poland builds its wall", "Recent Posts",
        "Nord Stream 2 certification", "Archives", "November 2021", "Proudly powered by",
        "We use cookies to ensure", "Privacy policy",
    ),
)  # fmt: skip
VISION_TIMES = Page(
    file="visiontimes-belarus-cozies-up.html",
    seed="001_6deae3e1fc49064b.txt",
    body_from=7,
    furniture_lines=("READ MORE:",),
    title="Russia’s Ally Belarus Cozies Up to China",
    byline="Victor Westerkamp",
    published=dt.date(2023, 3, 5),
    url="https://www.visiontimes.com/2023/03/05/russias-ally-belarus-cozies-up-to-china.html",
    language="en-US",
    outlet="Vision Times",
    domain="visiontimes.com",
    boilerplate=(
        "Truth, Inspiration, Hope.", "Opinion", "Donate", "Search", "Breadcrumb", "Published: March 5, 2023",
        "4 min read", "Share on Facebook", "Share on Telegram", "Copy link", "(Image: Video still CCTV",
        "Get the Vision Times newsletter", "in your inbox every morning", "Your email address", "READ MORE",
        "What It Says and What It Leaves Out", "Will Not Enter the War Unless Attacked", "Tags:",
        "Victor resides in the Netherlands", "Follow Victor Westerkamp", "Help us keep telling the truth",
        "Trending now", "Shen Yun", "Ancient Chinese Wisdom", "About us", "Careers", "Cookie Policy",
        "All rights reserved", "This website uses cookies", "Got it", "Learn more",
    ),
)  # fmt: skip
NATIONAL_HERALD = Page(
    file="nationalherald-china-belarus-ties.html",
    seed="004_3dd6b5021ef640bc.txt",
    body_from=6,
    furniture_lines=("Follow us on:", "Join our official telegram channel"),
    title="China, Belarus seek closer military ties",
    byline="DW",
    published=dt.date(2023, 8, 18),
    url="https://www.nationalheraldindia.com/international/china-belarus-seek-closer-military-ties",
    language="en",
    outlet="National Herald",
    domain="nationalheraldindia.com",
    boilerplate=(
        "E-Paper", "नवजीवन", "Breaking News", "Monsoon session", "International", "(photo: DW)", "user",
        "Published: 18 Aug 2023", "Share on WhatsApp", "Advertisement", "Also Read", "Moscow security conference",
        "Follow us on", "Google News", "Instagram", "Join our official telegram channel", "Tags:", "Trending",
        "Manipur violence", "Chandrayaan", "Recommended for you", "Wagner fighters", "skip G20",
        "Contact Us", "Powered by Quintype", "We use cookies and similar technologies", "Accept", "Reject",
    ),
)  # fmt: skip
BLOGGER = Page(
    file="blogger-legion-of-doom.html",
    seed="000_a7019eb4f8ffdaa4.txt",
    body_from=1,
    furniture_lines=("Our Latest Articles",),
    title="Legion of Doom? Belarus and China Plan on Deepening Military Cooperation",
    byline="Daniel Harlow",
    published=dt.date(2023, 3, 2),
    url="https://easternfrontreport.blogspot.com/2023/03/legion-of-doom-belarus-and-china-plan.html",
    language="en",
    outlet="Eastern Front Report",
    domain="easternfrontreport.blogspot.com",
    boilerplate=(
        "Independent analysis since 2009", "Pages", "Support Our Work", "Thursday, March 2, 2023", "Posted by",
        "10:15 AM", "Email This", "BlogThis!", "Share to Twitter", "Share to Pinterest", "Labels:", "comments:",
        "Anonymous", "said...", "The Eurasian bloc has been forming", "Who exactly is being restrained",
        "Post a Comment", "Newer Post", "Older Post", "Subscribe to:", "Post Comments (Atom)",
        "Our Latest Articles", "Battle for Bakhmut", "Petrodollar", "Blog Archive", "About Me",
        "Former merchant seaman", "View my complete profile", "Powered by Blogger",
        "This site uses cookies from Google", "Learn more",
    ),
)  # fmt: skip
ALL_PAGES = [CNN, WORDPRESS, VISION_TIMES, NATIONAL_HERALD, BLOGGER]
by_file = pytest.mark.parametrize("page", ALL_PAGES, ids=lambda page: page.file)


# --- the bar: every paragraph, none of the furniture ---------------------------


@by_file
def test_a_saved_page_gives_the_headline_then_every_body_paragraph_a_blank_line_apart(page):
    record = read_document(page.data(), name=page.file)
    assert record.text.split("\n\n") == [page.title, *page.body()]


@by_file
def test_a_saved_page_leaves_out_its_navigation_banners_related_links_comments_and_share_widgets(page):
    text = read_document(page.data(), name=page.file).text
    assert [phrase for phrase in page.boilerplate if phrase in text] == []


@by_file
def test_a_saved_page_gives_its_title_byline_date_canonical_url_language_and_site_name(page):
    record = read_document(page.data(), name=page.file)
    assert (record.title, record.byline, record.published, record.url, record.language, record.site_name) == (
        page.title,
        page.byline,
        page.published.isoformat(),
        page.url,
        page.language,
        page.outlet,
    )
    assert record.original_filename == page.file


def test_the_five_pages_import_under_their_outlets_with_their_metadata(db, tmp_path):
    for page in ALL_PAGES:
        (tmp_path / page.file).write_bytes(page.data())
    report = articles_in.import_paths([tmp_path])
    assert (sorted(report.created), report.failed) == (sorted(page.file for page in ALL_PAGES), [])
    rows = {
        article.original_filename: (
            article.title,
            article.byline,
            article.published,
            article.url,
            article.source.name,
            article.source.domain,
        )
        for article in Article.objects.select_related("source")
    }
    assert rows == {
        page.file: (page.title, page.byline, page.published, page.url, page.outlet, page.domain) for page in ALL_PAGES
    }
    assert Article.objects.get(original_filename=CNN.file).text == "\n\n".join([CNN.title, *CNN.body()])


def test_a_page_from_a_subdomain_goes_to_the_outlet_recorded_for_the_parent_domain(db, tmp_path):
    cnn = Source.objects.create(name="CNN International", domain="www.cnn.com")
    (tmp_path / CNN.file).write_bytes(CNN.data())
    articles_in.import_paths([tmp_path / CNN.file])
    assert Article.objects.get().source == cnn
    assert Source.objects.count() == 1


def test_importing_a_page_twice_changes_nothing_the_second_time(db, tmp_path):
    (tmp_path / CNN.file).write_bytes(CNN.data())
    articles_in.import_paths([tmp_path])
    before = list(Article.objects.values())
    report = articles_in.import_paths([tmp_path])
    assert (report.created, report.unchanged) == ([], [CNN.file])
    assert list(Article.objects.values()) == before


def test_a_manifest_row_overrides_what_the_page_says_and_keeps_what_it_leaves_empty(db, tmp_path):
    (tmp_path / CNN.file).write_bytes(CNN.data())
    (tmp_path / "manifest.csv").write_text(f"file,source,byline\n{CNN.file},Reviewed outlet,\n", encoding="utf-8")
    articles_in.import_paths([tmp_path])
    article = Article.objects.select_related("source").get()
    assert (article.source.name, article.byline, article.title) == ("Reviewed outlet", CNN.byline, CNN.title)


# --- decoding and markup ---------------------------------------------------------


def page_with(body: str, *, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head><title>Headline</title>{head}</head><body><article>{body}</article></body></html>"
    )


LONG = " ".join(["Lukashenko and Xi met in Beijing and signed a joint statement on defence cooperation."] * 4)


def test_a_page_in_windows_1252_is_read_in_the_encoding_its_meta_tag_names():
    page = page_with(
        f"<p>“{LONG}” – café</p>", head='<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    )
    record = read_document(page.encode("cp1252"), name="legacy.html")
    assert record.text == f"Headline\n\n“{LONG}” – café"


def test_an_iso_8859_1_label_is_read_as_windows_1252_as_browsers_do():
    page = page_with(f"<p>{LONG}’s</p>", head='<meta charset="ISO-8859-1">')
    assert read_document(page.encode("cp1252"), name="p.html").text.endswith("’s")


def test_the_content_type_charset_wins_over_the_page_own_meta_tag():
    page = page_with(f"<p>{LONG} Минск</p>", head='<meta charset="utf-8">')
    record = read_document(page.encode("cp1251"), name="p.html", content_type="text/html; charset=windows-1251")
    assert record.text.endswith("Минск")


def test_a_page_that_is_not_in_the_encoding_it_names_is_refused_saying_where():
    page = page_with(f"<p>{LONG} café</p>", head='<meta charset="utf-8">').encode("cp1252")
    with pytest.raises(articles_in.ImportProblem) as refused:
        read_document(page, name="p.html")
    position = page.index(b"caf\xe9") + 3
    assert str(refused.value) == (
        f"the page is not in the encoding its <meta charset> names, utf-8: byte 0xE9 at position {position:,}"
    )


def test_a_page_in_no_encoding_it_names_and_not_utf8_is_refused():
    page = page_with(f"<p>{LONG} café</p>").encode("cp1252")
    with pytest.raises(articles_in.ImportProblem, match=r"is not UTF-8 \(byte 0xE9 .*does not say which encoding"):
        read_document(page, name="p.html")


def test_an_unknown_encoding_name_is_refused_naming_it():
    page = page_with(f"<p>{LONG}</p>", head='<meta charset="klingon-8">').encode()
    with pytest.raises(articles_in.ImportProblem, match="the encoding 'klingon-8', which is not one we know"):
        read_document(page, name="p.html")


def test_entities_are_decoded_and_white_space_is_laid_out_as_a_reader_sees_it():
    page = page_with(
        f"<p>{LONG}\n   A &ldquo;quote&rdquo; &amp; an&nbsp;em&nbsp;&mdash; dash,\n\tsplit over lines.</p>"
    )
    assert (
        read_document(page.encode(), name="p.html")
        .text.split("\n\n")[1]
        .endswith("A “quote” & an em — dash, split over lines.")
    )


def test_a_single_br_is_a_line_break_and_a_double_one_a_new_paragraph():
    page = page_with(f"<div class='entry-content'>{LONG}<br>second line<br/><br />{LONG}<br><br><br>last</div>")
    paragraphs = read_document(page.encode(), name="p.html").text.split("\n\n")
    assert paragraphs == ["Headline", f"{LONG}\nsecond line", LONG, "last"]


def test_headings_lists_and_quoted_paragraphs_stay_blocks_of_their_own():
    page = page_with(
        f"<p>{LONG}</p><h2>What was agreed</h2><ul><li>drills next year</li><li>officer training</li></ul>"
        f"<blockquote><p>First quoted paragraph.</p><p>Second quoted paragraph.</p></blockquote><p>{LONG}</p>"
    )
    assert read_document(page.encode(), name="p.html").text.split("\n\n") == [
        "Headline",
        LONG,
        "What was agreed",
        "- drills next year\n- officer training",
        "First quoted paragraph.",
        "Second quoted paragraph.",
        LONG,
    ]


def test_the_text_is_stored_normalised(db):
    decomposed = "Cafe\u0301"
    page = page_with(f"<p>{LONG} {decomposed}</p>")
    values, _ = articles_in.prepare_article(read_document(page.encode(), name="p.html"))
    assert values["text"].endswith("Caf\u00e9")


def test_the_site_name_is_cut_from_a_title_that_carries_it():
    page = page_with(f"<p>{LONG}</p>", head='<meta property="og:title" content="Headline | The Outlet">'
                     '<meta property="og:site_name" content="The Outlet">')  # fmt: skip
    record = read_document(page.encode(), name="p.html")
    assert (record.title, record.site_name) == ("Headline", "The Outlet")


def test_a_canonical_url_that_is_no_web_address_gives_way_to_the_url_the_page_came_from():
    page = page_with(f"<p>{LONG}</p>", head='<link rel="canonical" href="javascript:alert(1)">')
    record = read_document(page.encode(), name="p.html", url="https://www.example.org/story")
    assert record.url == "https://www.example.org/story"


def test_the_language_falls_back_to_og_locale_when_the_html_element_has_none():
    page = page_with(f"<p>{LONG}</p>", head='<meta property="og:locale" content="de_DE">')
    assert read_document(page.encode(), name="p.html").language == "de-DE"


def test_block_paragraphs_of_trafilatura_output_keep_a_table_a_row_per_line():
    from lxml import etree

    body = etree.fromstring(
        "<body><table><row><cell>Year</cell><cell>Drills</cell></row><row><cell>2023</cell><cell>4</cell></row>"
        "</table></body>"
    )
    assert web_pages.block_paragraphs(body) == ["Year | Drills\n2023 | 4"]
