"""Two versions of seed article 000, for the tests of what happens when an
article changes (re-anchoring, change notes): the text as imported, and a
second version as an outlet might publish it, edited by hand."""

from pathlib import Path

from annotate.rules.offsets import normalise_text

SEED = Path(__file__).resolve().parent.parent.parent / "seeds" / "000_a7019eb4f8ffdaa4.txt"


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def cut(text: str, start_words: str, end_words: str) -> str:
    """``text`` without the stretch from ``start_words`` up to (not
    including) ``end_words``."""
    return text[: text.index(start_words)] + text[text.index(end_words) :]


def seed_versions() -> tuple[str, str]:
    """Seed 000 as imported, and a second version of it as an outlet might
    publish it: one word changed, a sentence inserted, a paragraph, a
    sentence and a closing line deleted, one word dropped, a correction
    note added."""
    old = normalise_text(SEED.read_text(encoding="utf-8"))
    new = replace_once(old, "pledged to tighten their", "pledged to deepen their")
    new = replace_once(
        new,
        "\n\n“The parties will",
        "\n\nLukashenko was on a three-day state visit to China, his first since 2019.\n\n“The parties will",
    )
    new = cut(new, "On top of that", "“The sides will")
    new = cut(new, "It stressed that", "In addition, the two")
    new = replace_once(new, "a devastating military defeat", "a military defeat")
    new = replace_once(
        new,
        "Only restraint can avoid such a nightmare scenario.\n\n",
        "Correction: An earlier version of this article misstated the date of the talks.\n\n",
    )
    return old, new
