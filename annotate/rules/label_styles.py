"""Label colours as a stylesheet. The Content-Security-Policy refuses inline
style attributes (style-src 'self'), so a page cannot say
style="--label: #1f77b4"; it says class="label-colour-fact" instead, and this
stylesheet, served from /labels.css, gives each class its colour."""

import hashlib
import re
from collections.abc import Iterable

# Label.colour is validated to this shape; anything else (a row written
# around the validator) is left out rather than written into CSS. Matched
# whole (fullmatch): "$" would also match before a final newline.
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def label_class(slug: str) -> str:
    return f"label-colour-{slug}"


def label_stylesheet(labels: Iterable[tuple[str, str]]) -> str:
    """CSS setting --label for each (slug, colour) pair's class."""
    return "".join(
        f".{label_class(slug)} {{ --label: {colour}; }}\n"
        for slug, colour in labels
        if _SLUG.fullmatch(slug) and _COLOUR.fullmatch(colour)
    )


def stylesheet_etag(css: str) -> str:
    return '"' + hashlib.sha256(css.encode()).hexdigest()[:32] + '"'
