"""Text normalisation and span arithmetic: the one place that decides what an
offset means.

An annotation is ``[start, end)`` in Unicode code points of the article's
stored, normalised text, plus ``quote == text[start:end]``. Python strings are
indexed by code point, so on the server the arithmetic is plain slicing; the
browser counts UTF-16 code units, and the two converters below translate.

Nothing here touches the ORM: every function takes and returns plain values.
"""

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass

import regex

from annotate.rules.text import excerpt

CONTEXT_WIDTH = 32


class SpanError(ValueError):
    """A span that does not fit its text. ``field`` names the offending input."""

    def __init__(self, message: str, *, field: str = "span"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Extent:
    """``[start, end)`` in code points of a text."""

    start: int
    end: int


class CharacterSplit(SpanError):
    """A span's ``name`` end (start or end) at ``offset``, inside the
    grapheme cluster ``cluster``, which reads ``character``."""

    def __init__(self, name: str, offset: int, cluster: Extent, character: str):
        super().__init__(self.describe(name, offset, cluster, character), field=name)
        self.offset, self.cluster, self.character = offset, cluster, character

    @staticmethod
    def describe(name: str, offset: int, cluster: Extent, character: str) -> str:
        """The refusal in words, in whatever units ``offset`` and ``cluster`` count."""
        return f"{name} {offset} splits the character {excerpt(character, 20)} at [{cluster.start}, {cluster.end})"


def normalise_text(text: str) -> str:
    """The stored form of an article: BOM stripped, CRLF/CR as LF, Unicode NFC.

    Idempotent: ``normalise_text(normalise_text(t)) == normalise_text(t)``.
    """
    # Every leading BOM, not just one: a file saved twice by a BOM-adding
    # editor starts with two, and keeping the second would make the result
    # non-idempotent (and refused by Article.clean).
    return normalise_piece(text.lstrip("\ufeff"))


def normalise_piece(piece: str) -> str:
    """A piece of a text (a quote, its context) in the stored form: CRLF/CR
    as LF, Unicode NFC. Unlike ``normalise_text`` it keeps a leading U+FEFF:
    only a whole text starts with a byte order mark; inside one, U+FEFF is a
    zero-width no-break space, and a quote that starts with it means it.
    A piece of a stored text comes back unchanged."""
    return unicodedata.normalize("NFC", piece.replace("\r\n", "\n").replace("\r", "\n"))


def validate_span(text: str, start, end, quote: str | None = None, *, whole_graphemes: bool = True) -> None:
    """Raise SpanError unless ``0 <= start < end <= len(text)``, when a
    quote is given ``text[start:end] == quote``, and (with
    ``whole_graphemes``) neither end splits a character the reader sees as
    one: an extended grapheme cluster such as a flag, an emoji with its skin
    tone or a letter with its combining accents."""
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SpanError(f"{name} must be a whole number, got {value!r}", field=name)
    if start < 0:
        raise SpanError(f"start {start} is negative", field="start")
    if end > len(text):
        raise SpanError(f"end {end} is past the end of the text ({len(text)} characters)", field="end")
    if start >= end:
        raise SpanError(f"start {start} must be before end {end}", field="end")
    if quote is not None and text[start:end] != quote:
        raise SpanError(
            f"quote {excerpt(quote, 60)!r} does not match the text at [{start}, {end}), "
            f"which reads {excerpt(text[start:end], 60)!r}",
            field="quote",
        )
    if whole_graphemes:
        for name, offset in (("start", start), ("end", end)):
            cluster = cluster_split_by(text, offset)
            if cluster is not None:
                raise CharacterSplit(name, offset, cluster, text[cluster.start : cluster.end])


def quote_context(text: str, start: int, end: int, width: int = CONTEXT_WIDTH) -> tuple[str, str]:
    """The up-to-``width`` code points before and after a span (prefix, suffix)."""
    return text[max(0, start - width) : start], text[end : end + width]


class Utf16Map:
    """Translates offsets between code points (the server) and UTF-16 code
    units (the browser) for one text.

    Only characters outside the Basic Multilingual Plane take two UTF-16
    units, so a translation is the offset plus or minus the number of such
    characters before it: one bisect into their positions, built once per
    text. A page with 500 spans on a 50,000-character article translates
    1,000 offsets without rescanning the text for each.
    """

    def __init__(self, text: str):
        self.length = len(text)
        # Code point index of every astral character, and its UTF-16 index.
        self._astral = [match.start() for match in _ASTRAL.finditer(text)]
        self._astral_utf16 = [index + rank for rank, index in enumerate(self._astral)]
        self.utf16_length = self.length + len(self._astral)

    def to_utf16(self, offset: int) -> int:
        return offset + bisect.bisect_left(self._astral, offset)

    def to_codepoint(self, utf16_offset: int) -> int:
        """Raises SpanError if the offset is out of range or falls between
        the two halves of a surrogate pair, which no real selection can do."""
        if isinstance(utf16_offset, bool) or not isinstance(utf16_offset, int):
            raise SpanError(f"offset must be a whole number, got {utf16_offset!r}", field="start")
        if utf16_offset < 0:
            raise SpanError(f"offset {utf16_offset} is negative", field="start")
        if utf16_offset > self.utf16_length:
            raise SpanError(f"offset {utf16_offset} is past the end of the text", field="end")
        before = bisect.bisect_left(self._astral_utf16, utf16_offset)
        if before and self._astral_utf16[before - 1] + 1 == utf16_offset:
            raise SpanError(f"offset {utf16_offset} splits a character", field="start")
        return utf16_offset - before


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# One extended grapheme cluster (UAX #29), as the browser's Intl.Segmenter
# sees it; the standard library's re has no \X.
_CLUSTER = regex.compile(r"\X")

# Characters between two of which a grapheme boundary always falls, whatever
# came before: ASCII but CR (which joins a following LF), and letters of
# Grapheme_Cluster_Break "Other" with no emoji, Hangul-jamo or Indic
# conjunct role. No rule of UAX #29 but GB999 (break) applies to such a
# pair. offsets.js keeps the same list.
_PLAIN = regex.compile(
    "[\t\n\x20-\x7e\u00a0\u00c0-\u024f\u0391-\u03c9\u0400-\u0482\u048a-\u04ff\u05d0-\u05ea"
    "\u0620-\u064a\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff\uac00-\ud7a3]"
)


def _is_sure_boundary(text: str, index: int) -> bool:
    """Whether segmenting the whole text certainly puts a boundary at
    ``index``, judging by the two characters around it alone: the text's
    ends, just after a line feed (GB4), or between two plain characters."""
    if index <= 0 or index >= len(text):
        return True
    before = text[index - 1]
    return before == "\n" or (_PLAIN.match(before) is not None and _PLAIN.match(text[index]) is not None)


def cluster_split_by(text: str, offset: int) -> Extent | None:
    """The extended grapheme cluster that ``offset`` cuts in two (``start <
    offset < end``), or None when ``offset`` falls between clusters, as the
    text's two ends always do.

    Only the stretch between the sure boundaries either side of ``offset``
    is segmented, not the text from its start: in running text that is a
    few characters, however long the article. A fixed window would not do,
    since a cluster can be any length and regional indicators pair into
    flags counting from the start of their run."""
    if _is_sure_boundary(text, offset):
        return None
    start = offset - 1
    while not _is_sure_boundary(text, start):
        start -= 1
    end = offset + 1
    while not _is_sure_boundary(text, end):
        end += 1
    boundaries = list(itertools.accumulate(map(len, _CLUSTER.findall(text[start:end])), initial=start))
    after = bisect.bisect_right(boundaries, offset)
    if boundaries[after - 1] == offset:
        return None
    return Extent(boundaries[after - 1], boundaries[after])


def trim_whitespace(text: str, start: int, end: int) -> Extent:
    """``[start, end)`` shrunk past leading and trailing white space, as the
    browser trims a selection (``trimSpan`` in offsets.js). Unicode's
    White_Space, so U+FEFF inside a text is content, not space. Empty
    (``start == end``) when the extent held only white space."""
    while start < end and _SPACE.match(text, start):
        start += 1
    while end > start and _SPACE.match(text, end - 1):
        end -= 1
    return Extent(start, end)


def snap_to_graphemes(text: str, start: int, end: int) -> Extent:
    """``[start, end)`` widened to the nearest grapheme boundaries, so that
    it splits no character the reader sees as one (``snapToGraphemes`` in
    offsets.js): the start moves back to its cluster's start, the end
    forward to its cluster's end."""
    cut = cluster_split_by(text, start)
    if cut is not None:
        start = cut.start
    cut = cluster_split_by(text, end)
    if cut is not None:
        end = cut.end
    return Extent(start, end)


_SPACE = regex.compile(r"\p{White_Space}")


def reanchor(text: str, exact: str, *, prefix: str = "", suffix: str = "", start: int | None = None) -> Extent:
    """Where a quote sits in ``text``, for an annotation whose positions may
    no longer fit (the text was edited, re-normalised or re-imported).

    The positions win when they still hold the quote. Otherwise every exact
    occurrence of the quote is a candidate, and the one whose surroundings
    best match ``prefix`` and ``suffix`` (characters in common, counted
    outward from the quote) wins, ties going to the one nearest ``start``.
    Raises SpanError when the quote does not occur at all: a span is never
    moved onto text that is not its quote.
    """
    if not exact:
        raise SpanError("the quote is empty", field="quote")
    usable = isinstance(start, int) and not isinstance(start, bool) and start >= 0
    if usable and text[start : start + len(exact)] == exact:
        return Extent(start, start + len(exact))
    candidates = []
    found = text.find(exact)
    while found != -1:
        candidates.append(found)
        found = text.find(exact, found + 1)
    if not candidates:
        raise SpanError(f"the quote {excerpt(exact, 60)!r} does not occur in the text", field="quote")
    hint = start if usable else 0

    def score(position: int) -> tuple[int, int]:
        before = text[max(0, position - len(prefix)) : position]
        after = text[position + len(exact) : position + len(exact) + len(suffix)]
        return (_common_suffix(before, prefix) + _common_prefix(after, suffix), -abs(position - hint))

    best = max(candidates, key=score)
    return Extent(best, best + len(exact))


def _common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def map_through_normalisation(raw: str, start: int, end: int) -> Extent:
    """Offsets into ``raw`` carried over to ``normalise_text(raw)``: a file
    from another tool counts in its own text, which may still hold a BOM,
    CRLF line ends or decomposed accents that the stored text does not.
    Raises SpanError when the span cuts through something normalisation
    merges (half a CRLF, a letter without its accent)."""
    # The raw text's clusters are not the stored ones: whether the span
    # splits a character is asked of the normalised text, where it is stored.
    validate_span(raw, start, end, whole_graphemes=False)
    normal = normalise_text(raw)
    new_start = len(normalise_text(raw[:start]))
    new_end = len(normalise_text(raw[:end]))
    # Every leading BOM goes, however many, and wherever the span starts
    # among them.
    boms = len(raw) - len(raw.lstrip("\ufeff"))
    piece = normalise_piece(raw[max(start, boms) : end])
    # Half a CRLF passes the comparison below, since a CR alone is a line
    # end too; it is the one join that must be looked for.
    cuts_crlf = any(raw[max(offset - 1, 0) : offset + 1] == "\r\n" for offset in (start, end))
    if cuts_crlf or new_start >= new_end or normal[new_start:new_end] != piece:
        raise SpanError(f"the span [{start}, {end}) cuts through a character that normalisation joins", field="start")
    return Extent(new_start, new_end)


class NormalisationMap:
    """``map_through_normalisation`` for many spans of one raw text, which
    is normalised once rather than once per span. A text already in the
    stored form (a doccano line exported by Sourcemark, or any text saved
    as NFC with LF line ends) maps every offset to itself: any piece of an
    NFC text is NFC (the composition that made the whole sees only the
    characters within the piece), so no span of it can cut through
    anything normalisation joins, and it only has to fit."""

    def __init__(self, raw: str):
        self.raw = raw
        self.normal = normalise_text(raw)
        self.unchanged = self.normal == raw

    def map(self, start: int, end: int) -> Extent:
        if not self.unchanged:
            return map_through_normalisation(self.raw, start, end)
        validate_span(self.raw, start, end, whole_graphemes=False)
        return Extent(start, end)
