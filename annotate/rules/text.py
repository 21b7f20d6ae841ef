"""Plain-text helpers every layer shares: shortening text for display and
counting words as a reader does."""

import re

ELLIPSIS = "…"

_WORD = re.compile(r"\w+(?:[’'-]\w+)*")


def excerpt(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` code points, the last of them an
    ellipsis when anything was cut. Code points, not graphemes: a flag or a
    family emoji at the cut can lose its second half, which only shows in a
    label or a message, never in a stored quote."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def count_words(text: str) -> int:
    """Words as a reader counts them: runs of letters and digits, with
    inner apostrophes and hyphens (“Russia’s”, “fourth-term”) kept whole."""
    return sum(1 for _ in _WORD.finditer(text))
