"""What browser tests do on a page: open an article, find a phrase in UTF-16
units, select it with the mouse or programmatically, and read back marks."""

from playwright.sync_api import expect

from annotate.models import Annotation


def open_article(page, article):
    page.goto(f"/articles/{article.pk}/")
    expect(page.locator("#article-text")).to_have_attribute("data-ready", "true")
    # Survives only as long as the document does: proves "no reload".
    page.evaluate("window.__sameDocument = true")


def find16(page, phrase: str) -> tuple[int, int]:
    """[start, end) of ``phrase`` in the page's text, in UTF-16 units."""
    start, end = page.evaluate("(phrase) => window.__sm.find(phrase)", phrase)
    return start, end


def client_rects(page, start16: int, end16: int) -> list[dict]:
    """The range's line boxes in viewport coordinates, after scrolling it to mid-screen
    (clear of the sticky label bar)."""
    rects = page.evaluate("([s, e]) => window.__sm.rects(s, e)", [start16, end16])
    assert rects, f"no client rects for [{start16}, {end16})"
    return rects


def drag_select(page, start16: int, end16: int):
    """Select with the mouse: press just inside the first character's left edge,
    drag to just inside the last character's right edge, release."""
    rects = client_rects(page, start16, end16)
    first, last = rects[0], rects[-1]
    page.mouse.move(first["left"] + 1, (first["top"] + first["bottom"]) / 2)
    page.mouse.down()
    page.mouse.move(last["right"] - 1, (last["top"] + last["bottom"]) / 2, steps=10)
    page.mouse.up()


def click_before(page, offset16: int):
    """Put the caret just before the character at ``offset16`` with a click."""
    rect = client_rects(page, offset16, offset16 + 1)[0]
    page.mouse.click(rect["left"] + 1, (rect["top"] + rect["bottom"]) / 2)


def select_range(page, start16: int, end16: int):
    """Select programmatically (for cuts no pointer can make), and check the
    selection's range is where it was put."""
    assert page.evaluate("([s, e]) => window.__sm.select(s, e)", [start16, end16]) == [start16, end16]


def selected_text(page) -> str:
    return page.evaluate("() => window.getSelection().toString()")


def marks_of(page, annotation_id: int):
    return page.locator(f'#article-text mark.hl[data-ids~="{annotation_id}"]')


def status(page):
    return page.locator("#status")


def only_annotation(**filters) -> Annotation:
    return Annotation.objects.select_related("label", "reviewer").get(**filters)
