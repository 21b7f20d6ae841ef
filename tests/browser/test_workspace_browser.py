"""The review workspace in a real browser: select with the mouse or the
keyboard, press a label's key, and check what the server stored.

Offsets in the page are UTF-16 units (``window.__sm`` helpers from
conftest.py); offsets in the database and the export are code points, checked
against ``Article.text`` with Python's indexing.
"""

import re

import pytest
from playwright.sync_api import expect

from annotate.models import Annotation
from tests.browser.helpers import (
    click_before,
    drag_select,
    find16,
    marks_of,
    only_annotation,
    open_article,
    select_range,
    selected_text,
    status,
)
from tests.conftest import assign, make_annotation, make_article
from tests.exports import read_export

pytestmark = [
    pytest.mark.browser,
    # The live server sees only committed rows (conftest.default_labels puts
    # back the labels each test's flush removes).
    pytest.mark.django_db(transaction=True),
]

SEED = "003_c9aaef3b5bae2a7a.txt"
CLAIM = "who has a great deal of respect for Adolf Hitler"
OVERLAPPING_QUOTE = "Sanctions were applied and Lukashenko, who has a great deal"

THUMB = "\U0001f44d\U0001f3fd"  # 👍🏽: thumbs up + skin tone modifier, one grapheme, 4 UTF-16 units
FLAG = "\U0001f1e7\U0001f1fe"  # 🇧🇾: two regional indicators, one grapheme, 4 UTF-16 units
Q_TILDE = "q\u0303"  # q̃: no precomposed form, so NFC keeps two code points
EMOJI_TEXT = (
    f"Reactions: {THUMB} from Minsk, {FLAG} flags on balconies.\u00a0Beijing calls it 军事 cooperation; "
    f"the {Q_TILDE} spelling is a typo.\n\n\n\n\nThe ministry said the drills were purely defensive.\nEnd.\n"
)
EMOJI_PHRASE = "the drills were purely defensive"


# ---- marking -------------------------------------------------------------------


def test_mouse_drag_marks_unsupported_claim_and_exports_code_point_offsets(page, sign_in, alice, seed_articles):
    article = seed_articles[SEED]
    assign(article, alice)
    sign_in(page, alice)
    open_article(page, article)

    drag_select(page, *find16(page, CLAIM))
    assert selected_text(page) == CLAIM
    page.keyboard.press("u")

    expect(status(page)).to_have_text(f"Marked “{CLAIM}” as Unsupported claim.")
    mark = page.locator("#article-text mark.hl")
    expect(mark).to_have_count(1)
    expect(mark).to_have_text(CLAIM)
    expect(page.locator("#annotation-count")).to_have_text("1")
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"

    start = article.text.index(CLAIM)
    annotation = only_annotation()
    assert (annotation.start, annotation.end, annotation.quote) == (start, start + len(CLAIM), CLAIM)
    assert (annotation.label.slug, annotation.reviewer.username) == ("unsupported_claim", "alice")

    response = page.request.get("/export/annotations/?format=csv")
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/csv")
    rows = [row for row in read_export(response.body(), "csv") if row["quote"] == CLAIM]
    assert len(rows) == 1, rows
    row = rows[0]
    assert (row["start"], row["end"]) == (str(start), str(start + len(CLAIM)))
    assert (row["label"], row["reviewer"], row["article_id"]) == ("unsupported_claim", "alice", str(article.pk))


def test_keyboard_shift_arrow_selection_marks_exact_span(page, sign_in, alice, seed_articles):
    article = seed_articles[SEED]
    assign(article, alice)
    sign_in(page, alice)
    open_article(page, article)

    start16, _ = find16(page, CLAIM)
    click_before(page, start16)
    assert page.evaluate("() => window.getSelection().isCollapsed")
    for _ in range(len(CLAIM)):
        page.keyboard.press("Shift+ArrowRight")
    assert selected_text(page) == CLAIM
    page.keyboard.press("u")

    expect(status(page)).to_have_text(f"Marked “{CLAIM}” as Unsupported claim.")
    expect(page.locator("#article-text mark.hl")).to_have_text(CLAIM)
    start = article.text.index(CLAIM)
    annotation = only_annotation()
    assert (annotation.start, annotation.end, annotation.quote) == (start, start + len(CLAIM), CLAIM)
    assert annotation.label.slug == "unsupported_claim"


