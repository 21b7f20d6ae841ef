"""Where each reviewer span goes when a new version of an article's text
arrives: ``reanchor_spans(old_text, new_text, spans)``.

Each span (``[start, end)`` in code points of the old text, with its exact
quote) gets a ``Placement`` in one of four states:

- ``exact``: the same offsets, with the same quote there;
- ``moved``: the same quote at other offsets (``new_text[start:end] ==
  quote``, checked), carried there by the edits or found with the same
  context;
- ``fuzzy``: the quoted words were lightly edited; a proposed extent whose
  text is at least ``FUZZY_THRESHOLD`` similar to the quote, with its score.
  A person confirms it before it counts;
- ``orphaned``: not found; the placement keeps the old quote and context.

How. A character edit script from old to new (``text_edits``) carries
each old occurrence of a span's quote into the new text. Every
occurrence of the quote in both texts is then matched as a whole
(``_match_occurrences``), each new occurrence going to one old occurrence
at most: first those the edits kept whole, then a quote standing where
the edits put its start, then the same words found elsewhere with at
least MIN_CONTEXT_AGREEMENT characters of the same surroundings. Old
occurrences that no span is on take part too: after "Lukashenko said X.
Lukashenko said Y." loses its first sentence, it is the kept sentence's
own occurrence, marked or not, that keeps the span of the deleted one
off its words. New occurrences are found in the new text itself, so a
moved span's quote is the text at its new offsets. A span that matches
nothing is offered a fuzzy extent from the text that replaced it, or else
orphaned.

Deterministic: the same texts and spans give the same placements.
"""

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from rapidfuzz import fuzz

from annotate.rules.offsets import (
    SpanError,
    cluster_split_by,
    quote_context,
    snap_to_graphemes,
    trim_whitespace,
    validate_span,
)
from annotate.rules.text_edits import OffsetMap, character_edits

# A proposed extent must be this similar to the quote (rapidfuzz's
# ``fuzz.ratio``: 100 × (1 − Indel distance / the two lengths together)) to
# be offered. A word changed in a sentence passes ("avoid" → "avert" in a
# 51-character quote: 94; "Monday" → "Tuesday" in "Lukashenko said on
# Monday": 86), and so do two words of a short clause ("the two countries
# plan to provide support" → "...nations intend...": 80.5). A rewritten
# sentence does not ("Only restraint can avoid such a nightmare scenario."
# → "Only diplomacy can prevent such a scenario.": 62), nor a paraphrase,
# nor one word for another ("Monday" → "Tuesday" alone: 46). It counts
# characters in common, not meaning ("Belarus and China have pledged to
# tighten their cooperation" → "...declined to expand...": 85), which is
# why a person confirms every fuzzy placement. tests/rules/test_reanchoring.py pins these figures.
FUZZY_THRESHOLD = 80.0

# Characters of unchanged context (counted outward from the quote, both
# sides together, at most CONTEXT_WIDTH a side) for an occurrence to be
# taken as the span's where the edits did not carry the span there. An
# unrelated occurrence of the same words shares a few by chance (a space, a
# full stop, " the "); sixteen is about three words in a row.
MIN_CONTEXT_AGREEMENT = 16
# Half of it: an occurrence with enough agreement agrees on at least this
# many characters on one side, which lets candidates be looked up by key.
_KEY_WIDTH = MIN_CONTEXT_AGREEMENT // 2


class AnchorState(StrEnum):
    EXACT = "exact"
    MOVED = "moved"
    FUZZY = "fuzzy"
    ORPHANED = "orphaned"


class SpanAnchor(NamedTuple):
    """A span as it was: ``[start, end)`` of the old text, and its quote."""

    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Placement:
    """Where a span goes in the new text.

    ``start``, ``end`` and ``quote`` (``new_text[start:end]``) are None when
    orphaned. ``similarity`` is 100 for exact and moved placements, the
    fuzzy score for a fuzzy one, None for an orphan. ``old`` is the span as
    it was, and ``prefix``/``suffix`` its context in the old text (up to
    CONTEXT_WIDTH code points), kept so that an orphan can be found again.
    """

    state: AnchorState
    start: int | None
    end: int | None
    quote: str | None
    similarity: float | None
    old: SpanAnchor
    prefix: str
    suffix: str


