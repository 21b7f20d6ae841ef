"""annotate/rules/text_edits.py: the character edit script between two
versions of a text, and offsets carried through it. No database.

The script is checked against what it must be whatever alignment it
chose (it covers both texts, keeps only equal text, and rebuilds the new
text), against the smallest possible edit (rapidfuzz's own Indel distance
over the whole texts, which shares nothing with the sentence-first
alignment), and against edits whose place is known because the test made
them.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Indel

from annotate.rules.text_edits import Edit, OffsetMap, character_edits

TEXTS = st.text(alphabet="ab .!\n\u00e9\U0001f600", max_size=40)


def changed_characters(edits: list[Edit]) -> int:
    return sum(e.old_end - e.old_start + e.new_end - e.new_start for e in edits if not e.kept)


def assert_is_a_script(old: str, new: str, edits: list[Edit]) -> None:
    """The checks any valid script passes, whichever alignment it chose."""
    if not old and not new:
        assert edits == []
        return
    assert (edits[0].old_start, edits[0].new_start) == (0, 0)
    assert (edits[-1].old_end, edits[-1].new_end) == (len(old), len(new))
    for before, after in zip(edits, edits[1:], strict=False):
        assert before.kept != after.kept
        assert (before.old_end, before.new_end) == (after.old_start, after.new_start)
    rebuilt = []
    for edit in edits:
        assert (edit.old_end - edit.old_start) + (edit.new_end - edit.new_start) > 0
        if edit.kept:
            assert old[edit.old_start : edit.old_end] == new[edit.new_start : edit.new_end]
        rebuilt.append(new[edit.new_start : edit.new_end])
    assert "".join(rebuilt) == new


def test_the_same_text_is_one_kept_piece():
    text = "Minsk.\n\nBeijing."
    assert character_edits(text, text) == [Edit(True, 0, 16, 0, 16)]


def test_two_empty_texts_need_no_edit():
    assert character_edits("", "") == []


def test_a_text_from_nothing_is_one_insertion_and_back_one_deletion():
    assert character_edits("", "abc") == [Edit(False, 0, 0, 0, 3)]
    assert character_edits("abc", "") == [Edit(False, 0, 3, 0, 0)]


def test_a_word_inserted_in_a_sentence_is_one_insertion_at_its_place():
    old, new = "Xi met Lukashenko in Beijing.", "Xi met Lukashenko twice in Beijing."
    assert character_edits(old, new) == [
        Edit(True, 0, 18, 0, 18),
        Edit(False, 18, 18, 18, 24),
        Edit(True, 18, 29, 24, 35),
    ]


def test_a_deletion_among_repeated_words_is_slid_to_the_clause_boundaries():
    # " L said Y," or "L said Y, " or " Y, L said" could go: the edit goes
    # where both its ends meet punctuation and space, so the second "L said"
    # is the one deleted and the third keeps its own characters.
    old, new = "L said X, L said Y, L said Z.", "L said X, L said Z."
    assert character_edits(old, new) == [
        Edit(True, 0, 9, 0, 9),
        Edit(False, 9, 19, 9, 9),
        Edit(True, 19, 29, 9, 19),
    ]
    assert old[9:19] == " L said Y,"


def test_a_deleted_sentence_goes_whole_with_one_of_its_spaces():
    old, new = "L said X. L said Y. L said Z.", "L said X. L said Z."
    assert character_edits(old, new) == [
        Edit(True, 0, 9, 0, 9),
        Edit(False, 9, 19, 9, 9),
        Edit(True, 19, 29, 9, 19),
    ]
    # The space before it rather than after: a full stop before the edit
    # and after it is the best boundary there is inside a paragraph.
    assert old[9:19] == " L said Y."


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        # An inserted "b" goes at the text's edge, not before the line break.
        ("b\n", "bb\n", Edit(False, 0, 0, 0, 1)),
        # A deletion ending at a blank line beats one ending at a line break.
        ("a\nb\n\n", "a\n\n", Edit(False, 1, 3, 1, 1)),
        # A line break beats a space after a full stop.
        (".\n", ". ,.\n", Edit(False, 1, 1, 1, 4)),
        # The text's start beats the line break inside the deletion.
        (",\na,a", ",a", Edit(False, 0, 3, 0, 0)),
        # Punctuation beats the middle of a word.
        (".ab", ".aab", Edit(False, 1, 1, 1, 2)),
    ],
)
def test_an_edit_that_could_go_several_places_goes_to_the_best_boundary(old, new, changed):
    edits = character_edits(old, new)
    assert_is_a_script(old, new, edits)
    assert [edit for edit in edits if not edit.kept] == [changed]


def test_edits_parted_only_by_a_blank_line_are_aligned_together():
    # Aligned apart, the blank line between the two changed paragraphs
    # pairs with the wrong one and the script changes 36 characters, not 26.
    old = "alpha delta.\n\ngamma delta.\n\ngamma.\n\ndelta eps."
    new = "delta gamma.\n\ngamma.\n\nalpha eps eps."
    edits = character_edits(old, new)
    assert_is_a_script(old, new, edits)
    assert changed_characters(edits) == Indel.distance(old, new) == 26


@settings(max_examples=400, deadline=None)
@given(TEXTS, TEXTS)
def test_property_any_two_texts_get_a_valid_script(old, new):
    assert_is_a_script(old, new, character_edits(old, new))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["Minsk", "and", "Beijing", "said", ".", " ", "\n\n", "习近平", "🇧🇾"]), max_size=30),
    st.data(),
)
def test_property_one_insertion_or_deletion_changes_exactly_its_characters(words, data):
    text = "".join(words)
    at = data.draw(st.integers(0, len(text)))
    piece = data.draw(st.text(alphabet="xyz .\n", min_size=1, max_size=12))
    longer = text[:at] + piece + text[at:]
    for old, new in ((text, longer), (longer, text)):
        edits = character_edits(old, new)
        assert_is_a_script(old, new, edits)
        assert changed_characters(edits) == len(piece)


# --- OffsetMap ------------------------------------------------------------


def test_offsets_after_an_insertion_shift_by_its_length():
    old, new = "Xi met Lukashenko in Beijing.", "Xi met Lukashenko twice in Beijing."
    carried = OffsetMap(character_edits(old, new))
    assert carried.kept_image(21, 28) == 27  # "Beijing"
    assert carried.kept_image(0, 2) == 0  # "Xi", before the insertion
    assert carried.map_start(21) == 27
    assert carried.map_end(28) == 34


def test_a_stretch_with_an_insertion_inside_is_not_kept_whole():
    old, new = "Xi met Lukashenko in Beijing.", "Xi met Lukashenko twice in Beijing."
    carried = OffsetMap(character_edits(old, new))
    assert carried.kept_image(7, 20) is None  # "Lukashenko in" now has "twice " inside
    # Its ends still go where their characters went: the insertion is inside.
    assert (carried.map_start(7), carried.map_end(20)) == (7, 26)


def test_text_inserted_just_outside_a_span_stays_outside():
    old, new = "Xi met Lukashenko.", "Xi met with Lukashenko."
    carried = OffsetMap(character_edits(old, new))
    assert carried.kept_image(0, 6) == 0  # "Xi met": the insertion comes after its end
    assert carried.kept_image(7, 17) == 12  # "Lukashenko": the insertion comes before its start
    assert (carried.map_start(7), carried.map_end(6)) == (12, 6)


def test_a_replaced_end_maps_to_the_ends_of_its_replacement():
    old, new = "They met on Monday in Minsk.", "They met on Friday in Minsk."
    carried = OffsetMap(character_edits(old, new))
    assert carried.kept_image(12, 18) is None
    # "Monday" starts with a replaced "M" and ends with a kept "y".
    assert (carried.map_start(12), carried.map_end(18)) == (12, 18)
    assert carried.map_start(9) == 9
    # A span ending on the replaced "Mon": its end goes after "Fri".
    assert carried.map_end(15) == 15


def test_a_deleted_span_maps_to_the_point_where_it_was():
    old, new = "One. Two. Three.", "One. Three."
    carried = OffsetMap(character_edits(old, new))
    assert carried.kept_image(5, 9) is None
    assert (carried.map_start(5), carried.map_end(9)) == (4, 4)  # " Two." went


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 6), st.booleans()), min_size=1, max_size=12))
def test_property_kept_pieces_map_to_where_they_are(layout):
    """Old and new are pieces between "|"; some pieces are replaced. Every
    piece is made of characters no other piece has (its own run of CJK
    ideographs, its replacement of Hangul), so each piece's place in the
    new text is known from how the texts were made: a kept piece can only
    be kept whole, a replaced one only replaced."""
    pieces = ["".join(chr(0x4E00 + 8 * i + k) for k in range(size)) for i, (size, _) in enumerate(layout)]
    new_pieces = [
        "".join(chr(0xAC00 + 8 * i + k) for k in range(size + 1)) if replaced else piece
        for i, ((size, replaced), piece) in enumerate(zip(layout, pieces, strict=True))
    ]
    old, new = "|".join(pieces), "|".join(new_pieces)
    carried = OffsetMap(character_edits(old, new))
    old_at = new_at = 0
    for piece, new_piece, (_, replaced) in zip(pieces, new_pieces, layout, strict=True):
        old_end = old_at + len(piece)
        if replaced:
            assert carried.kept_image(old_at, old_end) is None
            assert (carried.map_start(old_at), carried.map_end(old_end)) == (new_at, new_at + len(new_piece))
        else:
            assert carried.kept_image(old_at, old_end) == new_at
            assert (carried.map_start(old_at), carried.map_end(old_end)) == (new_at, new_at + len(piece))
        old_at, new_at = old_end + 1, new_at + len(new_piece) + 1


@pytest.mark.parametrize("index", range(10))
def test_every_old_character_maps_inside_the_new_text(index):
    old, new = "abc. def.\n", "xbc. de\n"
    carried = OffsetMap(character_edits(old, new))
    assert 0 <= carried.map_start(index) <= carried.map_end(index + 1) <= len(new)