def test_ctrl_shift_arrows_grow_and_shrink_the_selection_by_words(page, sign_in, alice, seed_articles):
    article = seed_articles[SEED]
    assign(article, alice)
    sign_in(page, alice)
    open_article(page, article)

    click_before(page, find16(page, CLAIM)[0])
    for _ in range(3):
        page.keyboard.press("Control+Shift+ArrowRight")
    assert selected_text(page).strip() == "who has a"
    page.keyboard.press("Control+Shift+ArrowRight")
    assert selected_text(page).strip() == "who has a great"
    page.keyboard.press("Control+Shift+ArrowLeft")
    assert selected_text(page).strip() == "who has a"
    page.keyboard.press("o")

    # Any white space the word jump took in is trimmed from the span.
    expect(status(page)).to_have_text("Marked “who has a” as Opinion.")
    start = article.text.index(CLAIM)
    annotation = only_annotation()
    assert (annotation.start, annotation.end, annotation.quote) == (start, start + len("who has a"), "who has a")
    assert annotation.label.slug == "opinion"


def test_overlapping_quote_shares_a_mark_and_offers_the_other_span(page, sign_in, alice, labels, seed_articles):
    article = seed_articles[SEED]
    assign(article, alice)
    claim = make_annotation(article, labels["unsupported_claim"], alice, quote=CLAIM)
    sign_in(page, alice)
    open_article(page, article)

    drag_select(page, *find16(page, OVERLAPPING_QUOTE))
    page.keyboard.press("q")
    expect(status(page)).to_have_text(re.compile(r"^Marked “Sanctions were applied.*” as Quote\.$"))
    quote = only_annotation(label__slug="quote")
    start = article.text.index(OVERLAPPING_QUOTE)
    assert (quote.start, quote.end, quote.quote) == (start, start + len(OVERLAPPING_QUOTE), OVERLAPPING_QUOTE)

    # Innermost (shorter) span first in data-ids.
    shared = page.locator(f'#article-text mark.hl[data-ids="{claim.pk} {quote.pk}"]')
    expect(shared).to_have_count(1)
    expect(shared).to_have_text("who has a great deal")
    expect(shared).to_have_class(re.compile(r"\bhl-overlap\b"))
    expect(marks_of(page, quote.pk)).to_have_text(["Sanctions were applied and Lukashenko, ", "who has a great deal"])
    expect(marks_of(page, claim.pk)).to_have_text(["who has a great deal", " of respect for Adolf Hitler"])

    shared.click()
    details = page.locator("#details")
    expect(details).to_be_visible()
    expect(details.locator("[data-field=quote]")).to_have_text(CLAIM)
    expect(details.locator(".overlap-box")).to_be_visible()
    other = details.locator(".overlaps button")
    expect(other).to_have_count(1)
    expect(other).to_have_attribute("data-id", str(quote.pk))
    expect(other).to_have_text(re.compile(r"^Quote: “Sanctions were applied"))

    other.click()
    expect(details.locator("[data-field=label]")).to_have_text("Quote")
    expect(details.locator("[data-field=quote]")).to_have_text(OVERLAPPING_QUOTE)
    expect(details.locator("[data-field=offsets]")).to_have_text(f"[{quote.start}, {quote.end})")


# ---- details, undo, redo ---------------------------------------------------------


def test_change_label_and_note_then_undo_and_redo(page, sign_in, alice, labels, seed_articles):
    article = seed_articles[SEED]
    assign(article, alice)
    annotation = make_annotation(article, labels["fact"], alice, quote=CLAIM)
    sign_in(page, alice)
    open_article(page, article)

    marks_of(page, annotation.pk).click()
    details = page.locator("#details")
    expect(details.locator("#detail-label")).to_have_value("fact")
    details.locator("#detail-label").select_option("opinion")
    details.locator("#detail-note").fill("Loaded framing, no source given.")
    details.get_by_role("button", name="Save").click()

    expect(status(page)).to_have_text("Saved.")
    annotation.refresh_from_db()
    assert (annotation.label.slug, annotation.note) == ("opinion", "Loaded framing, no source given.")
    expect(details.locator("[data-field=label]")).to_have_text("Opinion")
    expect(page.locator("#annotation-list .entry .note")).to_have_text("Loaded framing, no source given.")

    page.keyboard.press("Control+z")
    expect(status(page)).to_have_text("Undid the change.")
    annotation.refresh_from_db()
    assert (annotation.label.slug, annotation.note) == ("fact", "")
    expect(details.locator("#detail-label")).to_have_value("fact")
    expect(details.locator("#detail-note")).to_have_value("")

    page.keyboard.press("Control+Shift+z")
    expect(status(page)).to_have_text("Redid the change.")
    annotation.refresh_from_db()
    assert (annotation.label.slug, annotation.note) == ("opinion", "Loaded framing, no source given.")
    expect(details.locator("#detail-label")).to_have_value("opinion")
    assert Annotation.objects.count() == 1