def reanchor_spans(old_text: str, new_text: str, spans: Sequence[SpanAnchor]) -> list[Placement]:
    """A placement for each of ``spans``, in order (see the module's
    docstring). Raises SpanError, naming the span by its index, when a span
    does not fit ``old_text`` or its quote is not the text there."""
    spans = [SpanAnchor(*span) for span in spans]
    for index, span in enumerate(spans):
        try:
            validate_span(old_text, span.start, span.end, span.quote, whole_graphemes=False)
        except SpanError as error:
            raise SpanError(f"span {index}: {error}", field=error.field) from error
    offset_map = OffsetMap(character_edits(old_text, new_text))
    matches = {
        quote: _match_occurrences(old_text, new_text, quote, offset_map) for quote in {span.quote for span in spans}
    }
    return [_place(old_text, new_text, span, offset_map, matches[span.quote]) for span in spans]


def _place(old_text: str, new_text: str, span: SpanAnchor, offset_map: OffsetMap, matched: dict[int, int]):
    prefix, suffix = quote_context(old_text, span.start, span.end)

    def placement(state: AnchorState, start=None, end=None, similarity=None) -> Placement:
        quote = None if start is None else new_text[start:end]
        return Placement(state, start, end, quote, similarity, span, prefix, suffix)

    if span.start in matched:
        start = matched[span.start]
        state = AnchorState.EXACT if start == span.start else AnchorState.MOVED
        return placement(state, start, start + len(span.quote), 100.0)
    proposal = _fuzzy_proposal(old_text, new_text, span, offset_map)
    if proposal is None:
        return placement(AnchorState.ORPHANED)
    similarity, start, end = proposal
    return placement(AnchorState.FUZZY, start, end, similarity)


def _occurrences(text: str, quote: str) -> list[int]:
    """Every position where ``quote`` starts in ``text``, overlapping ones too."""
    found = []
    position = text.find(quote)
    while position != -1:
        found.append(position)
        position = text.find(quote, position + 1)
    return found


def context_agreement(old_text: str, old_start: int, new_text: str, new_start: int, length: int) -> int:
    """How many characters of context agree around an occurrence of the
    same ``length`` characters at ``old_start`` of the old text and
    ``new_start`` of the new one: those in common counted outward from the
    quote, at most CONTEXT_WIDTH on each side. A text's edge agrees with
    nothing, so a quote at the start of both texts gains nothing there."""
    before_old, after_old = quote_context(old_text, old_start, old_start + length)
    before_new, after_new = quote_context(new_text, new_start, new_start + length)
    return _common_length(before_old[::-1], before_new[::-1]) + _common_length(after_old, after_new)


