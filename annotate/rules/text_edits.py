"""The character edits from one version of an article's text to the next,
and offsets carried through them.

``character_edits`` returns an edit script: a list of ``Edit`` pieces that
cover both texts from start to end, alternating between kept stretches
(the same characters in both) and changed ones (deleted, inserted or
replaced characters). ``OffsetMap`` carries an old offset to the new text
through it. Both are plain values over plain strings.

Speed. A longest-common-subsequence alignment of two 50,000-character texts
costs a few hundred milliseconds even in rapidfuzz's bit-parallel C++
(``Indel.opcodes``; diff-match-patch, pure Python, is slower still, and its
time limit would make the answer depend on the machine). So the texts are
first aligned by sentences and lines, which takes well under a millisecond,
and only the runs of sentences that changed are aligned character by
character. The result is a valid script for any pair of texts, and the same
one on every run; it can keep a few characters fewer than the best possible
alignment where a sentence boundary falls inside an edit, which only makes
a span there go on to the context search instead of being carried.
"""

import bisect
import re
from typing import NamedTuple

from rapidfuzz.distance import Indel


class Edit(NamedTuple):
    """``old[old_start:old_end]`` became ``new[new_start:new_end]``: the same
    characters when ``kept``, otherwise deleted (empty new side), inserted
    (empty old side) or replaced."""

    kept: bool
    old_start: int
    old_end: int
    new_start: int
    new_end: int


# A sentence or line is one unit of the first alignment: each piece ends
# after a line feed, or after the space that follows a sentence's end.
_SEGMENT_END = re.compile(r"\n|(?<=[.!?]) ")


def _segments(text: str) -> tuple[list[str], list[int]]:
    """The text cut into sentences and lines, and where each starts (plus
    the text's length at the end)."""
    cuts = [0, *(match.end() for match in _SEGMENT_END.finditer(text))]
    if cuts[-1] != len(text):
        cuts.append(len(text))
    return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)], cuts


def character_edits(old: str, new: str) -> list[Edit]:
    """The edit script from ``old`` to ``new`` (see the module's docstring).
    Identical texts give one kept piece; two empty texts give none."""
    old_pieces, old_cuts = _segments(old)
    new_pieces, new_cuts = _segments(new)
    changed_runs: list[list[int]] = []  # [old_from, old_to, new_from, new_to] in segments
    for tag, i1, i2, j1, j2 in Indel.opcodes(old_pieces, new_pieces):
        if tag == "equal":
            continue
        if changed_runs and not "".join(old_pieces[changed_runs[-1][1] : i1]).strip():
            # Consecutive, or parted only by blank lines or spaces: those
            # match anywhere, and keeping one would split a paragraph's
            # edit into a deletion here and an insertion there.
            changed_runs[-1][1] = i2
            changed_runs[-1][3] = j2
        else:
            changed_runs.append([i1, i2, j1, j2])
    pieces: list[list] = []  # [kept, old length, new length]
    old_at = new_at = 0
    for i1, i2, j1, j2 in changed_runs:
        old_from, new_from = old_cuts[i1], new_cuts[j1]
        pieces.append([True, old_from - old_at, new_from - new_at])
        for tag, a1, a2, b1, b2 in Indel.opcodes(old[old_from : old_cuts[i2]], new[new_from : new_cuts[j2]]):
            pieces.append([tag == "equal", a2 - a1, b2 - b1])
        old_at, new_at = old_cuts[i2], new_cuts[j2]
    pieces.append([True, len(old) - old_at, len(new) - new_at])
    pieces = [[edit.kept, edit.old_end - edit.old_start, edit.new_end - edit.new_start] for edit in _merged(pieces)]
    _slide_to_boundaries(old, new, pieces)
    return _merged(pieces)


def _merged(pieces: list[list]) -> list[Edit]:
    """Pieces ``[kept, old length, new length]`` laid end to end as edits,
    the empty ones dropped and neighbours of one kind joined, so that kept
    and changed edits alternate."""
    edits: list[Edit] = []
    for kept, old_length, new_length in pieces:
        _add(edits, kept, old_length, new_length)
    return edits