def test_delete_then_undo_brings_the_span_back(page, sign_in, alice, labels, seed_articles):
    article = seed_articles[SEED]
    assign(article, alice)
    annotation = make_annotation(article, labels["opinion"], alice, quote=CLAIM, note="keep this note")
    sign_in(page, alice)
    open_article(page, article)

    marks_of(page, annotation.pk).click()
    page.locator("#details").get_by_role("button", name="Delete").click()

    expect(status(page)).to_have_text("Deleted. Press Ctrl+Z (or Undo) to bring it back.")
    assert not Annotation.objects.exists()
    expect(page.locator("#article-text mark.hl")).to_have_count(0)
    expect(page.locator("#annotation-list li")).to_have_count(0)
    expect(page.locator("#details")).to_be_hidden()

    page.keyboard.press("Control+z")
    expect(status(page)).to_have_text("Undid the deletion.")
    restored = only_annotation()
    assert restored.pk != annotation.pk
    assert (restored.start, restored.end, restored.quote) == (annotation.start, annotation.end, CLAIM)
    assert (restored.label.slug, restored.note, restored.reviewer.username) == ("opinion", "keep this note", "alice")
    expect(marks_of(page, restored.pk)).to_have_text(CLAIM)
    expect(page.locator("#annotation-count")).to_have_text("1")


def test_mark_then_undo_and_redo_with_the_buttons(page, sign_in, alice, seed_articles):
    article = seed_articles[SEED]
    assign(article, alice)
    sign_in(page, alice)
    open_article(page, article)
    undo, redo = page.locator("#undo"), page.locator("#redo")
    expect(undo).to_be_disabled()
    expect(redo).to_be_disabled()

    page.keyboard.press("Control+z")
    expect(status(page)).to_have_text("Nothing to undo.")

    drag_select(page, *find16(page, CLAIM))
    page.keyboard.press("f")
    expect(status(page)).to_have_text(f"Marked “{CLAIM}” as Fact.")
    first = only_annotation()
    expect(undo).to_be_enabled()
    expect(redo).to_be_disabled()

    undo.click()
    expect(status(page)).to_have_text("Undid the marking.")
    assert not Annotation.objects.exists()
    expect(page.locator("#article-text mark.hl")).to_have_count(0)
    expect(undo).to_be_disabled()
    expect(redo).to_be_enabled()

    redo.click()
    expect(status(page)).to_have_text("Redid the marking.")
    again = only_annotation()
    assert again.pk != first.pk
    assert (again.start, again.end, again.quote, again.label.slug) == (first.start, first.end, CLAIM, "fact")
    expect(marks_of(page, again.pk)).to_have_text(CLAIM)
    expect(undo).to_be_enabled()
    expect(redo).to_be_disabled()

    page.keyboard.press("Control+y")
    expect(status(page)).to_have_text("Nothing to redo.")

    # The span redone is the one a second undo removes: the entry followed its new id.
    page.keyboard.press("Control+z")
    expect(status(page)).to_have_text("Undid the marking.")
    assert not Annotation.objects.exists()


def test_undo_of_a_span_deleted_elsewhere_says_so_and_can_be_tried_again(page, sign_in, alice, seed_articles):
    article = seed_articles[SEED]
    assign(article, alice)
    sign_in(page, alice)
    open_article(page, article)
    drag_select(page, *find16(page, CLAIM))
    page.keyboard.press("q")
    expect(status(page)).to_have_text(f"Marked “{CLAIM}” as Quote.")

    only_annotation().delete()
    page.keyboard.press("Control+z")
    expect(status(page)).to_have_text("This span is gone: it was deleted elsewhere. Reload to see the current spans.")
    expect(page.locator("#reload-spans")).to_be_visible()
    # The marking is still the entry to undo, not moved to redo.
    expect(page.locator("#undo")).to_be_enabled()
    page.keyboard.press("Control+y")
    expect(status(page)).to_have_text("Nothing to redo.")
    page.locator("#undo").click()
    expect(status(page)).to_have_text("This span is gone: it was deleted elsewhere. Reload to see the current spans.")