def _common_length(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share from their start: equal
    slices compared in C, halving the range, rather than a loop over
    characters (this runs for every candidate pair)."""
    agree, differ = 0, min(len(a), len(b)) + 1
    while differ - agree > 1:
        middle = (agree + differ) // 2
        if a[:middle] == b[:middle]:
            agree = middle
        else:
            differ = middle
    return agree


def _match_occurrences(old_text: str, new_text: str, quote: str, offset_map: OffsetMap) -> dict[int, int]:
    """Old occurrence of ``quote`` → the new occurrence that is the same
    words, for those that have one. Each occurrence is used once, and the
    new one must split no grapheme cluster (a combining mark or a joiner
    inserted next to the quote makes it part of another character).

    Pairs are taken in three tiers, and within a tier by the most context
    in agreement, then the nearest to where the edits put the old
    occurrence:

    1. the edits kept the old occurrence whole, and it is this new one;
    2. the quote stands where the edits put the old occurrence's start,
       though they did not keep all of it: a deletion just after it that
       ends with the same characters as the quote can be read as taking
       those instead;
    3. the two contexts agree on at least MIN_CONTEXT_AGREEMENT characters:
       words the edits did not carry, such as a paragraph moved elsewhere.

    The edits come first because around a deleted sentence the
    surroundings of two occurrences can agree almost equally (in "P. L said
    X. L said Y." → "P. L said Y.", the first "L said" agrees with the kept
    one on "P. " before it, the second on " Y." after it), and the edits,
    which align whole sentences and put the ends of an edit on sentence
    and word boundaries (text_edits), are the better judge. So an
    occurrence that survived in its own place is never taken by a span
    whose place was deleted.
    """
    length = len(quote)

    def splits_nothing(position: int) -> bool:
        return cluster_split_by(new_text, position) is None and cluster_split_by(new_text, position + length) is None

    # The edits' pairs need no contest: the edits carry distinct old
    # occurrences to distinct new ones.
    matched: dict[int, int] = {}
    unmatched = []
    for old in _occurrences(old_text, quote):
        image = offset_map.kept_image(old, old + length)
        if image is not None and splits_nothing(image):
            matched[old] = image
        else:
            unmatched.append(old)
    if not unmatched:
        return matched
    taken = set(matched.values())
    free = [
        position for position in _occurrences(new_text, quote) if position not in taken and splits_nothing(position)
    ]
    # An occurrence that agrees on MIN_CONTEXT_AGREEMENT characters agrees
    # on at least _KEY_WIDTH of them on one side: the _KEY_WIDTH characters
    # next to it there are the same, so they find it without comparing
    # every old occurrence with every new one.
    by_before, by_after, by_position = defaultdict(list), defaultdict(list), set(free)
    for position in free:
        by_before[new_text[position - _KEY_WIDTH : position] if position >= _KEY_WIDTH else None].append(position)
        by_after[new_text[position + length : position + length + _KEY_WIDTH]].append(position)
    ranked = []
    for old in unmatched:
        mapped = offset_map.map_start(old)
        candidates = set(by_after[old_text[old + length : old + length + _KEY_WIDTH]])
        if old >= _KEY_WIDTH:
            candidates.update(by_before[old_text[old - _KEY_WIDTH : old]])
        if mapped in by_position:
            candidates.add(mapped)
        for new in candidates:
            agreement = context_agreement(old_text, old, new_text, new, length)
            if new == mapped or agreement >= MIN_CONTEXT_AGREEMENT:
                ranked.append((new != mapped, -agreement, abs(new - mapped), old, new))
    for *_, old, new in sorted(ranked):
        if old not in matched and new not in taken:
            matched[old] = new
            taken.add(new)
    return matched


def _fuzzy_proposal(old_text: str, new_text: str, span: SpanAnchor, offset_map: OffsetMap):
    """(similarity, start, end) of the best extent for a span whose words
    were edited, or None when nothing scores FUZZY_THRESHOLD.

    The extent is looked for only in what replaced the span (its ends
    carried through the edits, replacements included), so a span whose
    words were deleted outright is never offered a neighbour's similar
    words. Two candidates: that stretch itself, and the part of it that
    best aligns with the quote (``fuzz.partial_ratio_alignment``, as long
    as the quote). An end of a candidate that falls inside a word, where
    the old quote's end did not, may go to either edge of that word. Each is trimmed of white space and widened to
    whole graphemes, as a reviewer's selection is; the best score wins (on
    a tie, the later extent). An empty one scores 0.
    """
    low, high = offset_map.map_start(span.start), offset_map.map_end(span.end)
    quote = span.quote
    alignment = fuzz.partial_ratio_alignment(quote, new_text[low:high])
    candidates = [(low, high), (low + alignment.dest_start, low + alignment.dest_end)]
    starts_a_word, ends_a_word = _at_word_edge(old_text, span.start), _at_word_edge(old_text, span.end)
    scored = []
    for low_end, high_end in candidates:
        for start, end in itertools.product(
            _word_edges(new_text, low_end) if starts_a_word else [low_end],
            _word_edges(new_text, high_end) if ends_a_word else [high_end],
        ):
            trimmed = trim_whitespace(new_text, start, end)
            extent = snap_to_graphemes(new_text, trimmed.start, trimmed.end)
            scored.append((fuzz.ratio(quote, new_text[extent.start : extent.end]), extent.start, extent.end))
    best = max(scored)
    return best if best[0] >= FUZZY_THRESHOLD else None


def _at_word_edge(text: str, index: int) -> bool:
    """Whether ``index`` is not inside a word: a letter or digit on at most
    one side of it."""
    return not (0 < index < len(text) and text[index - 1].isalnum() and text[index].isalnum())


def _word_edges(text: str, index: int) -> list[int]:
    """``index`` when it is at a word's edge, else the start and the end of
    the word it falls inside."""
    if _at_word_edge(text, index):
        return [index]
    start = end = index
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return [start, end]
