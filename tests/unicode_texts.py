"""Hypothesis strategies for texts that are hard to cut, for the offset
property tests in Python (offsets, W3C and doccano round trips).

``clustered_texts`` builds a stored (normalised) text from pieces that are
one grapheme cluster each, so every boundary is known from the pieces
alone: runs of up to 40 flags, ZWJ families with and without skin tones,
letters with up to 100 combining marks, U+FEFF and U+200B, and plain
letters, CJK and Cyrillic between them. ``awkward_texts`` adds what the
pieces leave out (stray combining marks, odd runs of regional indicators,
any character at all), for tests whose oracle is segmenting the whole text.
"""

import regex
from hypothesis import strategies as st

from annotate.rules.offsets import normalise_text

REGIONAL_INDICATORS = st.integers(0x1F1E6, 0x1F1FF).map(chr)
SKIN_TONES = ["\U0001f3fb", "\U0001f3fc", "\U0001f3fd", "\U0001f3fe", "\U0001f3ff"]
PEOPLE = ["\U0001f468", "\U0001f469", "\U0001f467", "\U0001f466", "\U0001f9d1"]
# Marks that compose with nothing after q or 习, so NFC keeps their count
# (it may still reorder them).
MARKS = ["\u0301", "\u0300", "\u0323", "\u0308", "\u20dd", "\u0302", "\u0316"]

FLAG = st.tuples(REGIONAL_INDICATORS, REGIONAL_INDICATORS).map("".join)
FAMILY = st.lists(
    st.tuples(st.sampled_from(PEOPLE), st.sampled_from(["", "", *SKIN_TONES])).map("".join), min_size=2, max_size=12
).map("\u200d".join)
COMBINING = st.tuples(st.sampled_from("q习"), st.lists(st.sampled_from(MARKS), min_size=1, max_size=100)).map(
    lambda parts: normalise_text(parts[0] + "".join(parts[1]))
)
SINGLE = st.sampled_from(
    [
        "a", "b", "z", " ", " ", "\n", ".", "\t", "\u00a0",  # plain
        "\ufeff", "\u200b",  # zero-width no-break space and zero-width space: controls, a cluster each
        "习", "近", "Д", "я", "\u00e9", "\u00c5", "각",
        "\U0001f600", "\U00020bb7", "\U0001d11e",  # astral: two UTF-16 units
        "\U0001f44d\U0001f3fd",  # thumbs up, medium skin tone
        "1\ufe0f\u20e3",  # keycap
        "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag
        "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # England: tag sequence
        "\u0915\u094d\u0937",  # Devanagari conjunct kssa (Unicode 15.1's GB9c)
    ]
)  # fmt: skip
# A piece is a list of clusters: a run of flags is many clusters that must
# stay together, since indicators pair from the start of their run.
PIECE = st.one_of(
    SINGLE.map(lambda cluster: [cluster]),
    st.lists(FLAG, min_size=1, max_size=40),
    FAMILY.map(lambda cluster: [cluster]),
    COMBINING.map(lambda cluster: [cluster]),
    st.integers(1, 80).map(lambda count: ["w"] * count),
)


@st.composite
def clustered_texts(draw, *, max_pieces: int = 20) -> tuple[str, list[int]]:
    """A normalised text and all its grapheme boundaries (code points,
    both ends included), known from how the text was put together."""
    clusters = [cluster for piece in draw(st.lists(PIECE, min_size=1, max_size=max_pieces)) for cluster in piece]
    # A stored text never starts with U+FEFF: that is a byte order mark,
    # which the import strips.
    while clusters[0] == "\ufeff":
        clusters[0] = draw(st.sampled_from(["a", "\U0001f600", "习"]))
    text = "".join(clusters)
    # Guards the pieces above, not the code under test: each is already in
    # stored form and composes with no neighbour.
    assert normalise_text(text) == text, ascii(text)
    boundaries = [0]
    for cluster in clusters:
        boundaries.append(boundaries[-1] + len(cluster))
    return text, boundaries


AWKWARD = st.one_of(
    PIECE.map("".join),
    st.sampled_from(MARKS),  # a mark with no letter before it, or joining whatever is there
    REGIONAL_INDICATORS,  # one indicator more shifts the pairing of the run it joins
    st.sampled_from(["\u200d", "\u200c", "\ufe0f", "\r\n", "\r", "\u1100", "\u1161", "\u11a8", "\u094d", "\u0600"]),
    st.characters(exclude_categories=("Cs",)),
)
awkward_texts = st.lists(AWKWARD, min_size=1, max_size=30).map("".join).map(normalise_text).filter(bool)


def whole_text_boundaries(text: str) -> list[int]:
    """Every grapheme boundary of ``text`` (both ends included), from
    segmenting all of it at once: what offsets.py must agree with while
    segmenting only a stretch around each offset."""
    boundaries = [0]
    for cluster in regex.findall(r"\X", text):
        boundaries.append(boundaries[-1] + len(cluster))
    return boundaries


@st.composite
def spans_on_boundaries(draw, boundaries: list[int], *, max_size: int = 6) -> list[tuple[int, int]]:
    """Distinct spans whose ends are grapheme boundaries."""
    pairs = st.tuples(st.sampled_from(boundaries), st.sampled_from(boundaries)).filter(lambda s: s[0] < s[1])
    return draw(st.lists(pairs, max_size=max_size, unique=True))