def test_another_reviewer_sees_the_span_read_only_and_cannot_delete_it(
    page, sign_in, alice, bob, labels, seed_articles, page_errors, settings
):
    # Written before independent judgement: every reviewer sees every span here.
    settings.INDEPENDENT_REVIEW = False
    article = seed_articles[SEED]
    assign(article, alice, bob)
    annotation = make_annotation(article, labels["unsupported_claim"], alice, quote=CLAIM)
    sign_in(page, bob)
    open_article(page, article)

    expect(marks_of(page, annotation.pk)).to_have_text(CLAIM)
    marks_of(page, annotation.pk).click()
    details = page.locator("#details")
    expect(details.locator("[data-field=reviewer]")).to_have_text("alice")
    expect(details.get_by_role("button", name="Save")).to_be_hidden()
    expect(details.get_by_role("button", name="Delete")).to_be_hidden()
    expect(details.locator(".read-only-note")).to_be_visible()
    expect(details.locator("#detail-note")).to_be_disabled()
    expect(details.locator("#detail-label")).to_be_disabled()

    with page.expect_console_message(lambda message: "403" in message.text):
        answer = page.evaluate(
            """async (id) => {
            const token = decodeURIComponent(document.cookie.match(/(?:^|;\\s*)csrftoken=([^;]+)/)[1]);
            const response = await fetch(`/annotations/${id}/`, {
                method: "DELETE", credentials: "same-origin",
                headers: { Accept: "application/json", "X-CSRFToken": token },
            });
            return { status: response.status, body: await response.json() };
        }""",
            annotation.pk,
        )
    assert answer["status"] == 403, answer
    assert "only the reviewer who made this span" in answer["body"]["error"]["message"]
    assert Annotation.objects.filter(pk=annotation.pk).exists()
    expect(marks_of(page, annotation.pk)).to_have_text(CLAIM)
    assert any("403" in line for line in page_errors.console), page_errors.console  # recorded, not fatal


# ---- text beyond ASCII -----------------------------------------------------------


def test_phrase_after_emoji_cjk_and_blank_lines_is_stored_in_code_points(page, sign_in, alice):
    article = make_article(EMOJI_TEXT, title="Emoji and friends")
    assign(article, alice)
    assert article.text == EMOJI_TEXT and Q_TILDE in article.text and "\u00a0" in article.text
    sign_in(page, alice)
    open_article(page, article)

    start16, end16 = find16(page, EMOJI_PHRASE)
    start = article.text.index(EMOJI_PHRASE)
    assert start16 - start == 4, "the thumb and the flag take two UTF-16 units more each"
    drag_select(page, start16, end16)
    assert selected_text(page) == EMOJI_PHRASE
    page.keyboard.press("f")

    expect(status(page)).to_have_text(f"Marked “{EMOJI_PHRASE}” as Fact.")
    annotation = only_annotation()
    assert annotation.quote == article.text[annotation.start : annotation.end] == EMOJI_PHRASE
    assert (annotation.start, annotation.end) == (start, start + len(EMOJI_PHRASE))
    expect(marks_of(page, annotation.pk)).to_have_text(EMOJI_PHRASE)
    marks_of(page, annotation.pk).click()
    expect(page.locator("#details [data-field=offsets]")).to_have_text(f"[{start}, {start + len(EMOJI_PHRASE)})")


# (cut_after, cut_at, selected_through, expected quote): the selection starts or
# ends ``cut_at`` UTF-16 units into ``cut_after``, inside one grapheme.
GRAPHEME_CUTS = {
    "start between thumb and skin tone": (THUMB, 2, f"{THUMB} from Minsk", f"{THUMB} from Minsk"),
    "start inside the thumb's surrogate pair": (THUMB, 1, f"{THUMB} from Minsk", f"{THUMB} from Minsk"),
    "end between the flag's two letters": (FLAG, 2, f"Minsk, {FLAG}", f"Minsk, {FLAG}"),
    "end between q and its combining tilde": (Q_TILDE, 1, f"the {Q_TILDE}", f"the {Q_TILDE}"),
}


