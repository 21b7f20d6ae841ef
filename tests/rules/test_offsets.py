"""annotate/rules/offsets.py: plain functions over plain values, so no database.

Offsets are code points of the normalised text; the browser counts UTF-16
code units. The fixed texts below put every awkward kind of character in
front of a span: an emoji outside the Basic Multilingual Plane (two UTF-16
units, one code point), CJK (one unit each), a combining accent (its own code
point), a no-break space and runs of blank lines.
"""

import bisect
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.rules import offsets
from annotate.rules.offsets import (
    CONTEXT_WIDTH,
    SpanError,
    Utf16Map,
    normalise_text,
    quote_context,
    validate_span,
)
from tests.unicode_texts import awkward_texts, clustered_texts, whole_text_boundaries


def utf16_length(text: str) -> int:
    """JavaScript's ``text.length``, from the UTF-16 encoding itself: an
    oracle that shares nothing with Utf16Map."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def codepoint_to_utf16(text: str, offset: int) -> int:
    return utf16_length(text[:offset])


def utf16_to_codepoint(text: str, utf16_offset: int) -> int:
    return Utf16Map(text).to_codepoint(utf16_offset)


EMOJI = "\N{FACE WITH TEARS OF JOY}"  # U+1F602: a surrogate pair in UTF-16
FLAG = "\N{REGIONAL INDICATOR SYMBOL LETTER B}\N{REGIONAL INDICATOR SYMBOL LETTER Y}"  # two astral code points
CJK = "习近平"
NBSP = "\u00a0"


def browser_slice(text: str, start_units: int, end_units: int) -> str:
    """What ``text.slice(start, end)`` gives in JavaScript, which counts UTF-16 code units."""
    return text.encode("utf-16-le")[2 * start_units : 2 * end_units].decode("utf-16-le")


# --- normalise_text ----------------------------------------------------------


def test_normalise_strips_a_leading_byte_order_mark():
    assert normalise_text("\ufeffMinsk") == "Minsk"


def test_normalise_keeps_a_byte_order_mark_that_is_not_at_the_start():
    # Inside the text U+FEFF is a zero-width no-break space, i.e. content.
    assert normalise_text("Min\ufeffsk") == "Min\ufeffsk"


def test_normalise_strips_every_leading_byte_order_mark_so_it_stays_idempotent():
    once = normalise_text("\ufeff\ufeffMinsk")
    assert once == "Minsk"
    assert normalise_text(once) == once


def test_normalise_turns_crlf_into_lf():
    assert normalise_text("one\r\ntwo\r\n") == "one\ntwo\n"


def test_normalise_turns_a_lone_cr_into_lf():
    assert normalise_text("one\rtwo\r") == "one\ntwo\n"


def test_normalise_counts_cr_cr_lf_as_two_line_ends():
    assert normalise_text("one\r\r\ntwo") == "one\n\ntwo"


def test_normalise_keeps_blank_lines_between_paragraphs():
    assert normalise_text("one\r\n\r\n\r\ntwo") == "one\n\n\ntwo"


def test_normalise_composes_decomposed_accents_to_nfc():
    decomposed = "Lukashe\u0301nko Cafe\u0301"
    result = normalise_text(decomposed)
    assert result == "Lukash\u00e9nko Caf\u00e9"
    assert len(result) == len(decomposed) - 2


def test_normalise_keeps_a_combining_mark_without_a_precomposed_form():
    # q + combining acute has no single code point, so NFC leaves two.
    assert normalise_text("q\u0301") == "q\u0301"


def test_normalise_leaves_emoji_cjk_and_nbsp_alone():
    text = f"{EMOJI} {CJK}{NBSP}{FLAG}"
    assert normalise_text(text) == text


def test_normalise_strips_only_byte_order_marks_from_the_start():
    assert normalise_text("\ufeffXi said") == "Xi said"
    assert normalise_text("Xi\ufeff") == "Xi\ufeff"


def test_normalise_of_empty_text_is_empty():
    assert normalise_text("") == ""


def test_normalise_is_idempotent_on_a_mixed_sample():
    sample = "\ufeffTitle\r\n\r\nCafe\u0301 \u212b\r" + EMOJI
    once = normalise_text(sample)
    assert once == "Title\n\nCaf\u00e9 \u00c5\n" + EMOJI
    assert normalise_text(once) == once


@pytest.mark.parametrize(
    ("piece", "expected"),
    [
        ("\ufeffab", "\ufeffab"),
        ("\ufeff", "\ufeff"),
        ("a\r\nb\r", "a\nb\n"),
        ("\r\n", "\n"),
        ("cafe\u0301", "caf\u00e9"),
        ("\u0301x", "\u0301x"),
        ("\u200bx\u200b", "\u200bx\u200b"),
    ],
)
def test_normalise_piece_turns_line_ends_and_accents_into_the_stored_form_but_keeps_a_leading_feff(piece, expected):
    assert offsets.normalise_piece(piece) == expected


# --- validate_span -----------------------------------------------------------

TEXT = "Lukashenko met Xi in Beijing."


def test_validate_span_accepts_a_span_that_fits():
    assert validate_span(TEXT, 0, 10, "Lukashenko") is None


def test_validate_span_accepts_the_whole_text():
    assert validate_span(TEXT, 0, len(TEXT), TEXT) is None


def test_validate_span_accepts_a_span_without_a_quote():
    assert validate_span(TEXT, 15, 17) is None


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (-1, 5, "start", "start -1 is negative"),
        (0, 30, "end", "end 30 is past the end of the text (29 characters)"),
        (5, 5, "end", "start 5 must be before end 5"),
        (6, 5, "end", "start 6 must be before end 5"),
        (0, -1, "end", "start 0 must be before end -1"),
        (29, 29, "end", "start 29 must be before end 29"),
    ],
    ids=["negative", "past-the-end", "empty", "reversed", "negative-end", "empty-at-the-end"],
)
def test_validate_span_rejects_offsets_that_do_not_fit(start, end, field, message):
    with pytest.raises(SpanError) as caught:
        validate_span(TEXT, start, end)
    assert str(caught.value) == message
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("start", "end", "field", "shown"),
    [
        ("0", 5, "start", "'0'"),
        (0, "5", "end", "'5'"),
        (0.0, 5, "start", "0.0"),
        (0, 5.0, "end", "5.0"),
        (None, 5, "start", "None"),
        (0, None, "end", "None"),
        (False, 5, "start", "False"),
        (0, True, "end", "True"),
    ],
)
def test_validate_span_rejects_offsets_that_are_not_whole_numbers(start, end, field, shown):
    with pytest.raises(SpanError) as caught:
        validate_span(TEXT, start, end)
    assert str(caught.value) == f"{field} must be a whole number, got {shown}"
    assert caught.value.field == field


def test_validate_span_rejects_a_quote_that_does_not_match_the_text():
    with pytest.raises(SpanError) as caught:
        validate_span(TEXT, 0, 10, "Lukashenka")
    assert caught.value.field == "quote"
    assert str(caught.value) == "quote 'Lukashenka' does not match the text at [0, 10), which reads 'Lukashenko'"


def test_validate_span_rejects_a_quote_off_by_one_character():
    with pytest.raises(SpanError) as caught:
        validate_span(TEXT, 1, 11, "Lukashenko")
    assert caught.value.field == "quote"


def test_validate_span_shortens_a_long_quote_in_its_message():
    text = "x" * 100
    with pytest.raises(SpanError) as caught:
        validate_span(text, 0, 100, "y" * 100)
    assert str(caught.value) == f"quote '{'y' * 59}…' does not match the text at [0, 100), which reads '{'x' * 59}…'"


def test_validate_span_accepts_an_empty_quote_string_only_if_it_matches():
    # An empty quote never matches a non-empty span.
    with pytest.raises(SpanError) as caught:
        validate_span(TEXT, 0, 1, "")
    assert caught.value.field == "quote"


def test_validate_span_counts_an_emoji_as_one_character():
    text = f"{EMOJI} Xi"
    validate_span(text, 2, 4, "Xi")
    with pytest.raises(SpanError):
        validate_span(text, 3, 5, "Xi")


# --- spans that split a character ---------------------------------------------

SKIN_TONED = "\N{THUMBS UP SIGN}\N{EMOJI MODIFIER FITZPATRICK TYPE-4}"
FAMILY = "\N{MAN}\u200d\N{WOMAN}\u200d\N{GIRL}"


@pytest.mark.parametrize(
    ("text", "start", "end", "message"),
    [
        # Half a flag: one regional indicator of two.
        (f"a {FLAG} b", 3, 6, f"start 3 splits the character {FLAG} at [2, 4)"),
        (f"a {FLAG} b", 0, 3, f"end 3 splits the character {FLAG} at [2, 4)"),
        # The second flag of a run: indicators pair from the run's start.
        (f"{FLAG}{FLAG}{FLAG}", 3, 6, f"start 3 splits the character {FLAG} at [2, 4)"),
        # An emoji without its skin tone.
        (f"ok {SKIN_TONED}!", 0, 4, f"end 4 splits the character {SKIN_TONED} at [3, 5)"),
        # A letter without its combining accent (q has no precomposed form).
        ("q\u0301 x", 0, 1, "end 1 splits the character q\u0301 at [0, 2)"),
        # One member of a ZWJ family.
        (f"x{FAMILY}y", 0, 2, f"end 2 splits the character {FAMILY} at [1, 6)"),
        (f"x{FAMILY}y", 4, 7, f"start 4 splits the character {FAMILY} at [1, 6)"),
    ],
    ids=[
        "half-a-flag-start",
        "half-a-flag-end",
        "second-flag-of-a-run",
        "skin-tone",
        "accent",
        "family-end",
        "family-start",
    ],
)
def test_validate_span_refuses_a_span_that_splits_a_character(text, start, end, message):
    with pytest.raises(SpanError) as caught:
        validate_span(text, start, end, text[start:end])
    assert str(caught.value) == message
    assert caught.value.field == message.split()[0]


def test_validate_span_accepts_a_span_that_splits_a_character_when_told_to():
    # For spans stored before the rule (Annotation.clean decides).
    assert validate_span(f"a {FLAG} b", 3, 6, f"{FLAG[1]} b", whole_graphemes=False) is None


def test_validate_span_checks_the_quote_before_the_characters():
    with pytest.raises(SpanError) as caught:
        validate_span(f"a {FLAG} b", 3, 6, "no")
    assert caught.value.field == "quote"


def test_validate_span_shortens_a_long_character_in_its_message():
    accented = "q" + "\u0301" * 50
    with pytest.raises(SpanError) as caught:
        validate_span(accented, 0, 10)
    assert str(caught.value) == f"end 10 splits the character {accented[:19]}… at [0, 51)"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("a\ufeffb", 1, 2),  # zero-width no-break space alone
        ("a\ufeffb", 1, 3),
        ("a\ufeffb", 0, 1),
        ("a\u200b\u0301b", 1, 2),  # a zero-width space stays apart from a mark after it
        ("a\u200b\u0301b", 2, 4),
        (f"{FLAG}{FLAG}", 2, 4),
        ("\u0301a", 0, 1),  # a mark at the very start is a character of its own
        ("a\nb", 1, 2),
        (f"x{FAMILY}y", 1, 6),
    ],
)
def test_validate_span_accepts_a_span_between_characters(text, start, end):
    assert validate_span(text, start, end, text[start:end]) is None


def test_cluster_split_by_is_none_at_both_ends_of_the_text():
    assert offsets.cluster_split_by(FLAG, 0) is None
    assert offsets.cluster_split_by(FLAG, 2) is None
    assert offsets.cluster_split_by(FLAG, 1) == offsets.Extent(0, 2)
    assert offsets.cluster_split_by("", 0) is None


def test_cluster_split_by_looks_only_at_a_stretch_around_the_offset(monkeypatch):
    # A 50,000-character article of plain prose with emoji and flags in it:
    # every check segments a few characters, never the text from its start.
    text = (f"Minsk said {EMOJI} and Beijing {FLAG} agreed. Caf\u00e9 q\u0301 talk.\n" * 1200)[:50_000]
    segmented = []
    real = offsets._CLUSTER

    class Spy:
        def findall(self, stretch):
            segmented.append(len(stretch))
            return real.findall(stretch)

    monkeypatch.setattr(offsets, "_CLUSTER", Spy())
    for offset in range(0, len(text), 7):
        offsets.cluster_split_by(text, offset)
    assert segmented and max(segmented) <= 4
    # A line start is a boundary whatever the line starts with, and whatever
    # long cluster ends the line before: nothing to segment there.
    segmented.clear()
    lines = "q" + "\u0301" * 60 + f"\n{FLAG} said so.\n\N{THUMBS UP SIGN}\n"
    assert offsets.cluster_split_by(lines, 62) is None
    assert offsets.cluster_split_by(lines, lines.index("\N{THUMBS UP SIGN}")) is None
    assert segmented == []


# --- properties: splits, against clusters known from how the text was made --------


@settings(max_examples=300, deadline=None)
@given(clustered_texts())
def test_property_an_offset_splits_exactly_the_cluster_it_falls_inside(case):
    text, boundaries = case
    for offset in range(len(text) + 1):
        after = bisect.bisect_right(boundaries, offset)
        expected = None if boundaries[after - 1] == offset else offsets.Extent(boundaries[after - 1], boundaries[after])
        assert offsets.cluster_split_by(text, offset) == expected, (ascii(text), offset)


@settings(max_examples=300, deadline=None)
@given(awkward_texts)
def test_property_the_stretch_around_an_offset_agrees_with_segmenting_the_whole_text(text):
    boundaries = set(whole_text_boundaries(text))
    for offset in range(len(text) + 1):
        assert (offsets.cluster_split_by(text, offset) is None) == (offset in boundaries), (ascii(text), offset)


@settings(max_examples=300, deadline=None)
@given(clustered_texts(), st.data())
def test_property_validate_span_refuses_exactly_the_spans_that_split_a_character(case, data):
    text, boundaries = case
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    splits = [(name, offset) for name, offset in (("start", start), ("end", end)) if offset not in boundaries]
    if not splits:
        validate_span(text, start, end, text[start:end])
        return
    with pytest.raises(SpanError) as caught:
        validate_span(text, start, end, text[start:end])
    name, offset = splits[0]
    after = bisect.bisect_right(boundaries, offset)
    assert caught.value.field == name
    assert str(caught.value).startswith(f"{name} {offset} splits the character ")
    assert str(caught.value).endswith(f" at [{boundaries[after - 1]}, {boundaries[after]})")


@settings(max_examples=300, deadline=None)
@given(clustered_texts(), st.data())
def test_property_a_span_between_characters_round_trips_through_utf16(case, data):
    text, boundaries = case
    start, end = data.draw(st.lists(st.sampled_from(boundaries), min_size=2, max_size=2, unique=True).map(sorted))
    validate_span(text, start, end, text[start:end])
    utf16 = Utf16Map(text)
    start_units, end_units = utf16.to_utf16(start), utf16.to_utf16(end)
    assert (start_units, end_units) == (codepoint_to_utf16(text, start), codepoint_to_utf16(text, end))
    assert (utf16.to_codepoint(start_units), utf16.to_codepoint(end_units)) == (start, end)
    assert browser_slice(text, start_units, end_units) == text[start:end]


def test_span_error_defaults_its_field_to_span():
    assert SpanError("bad").field == "span"
    assert isinstance(SpanError("bad"), ValueError)


# --- quote_context -----------------------------------------------------------


def test_quote_context_gives_the_text_on_both_sides():
    assert quote_context(TEXT, 15, 17) == ("Lukashenko met ", " in Beijing.")


def test_quote_context_stops_at_the_start_and_end_of_the_text():
    assert quote_context(TEXT, 0, 10) == ("", " met Xi in Beijing.")
    assert quote_context(TEXT, 21, 29) == ("Lukashenko met Xi in ", "")


def test_quote_context_is_at_most_width_code_points_each_side():
    text = "a" * 50 + "[span]" + "b" * 50
    prefix, suffix = quote_context(text, 50, 56)
    assert (prefix, suffix) == ("a" * CONTEXT_WIDTH, "b" * CONTEXT_WIDTH)
    assert CONTEXT_WIDTH == 32


def test_quote_context_takes_a_width():
    assert quote_context(TEXT, 15, 17, width=4) == ("met ", " in ")


def test_quote_context_counts_emoji_as_one_code_point():
    text = f"{EMOJI}{EMOJI}{EMOJI}Xi{EMOJI}{EMOJI}"
    assert quote_context(text, 3, 5, width=2) == (EMOJI * 2, EMOJI * 2)


# --- UTF-16 conversion ----------------------------------------------------------


def test_offsets_after_an_emoji_differ_by_one_between_code_points_and_utf16():
    text = f"{EMOJI} Xi"
    assert codepoint_to_utf16(text, 2) == 3
    assert utf16_to_codepoint(text, 3) == 2
    assert browser_slice(text, 3, 5) == text[2:4] == "Xi"


def test_offsets_after_cjk_are_the_same_in_both_counts():
    text = f"{CJK}会见了卢卡申科"
    assert codepoint_to_utf16(text, 3) == 3
    assert utf16_to_codepoint(text, 3) == 3


def test_offsets_after_a_combining_accent_count_the_accent():
    text = "q\u0301 Xi"
    assert codepoint_to_utf16(text, 3) == 3
    assert utf16_to_codepoint(text, 3) == 3
    assert text[3:5] == "Xi"


def test_offsets_after_nbsp_and_several_blank_lines_are_the_same_in_both_counts():
    text = f"Minsk{NBSP}\n\n\n\nXi"
    assert codepoint_to_utf16(text, 10) == 10
    assert utf16_to_codepoint(text, 10) == 10
    assert text[10:] == "Xi"


def test_offsets_after_a_flag_of_two_astral_code_points_differ_by_two():
    text = f"{FLAG} Minsk {EMOJI}!"
    assert codepoint_to_utf16(text, 3) == 5
    assert utf16_to_codepoint(text, 5) == 3
    assert codepoint_to_utf16(text, len(text)) == utf16_length(text) == len(text) + 3


def test_utf16_to_codepoint_accepts_both_ends_of_the_text():
    text = f"{EMOJI}Xi"
    assert utf16_to_codepoint(text, 0) == 0
    assert utf16_to_codepoint(text, 4) == 3
    assert utf16_to_codepoint("", 0) == 0


def test_utf16_to_codepoint_refuses_an_offset_inside_a_surrogate_pair():
    text = f"a{EMOJI}b"
    with pytest.raises(SpanError) as caught:
        utf16_to_codepoint(text, 2)
    assert str(caught.value) == "offset 2 splits a character"
    assert caught.value.field == "start"


def test_utf16_to_codepoint_refuses_an_offset_inside_the_last_surrogate_pair():
    with pytest.raises(SpanError) as caught:
        utf16_to_codepoint(EMOJI, 1)
    assert str(caught.value) == "offset 1 splits a character"


def test_utf16_to_codepoint_refuses_an_offset_past_the_end():
    with pytest.raises(SpanError) as caught:
        utf16_to_codepoint(f"{EMOJI}Xi", 5)
    assert str(caught.value) == "offset 5 is past the end of the text"
    assert caught.value.field == "end"


def test_utf16_to_codepoint_refuses_a_negative_offset():
    with pytest.raises(SpanError) as caught:
        utf16_to_codepoint("Xi", -1)
    assert str(caught.value) == "offset -1 is negative"
    assert caught.value.field == "start"


@pytest.mark.parametrize("offset", ["1", 1.0, None, True])
def test_utf16_to_codepoint_refuses_an_offset_that_is_not_a_whole_number(offset):
    with pytest.raises(SpanError) as caught:
        utf16_to_codepoint("Xi", offset)
    assert str(caught.value) == f"offset must be a whole number, got {offset!r}"
    assert caught.value.field == "start"


# --- properties over random text ---------------------------------------------

AWKWARD = st.sampled_from(
    [
        EMOJI,
        "\N{PILE OF POO}",
        "\N{MATHEMATICAL BOLD CAPITAL A}",
        "\U00020000",  # CJK Extension B: astral
        FLAG,
        "习",
        "近",
        "\u0301",  # combining acute
        "\u0308",  # combining diaeresis
        "e\u0301",
        "\u212b",  # ANGSTROM SIGN, NFC turns it into U+00C5
        NBSP,
        "\ufeff",
        "\r\n",
        "\r",
        "\n",
        "\n\n\n",
        " ",
        "\t",
    ]
)
# No lone surrogates: they are not characters, and the importer refuses them
# (tests/io/test_articles_in.py), so no stored text holds one.
PIECES = st.one_of(AWKWARD, st.characters(exclude_categories=("Cs",)), st.characters(max_codepoint=0x7F))
RAW_TEXT = st.lists(PIECES, max_size=40).map("".join)
NORMALISED_TEXT = RAW_TEXT.map(normalise_text)


@st.composite
def text_and_span(draw):
    text = draw(NORMALISED_TEXT.filter(lambda t: len(t) > 0))
    start = draw(st.integers(min_value=0, max_value=len(text) - 1))
    end = draw(st.integers(min_value=start + 1, max_value=len(text)))
    return text, start, end


@settings(max_examples=200, deadline=None)
@given(RAW_TEXT)
def test_normalisation_is_idempotent_and_leaves_no_carriage_return(raw):
    once = normalise_text(raw)
    assert normalise_text(once) == once
    assert "\r" not in once
    assert not once.startswith("\ufeff")
    assert unicodedata.is_normalized("NFC", once)


@settings(max_examples=200, deadline=None)
@given(text_and_span())
def test_normalising_a_piece_of_a_stored_text_leaves_it_as_it_is(case):
    # What lets an import normalise a quote from another copy of the text:
    # a quote of ours, U+FEFF at its start included, keeps its meaning.
    text, start, end = case
    assert offsets.normalise_piece(text[start:end]) == text[start:end]


@settings(max_examples=200, deadline=None)
@given(text_and_span())
def test_any_valid_span_round_trips_through_utf16_and_matches_the_browser_slice(case):
    text, start, end = case
    # Any code point boundary: stored spans may split a character.
    validate_span(text, start, end, text[start:end], whole_graphemes=False)
    start_units, end_units = codepoint_to_utf16(text, start), codepoint_to_utf16(text, end)
    assert utf16_to_codepoint(text, start_units) == start
    assert utf16_to_codepoint(text, end_units) == end
    assert browser_slice(text, start_units, end_units) == text[start:end]
    assert end_units - start_units == utf16_length(text[start:end])


@settings(max_examples=200, deadline=None)
@given(NORMALISED_TEXT, st.data())
def test_every_utf16_offset_either_maps_to_a_character_boundary_or_is_refused(text, data):
    units = data.draw(st.integers(min_value=0, max_value=utf16_length(text)))
    boundaries = {codepoint_to_utf16(text, i): i for i in range(len(text) + 1)}
    if units in boundaries:
        assert utf16_to_codepoint(text, units) == boundaries[units]
    else:
        with pytest.raises(SpanError, match="splits a character"):
            utf16_to_codepoint(text, units)


@settings(max_examples=200, deadline=None)
@given(text_and_span())
def test_context_and_quote_are_contiguous_text(case):
    text, start, end = case
    prefix, suffix = quote_context(text, start, end)
    assert text[start - len(prefix) : end + len(suffix)] == prefix + text[start:end] + suffix
    assert len(prefix) == min(start, CONTEXT_WIDTH)
    assert len(suffix) == min(len(text) - end, CONTEXT_WIDTH)


# ------------------------------------------------------------ re-anchoring


def test_reanchor_keeps_positions_that_still_hold_the_quote():
    text = "said no. said no."
    assert offsets.reanchor(text, "said no", start=9) == offsets.Extent(9, 16)


def test_reanchor_chooses_by_context_then_by_distance():
    text = "He said no. She said no. They said no."
    assert offsets.reanchor(text, "said no", prefix="She ", suffix=". They") == offsets.Extent(16, 23)
    assert offsets.reanchor(text, "said no", start=28) == offsets.Extent(30, 37)
    # A position before the text's start is not read from its end.
    assert offsets.reanchor(text, "said no", start=-8) == offsets.Extent(3, 10)


@pytest.mark.parametrize(
    ("text", "exact", "context", "expected"),
    [
        # Context after the quote alone picks the occurrence.
        ("ab1 ab2", "ab", {"suffix": "2"}, (4, 6)),
        ("ab1 ab2", "ab", {"suffix": "1"}, (0, 2)),
        # Context before the quote alone, at the text's very first character;
        # the position hint (past both, nearer the second) loses to it.
        ("xab yab", "ab", {"prefix": "x", "start": 6}, (1, 3)),
        # Overlapping occurrences are all candidates.
        ("aaa", "aa", {"prefix": "a"}, (1, 3)),
        ("aaa", "aa", {"suffix": "a"}, (0, 2)),
        # Positions that still hold the quote win over context pointing elsewhere.
        ("ab1 ab2", "ab", {"suffix": "2", "start": 0}, (0, 2)),
        ("aaa", "aa", {"prefix": "a", "start": 0}, (0, 2)),
        # Context counts outward from the quote, character by character.
        ("1ab2 3ab4", "ab", {"prefix": "x3", "suffix": "4y"}, (6, 8)),
        # With no context, the occurrence nearest the hint; at a tie, the first.
        ("ab ab ab", "ab", {"start": 4}, (3, 5)),
        ("ab_ab", "ab", {"start": 1}, (0, 2)),
        ("abab", "ab", {"start": 1}, (0, 2)),
        ("ab ab", "ab", {}, (0, 2)),
        # A hint past the end of the text is only a distance.
        ("ab ab", "ab", {"start": 99}, (3, 5)),
        # The prefix is compared from its end, the text before the quote too.
        ("abX baX", "X", {"prefix": "ba"}, (6, 7)),
        ("abX xaX", "X", {"prefix": "ab"}, (2, 3)),
        ("cbaX bzaX", "X", {"prefix": "cba"}, (3, 4)),
        ("abcX xacX", "X", {"prefix": "abc"}, (3, 4)),
        # No context given is no context, whatever the text holds.
        ("XXXXab ab", "ab", {"start": 8}, (7, 9)),
        ("ab abXXXX", "ab", {}, (0, 2)),
    ],
)
def test_reanchor_picks_the_occurrence_its_context_and_position_name(text, exact, context, expected):
    assert offsets.reanchor(text, exact, **context) == offsets.Extent(*expected)


def test_reanchor_does_not_take_a_boolean_for_a_position():
    # True is 1 to Python, but no file means position 1 by it.
    # Read as 1 it would hold the quote; as no position, the hint is 0.
    assert offsets.reanchor("aaa", "aa", start=True) == offsets.Extent(0, 2)


def test_reanchor_refuses_a_quote_that_is_not_in_the_text():
    with pytest.raises(offsets.SpanError) as caught:
        offsets.reanchor("He said yes.", "said no")
    assert (str(caught.value), caught.value.field) == ("the quote 'said no' does not occur in the text", "quote")
    with pytest.raises(offsets.SpanError) as caught:
        offsets.reanchor("He said yes.", "n" * 61)
    assert str(caught.value) == f"the quote '{'n' * 59}…' does not occur in the text"
    with pytest.raises(offsets.SpanError) as caught:
        offsets.reanchor("He said yes.", "")
    assert (str(caught.value), caught.value.field) == ("the quote is empty", "quote")


def test_map_through_normalisation_moves_offsets_past_crlf_and_bom():
    raw = "\ufeffab\r\ncafe\u0301 x"
    span = offsets.map_through_normalisation(raw, 5, 10)
    assert offsets.normalise_text(raw)[span.start : span.end] == "café"
    with pytest.raises(offsets.SpanError) as caught:
        offsets.map_through_normalisation(raw, 5, 9)  # the e without its accent
    assert str(caught.value) == "the span [5, 9) cuts through a character that normalisation joins"
    assert caught.value.field == "start"


@pytest.mark.parametrize(
    ("raw", "start", "end", "expected"),
    [
        ("a\r\nb", 0, 4, (0, 3)),  # CRLF inside the span is one LF
        ("\ufeffab", 0, 3, (0, 2)),  # the BOM goes, the span keeps its letters
        ("\ufeffab", 1, 3, (0, 2)),
        ("\ufeff\ufeffab", 1, 4, (0, 2)),  # a second leading BOM is stripped too
        ("a\r\nb", 3, 4, (2, 3)),
        ("a\rb", 0, 2, (0, 2)),  # a lone CR is a line end of its own
        ("cafe\u0301 x", 0, 5, (0, 4)),
        ("cafe\u0301 x", 5, 7, (4, 6)),
        ("Xab", 0, 1, (0, 1)),  # only byte order marks are stripped
    ],
)
def test_map_through_normalisation_gives_the_stored_offsets(raw, start, end, expected):
    assert offsets.map_through_normalisation(raw, start, end) == offsets.Extent(*expected)


@pytest.mark.parametrize(
    ("raw", "start", "end"),
    [
        ("a\r\nb", 0, 2),  # ends between CR and LF
        ("a\r\nb", 2, 4),  # starts between them
        ("cafe\u0301", 0, 4),  # the e without its accent
        ("cafe\u0301", 4, 5),  # the accent without its e
        ("\ufeffab", 0, 1),  # only the BOM, which is not stored
    ],
)
def test_map_through_normalisation_refuses_a_span_that_cuts_what_normalisation_joins(raw, start, end):
    with pytest.raises(SpanError):
        offsets.map_through_normalisation(raw, start, end)


# Pieces of a raw text as (raw, stored form), each either one atom or a
# sequence of atoms between which an offset may fall: the oracle for where
# every offset lands, known without normalising anything.
_ATOMS = {
    "letter": [("a", "a")],
    "space": [(" ", " ")],
    "lf": [("\n", "\n")],
    "crlf": [("\r\n", "\n")],
    "cr": [("\r", "\n")],
    "decomposed": [("e\u0301", "\u00e9")],  # NFC joins them: an offset between them cuts it
    "no precomposed form": [("q", "q"), ("\u0301", "\u0301")],  # NFC keeps both
    "astral": [("😀", "😀")],
    "zwnbsp": [("\ufeff", "\ufeff")],  # a byte order mark while only BOMs come before it
}


@st.composite
def raw_texts_with_atoms(draw) -> list[tuple[str, str]]:
    atoms = []
    for kind in draw(st.lists(st.sampled_from(sorted(_ATOMS)), min_size=1, max_size=12)):
        if kind in ("lf", "crlf") and atoms and atoms[-1][0] == "\r":
            continue  # CR then LF would be one CRLF, not what the atoms say
        atoms.extend(_ATOMS[kind])
    return atoms


@settings(max_examples=300, deadline=None)
@given(raw_texts_with_atoms())
def test_property_map_through_normalisation_lands_where_the_atoms_say(atoms):
    raw = "".join(piece for piece, _ in atoms)
    # Where each atom boundary is in the raw text and in the stored one.
    stored_at = {0: 0}
    raw_at, stored, only_boms = 0, 0, True
    for piece, normal in atoms:
        only_boms = only_boms and piece == "\ufeff"
        raw_at += len(piece)
        stored += 0 if only_boms else len(normal)
        stored_at[raw_at] = stored
    for start in range(len(raw)):
        for end in range(start + 1, len(raw) + 1):
            on_boundaries = start in stored_at and end in stored_at
            if on_boundaries and stored_at[start] < stored_at[end]:
                expected = offsets.Extent(stored_at[start], stored_at[end])
                assert offsets.map_through_normalisation(raw, start, end) == expected, (ascii(raw), start, end)
            else:
                with pytest.raises(SpanError):
                    offsets.map_through_normalisation(raw, start, end)


# --- trim_whitespace and snap_to_graphemes: a selection as the browser makes it ----


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("  said no  ", 0, 11, (2, 9)),
        ("said no", 0, 7, (0, 7)),
        ("a \n\t\u00a0b", 1, 5, (5, 5)),  # only white space: empty, at its end
        ("x\u3000y\u2003", 1, 4, (2, 3)),  # ideographic and em spaces are White_Space
        ("\u200bword\ufeff", 0, 6, (0, 6)),  # zero-width space and U+FEFF are not
    ],
)
def test_trim_whitespace_shrinks_past_unicode_white_space_only(text, start, end, expected):
    assert offsets.trim_whitespace(text, start, end) == offsets.Extent(*expected)


def test_trim_whitespace_leaves_white_space_outside_the_extent_alone():
    assert offsets.trim_whitespace(" a b ", 1, 4) == offsets.Extent(1, 4)


def test_snap_to_graphemes_widens_both_ends_to_whole_characters():
    text = f"a{FLAG}b e\u0301\u0323!"
    # start inside the flag, end between "e" and its marks
    assert offsets.snap_to_graphemes(text, 2, 6) == offsets.Extent(1, 8)


def test_snap_to_graphemes_leaves_whole_characters_alone():
    text = f"a{FLAG}b"
    assert offsets.snap_to_graphemes(text, 1, 3) == offsets.Extent(1, 3)


@settings(max_examples=200, deadline=None)
@given(clustered_texts(), st.data())
def test_property_snap_moves_each_end_to_the_nearest_boundary_outward(case, data):
    text, boundaries = case
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    expected_start = boundaries[bisect.bisect_right(boundaries, start) - 1]
    expected_end = boundaries[bisect.bisect_left(boundaries, end)]
    assert offsets.snap_to_graphemes(text, start, end) == offsets.Extent(expected_start, expected_end)


def _outcome(mapper, start: int, end: int):
    try:
        return mapper(start, end)
    except SpanError as error:
        return (type(error), str(error), error.field)


# Texts already in the stored form: clustered pieces, awkward characters,
# and the characters normalisation composes, reorders or decomposes
# (precomposed letters next to stray marks, Hangul syllables and jamo,
# Tamil and Malayalam vowel signs, a mark NFC never keeps).
_COMPOSING = st.lists(
    st.sampled_from(
        ["e", "\u00e9", "\u0301", "\u0323", "\u0302", "\u1ea1", "\uac00", "\u1100", "\u1161", "\u11a8", "\u0bc6",
         "\u0bbe", "\u0d46", "\u0d3e", "\u0344", "q", " ", "\n", "\r", "\ufeff", "😀"]
    ),
    min_size=1, max_size=12,
).map("".join)  # fmt: skip
_STORED_FORMS = st.one_of(
    clustered_texts(max_pieces=6).map(lambda case: case[0]), awkward_texts, _COMPOSING.map(offsets.normalise_text)
).filter(bool)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_STORED_FORMS, _COMPOSING), st.data())
def test_property_a_normalisation_map_maps_as_map_through_normalisation_does(raw, data):
    """NormalisationMap skips normalising per span when the raw text is in
    the stored form already; every span must come out, or be refused, as
    map_through_normalisation says, in its words."""
    mapping = offsets.NormalisationMap(raw)
    for _ in range(20):
        start = data.draw(st.integers(-1, len(raw) + 1))
        end = data.draw(st.integers(-1, len(raw) + 1))
        expected = _outcome(lambda s, e: offsets.map_through_normalisation(raw, s, e), start, end)
        assert _outcome(mapping.map, start, end) == expected, (ascii(raw), start, end)


def test_a_normalisation_map_of_a_stored_text_maps_offsets_to_themselves():
    mapping = offsets.NormalisationMap("Café 🇧🇾 q\u0301")
    assert mapping.unchanged and mapping.map(0, 4) == offsets.Extent(0, 4)
    crlf = offsets.NormalisationMap("Minsk\r\nCafe\u0301")
    assert not crlf.unchanged and crlf.map(7, 12) == offsets.Extent(6, 10)