def _slide_to_boundaries(old: str, new: str, pieces: list[list]) -> None:
    """Move each pure insertion or deletion in ``pieces`` (kept and changed
    in turn, as ``_merged`` leaves them) along the text, as far as that
    gives the same texts, to where its ends fall best on sentence, word
    and line boundaries (diff-match-patch's semantic clean-up, scored as it
    scores). Deleting "L said Y, " from "L said X, L said Y, L said Z" can
    as well be read as deleting " Y, L said", which would leave the span on
    the second "L said" on the words of the third; the boundaries tell the
    two apart. Ties go to the rightmost place, as in diff-match-patch."""
    old_at = new_at = 0
    for index, (kept, old_length, new_length) in enumerate(pieces):
        inner = 0 < index < len(pieces) - 1
        if not kept and inner and (old_length == 0) != (new_length == 0):
            text, at, length = (old, old_at, old_length) if new_length == 0 else (new, new_at, new_length)
            before, after = pieces[index - 1], pieces[index + 1]
            start = at
            while start > at - before[1] and text[start - 1] == text[start + length - 1]:
                start -= 1
            best, best_score = start, _edit_score(text, start, length)
            while start < at + after[1] and text[start] == text[start + length]:
                start += 1
                if (score := _edit_score(text, start, length)) >= best_score:
                    best, best_score = start, score
            shift = best - at
            before[1] += shift
            before[2] += shift
            after[1] -= shift
            after[2] -= shift
            old_at, new_at = old_at + shift, new_at + shift
        old_at, new_at = old_at + pieces[index][1], new_at + pieces[index][2]


def _edit_score(text: str, start: int, length: int) -> int:
    return _boundary_score(text, start) + _boundary_score(text, start + length)


def _boundary_score(text: str, index: int) -> int:
    """How good a place ``index`` is for an edit to begin or end: 6 at the
    text's edge, 5 at a blank line, 4 at a line break, 3 after a sentence's
    end, 2 beside white space, 1 beside punctuation, else 0."""
    if index <= 0 or index >= len(text):
        return 6
    before, after = text[index - 1], text[index]
    if text[index - 2 : index] == "\n\n" or text[index : index + 2] == "\n\n":
        return 5
    if "\n" in (before, after):
        return 4
    if not before.isalnum() and not before.isspace() and after.isspace():
        return 3
    if before.isspace() or after.isspace():
        return 2
    return 1 if not before.isalnum() or not after.isalnum() else 0


def _old_end(edits: list[Edit]) -> int:
    return edits[-1].old_end if edits else 0


def _new_end(edits: list[Edit]) -> int:
    return edits[-1].new_end if edits else 0


def _add(edits: list[Edit], kept: bool, old_length: int, new_length: int) -> None:
    """Append the next piece of the script, merged into the last one when
    it is of the same kind, so that kept and changed pieces alternate."""
    if not old_length and not new_length:
        return
    old_start, new_start = _old_end(edits), _new_end(edits)
    old_end, new_end = old_start + old_length, new_start + new_length
    if edits and edits[-1].kept == kept:
        last = edits.pop()
        old_start, new_start = last.old_start, last.new_start
    edits.append(Edit(kept, old_start, old_end, new_start, new_end))


class OffsetMap:
    """Carries offsets of the old text into the new one through an edit
    script, one bisect per offset."""

    def __init__(self, edits: list[Edit]):
        self._edits = edits
        self._old_starts = [edit.old_start for edit in edits]

    def _edit_holding(self, index: int) -> Edit:
        """The piece that holds old character ``index``. An insertion holds
        no old character; it shares its old start with the piece after it,
        which bisect_right picks."""
        return self._edits[bisect.bisect_right(self._old_starts, index) - 1]

    def kept_image(self, start: int, end: int) -> int | None:
        """Where ``old[start:end]`` starts in the new text when the edits kept
        all of it as one stretch (nothing deleted, replaced or inserted
        inside it), else None."""
        edit = self._edit_holding(start)
        if edit.kept and end <= edit.old_end:
            return edit.new_start + start - edit.old_start
        return None

    def map_start(self, start: int) -> int:
        """The new offset of a span starting at old ``start``: where its first
        character went, or, when that character was deleted or replaced,
        the start of what replaced it (so the replacement counts as part of
        the span)."""
        edit = self._edit_holding(start)
        return edit.new_start + start - edit.old_start if edit.kept else edit.new_start

    def map_end(self, end: int) -> int:
        """The new offset of a span ending at old ``end``: just after where
        its last character went, or after what replaced that character.
        Text inserted just after the span stays outside it."""
        edit = self._edit_holding(end - 1)
        return edit.new_start + end - edit.old_start if edit.kept else edit.new_end