@pytest.mark.parametrize("case", GRAPHEME_CUTS, ids=list(GRAPHEME_CUTS))
def test_selection_cutting_a_grapheme_snaps_to_the_whole_cluster(page, sign_in, alice, case):
    cluster, cut, through, expected = GRAPHEME_CUTS[case]
    article = make_article(EMOJI_TEXT, title="Emoji and friends")
    assign(article, alice)
    sign_in(page, alice)
    open_article(page, article)

    start16, end16 = find16(page, through)
    cluster16 = page.evaluate("([t, c]) => t.indexOf(c)", [through, cluster])
    if through.startswith(cluster):
        start16 += cut
    else:
        end16 = start16 + cluster16 + cut
    # The selection's range keeps the cut as given, so it is workspace.js that snaps.
    select_range(page, start16, end16)
    assert end16 - start16 < len(expected.encode("utf-16-le")) // 2
    page.keyboard.press("f")

    expect(status(page)).to_have_text(re.compile(r"^Marked “.*” as Fact\.$"))
    annotation = only_annotation()
    start = article.text.index(expected)
    assert annotation.quote == expected == article.text[annotation.start : annotation.end]
    assert (annotation.start, annotation.end) == (start, start + len(expected))


def test_empty_or_white_space_selection_marks_nothing_and_says_why(page, sign_in, alice):
    article = make_article(EMOJI_TEXT, title="Emoji and friends")
    assign(article, alice)
    sign_in(page, alice)
    open_article(page, article)

    click_before(page, find16(page, "The ministry")[0])
    assert page.evaluate("() => window.getSelection().isCollapsed")
    page.keyboard.press("f")
    expect(status(page)).to_have_text("Select some text in the article first.")
    expect(status(page)).to_have_attribute("data-kind", "error")

    # The blank lines before the phrase, selected from the keyboard.
    for _ in range(5):
        page.keyboard.press("Shift+ArrowLeft")
    assert selected_text(page) == "\n" * 5
    page.keyboard.press("f")
    expect(status(page)).to_have_text("The selection is only white space.")

    # A no-break space alone is white space too.
    page.evaluate("document.getElementById('status').textContent = ''")
    nbsp16 = page.evaluate("() => window.__sm.box().textContent.indexOf('\\u00a0')")
    select_range(page, nbsp16, nbsp16 + 1)
    assert selected_text(page) == "\u00a0"
    page.keyboard.press("f")
    expect(status(page)).to_have_text("The selection is only white space.")

    assert not Annotation.objects.exists()
    expect(page.locator("#article-text mark.hl")).to_have_count(0)
    expect(page.locator("#annotation-count")).to_have_text("0")


# ---- how it looks -------------------------------------------------------------------


def test_screenshot_of_a_marked_up_article(page, sign_in, alice, bob, labels, seed_articles, artifacts, settings):
    # Written before independent judgement: every reviewer sees every span here.
    settings.INDEPENDENT_REVIEW = False
    article = seed_articles[SEED]
    assign(article, alice, bob)
    spans = [
        ("fact", "Alexander Lukashenko was for years", alice, ""),
        ("opinion", "a benign but wary friend of the Western powers", alice, "Loaded framing."),
        ("unsupported_claim", "an arm of the Wall Street-based Goldman Sachs banking conglomerates", bob, ""),
        ("fact", "in 2014", alice, ""),
        ("unsupported_claim", CLAIM, alice, "No source for this."),
        ("quote", OVERLAPPING_QUOTE, alice, ""),
        ("opinion", "received hate mail courtesy of Western Press", bob, ""),
    ]
    made = {
        quote: make_annotation(article, labels[slug], who, quote=quote, note=note) for slug, quote, who, note in spans
    }
    page.set_viewport_size({"width": 1280, "height": 1100})  # the overlap fits above the fold
    sign_in(page, alice)
    open_article(page, article)

    expect(page.locator("#annotation-count")).to_have_text(str(len(spans)))
    shared = page.locator(f'#article-text mark.hl[data-ids="{made[CLAIM].pk} {made[OVERLAPPING_QUOTE].pk}"]')
    expect(shared).to_have_count(1)
    shared.click()
    expect(page.locator("#details")).to_be_visible()
    expect(page.locator("#details .overlaps button")).to_have_count(1)
    page.evaluate("window.scrollTo(0, 0)")

    path = artifacts / "workspace.png"
    page.screenshot(path=path)
    assert path.stat().st_size > 10_000
    # The overlap close up, to check the stacked underlines can be told apart.
    box = shared.bounding_box()
    page.screenshot(
        path=artifacts / "workspace-overlap.png",
        clip={"x": box["x"] - 260, "y": box["y"] - 20, "width": box["width"] + 520, "height": box["height"] + 40},
    )
