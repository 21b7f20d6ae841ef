"""annotate/rules/reanchoring.py: where reviewer spans go when a new version
of an article's text arrives. Plain values, no database.

Three kinds of test. A real seed article, edited by hand (a word changed,
a sentence inserted, a paragraph and sentences deleted, a correction note
added), with spans placed by hand and every expected state and offset
written out. Repeated words, where an identical quote elsewhere must not
capture a span whose own place was deleted. And properties over random
edits whose expected answer comes from how the two texts were built, not
from running the code under test: every piece of text is kept, deleted or
inserted, and its place in both versions is known.
"""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from annotate.rules.offsets import SpanError, normalise_text
from annotate.rules.reanchoring import (
    FUZZY_THRESHOLD,
    MIN_CONTEXT_AGREEMENT,
    AnchorState,
    Placement,
    SpanAnchor,
    context_agreement,
    reanchor_spans,
)
from tests.rules.seed_versions import seed_versions

EXACT, MOVED, FUZZY, ORPHANED = AnchorState.EXACT, AnchorState.MOVED, AnchorState.FUZZY, AnchorState.ORPHANED


def nth(text: str, quote: str, n: int) -> SpanAnchor:
    """The span on the ``n``-th (from 0) occurrence of ``quote``."""
    start = [match.start() for match in re.finditer(re.escape(quote), text)][n]
    return SpanAnchor(start, start + len(quote), quote)


# Each span as a reviewer placed it on the first version (the quote and which
# occurrence of it), and where it must go: (state, start, end, text there).
SEED_CASES = [
    (("Legion of Doom?", 0), (EXACT, 0, 15, "Legion of Doom?")),
    (("Alexander Lukashenko", 0), (EXACT, 119, 139, "Alexander Lukashenko")),
    # Before the changed word, so its offsets hold.
    (("Belarus and China", 1), (EXACT, 219, 236, "Belarus and China")),
    # One word changed inside: proposed, one character shorter.
    (
        ("pledged to tighten their cooperation on defense matters", 0),
        (FUZZY, 242, 296, "pledged to deepen their cooperation on defense matters"),
    ),
    # After the inserted sentence (75 characters with its blank line) and
    # the changed word (one shorter): 606 + 74.
    (("jointly combat transnational crime and terrorism", 0), (MOVED, 680, 728, None)),
    # The deleted paragraph, and a quote inside it that survives elsewhere.
    (("On top of that, Belarus and China will come together to support the international system", 0), (ORPHANED,)),
    (("Belarus and China", 2), (ORPHANED,)),
    # After the deleted paragraph (146 characters): 1161 + 74 - 146.
    (("the document stated", 0), (MOVED, 1089, 1108, None)),
    # The deleted "It stressed that the two countries ... coercive measures."
    # paragraph (180 characters): its quotes survive in the next one, which
    # keeps its own spans.
    (("the two countries", 0), (ORPHANED,)),
    (("coercive measures", 0), (ORPHANED,)),
    (("the two countries", 1), (MOVED, 1124, 1141, None)),
    (("coercive measures", 1), (MOVED, 1231, 1248, None)),
    (("heavy-handed foreign policy", 0), (MOVED, 1327, 1354, None)),
    # "devastating " dropped from inside it: proposed, 12 characters shorter.
    (
        ("could lead to a devastating military defeat for the US", 0),
        (FUZZY, 1542, 1584, "could lead to a military defeat for the US"),
    ),
    (("the US", 0), (MOVED, 1578, 1584, None)),
    (("Only restraint can avoid such a nightmare scenario.", 0), (ORPHANED,)),
]


def test_every_span_on_the_seed_article_follows_the_new_version():
    old, new = seed_versions()
    spans = [nth(old, quote, n) for (quote, n), _ in SEED_CASES]
    placements = reanchor_spans(old, new, spans)
    for span, placement, (_, expected) in zip(spans, placements, SEED_CASES, strict=True):
        assert placement.state == expected[0], span
        assert placement.old == span
        if expected[0] == ORPHANED:
            assert (placement.start, placement.end, placement.quote, placement.similarity) == (None, None, None, None)
            continue
        state, start, end, text = expected
        assert (placement.start, placement.end) == (start, end), span
        assert placement.quote == new[start:end] == (text or span.quote)
        if state == FUZZY:
            assert placement.similarity == fuzz.ratio(span.quote, text) >= FUZZY_THRESHOLD
        else:
            assert placement.similarity == 100.0


def test_an_orphan_keeps_its_old_quote_and_context():
    old, new = seed_versions()
    span = nth(old, "Only restraint can avoid such a nightmare scenario.", 0)
    (placement,) = reanchor_spans(old, new, [span])
    assert placement == Placement(
        state=ORPHANED,
        start=None,
        end=None,
        quote=None,
        similarity=None,
        old=span,
        prefix="t can chew and launch a direct conflict against both nuclear powers.\u00a0\n\n"[-32:],
        suffix="\n\nOur Latest Articles",
    )


def test_every_placement_carries_the_context_it_had():
    old, new = seed_versions()
    span = nth(old, "the document stated", 0)
    (placement,) = reanchor_spans(old, new, [span])
    assert (placement.prefix, placement.suffix) == (old[span.start - 32 : span.start], old[span.end : span.end + 32])


def test_the_same_text_leaves_every_span_exact():
    old, _ = seed_versions()
    spans = [nth(old, quote, n) for (quote, n), _ in SEED_CASES]
    assert {placement.state for placement in reanchor_spans(old, old, spans)} == {EXACT}


def test_two_reviewers_on_the_same_words_get_the_same_placement():
    old, new = seed_versions()
    span = nth(old, "the two countries", 1)
    first, second = reanchor_spans(old, new, [span, span])
    assert first == second
    assert (first.state, first.start) == (MOVED, 1124)


def test_spans_come_back_in_the_order_given():
    old, new = seed_versions()
    spans = [nth(old, "the US", 0), nth(old, "Legion of Doom?", 0)]
    assert [p.old for p in reanchor_spans(old, new, spans)] == spans


# --- repeated words: "Lukashenko said" three times ------------------------------

SAID = "Lukashenko said"


@pytest.mark.parametrize(
    "before", ["", "Minsk, March 3. ", "In a statement on Monday the ministry spoke.\n\n", "He spoke.\n\n"]
)
@pytest.mark.parametrize("separator", [". ", ", ", "; ", "\n\n"])
@pytest.mark.parametrize(
    "endings", [("X", "Y", "Z"), ("on Monday", "on Tuesday", "on Friday"), ("it is so", "it is not", "it is")]
)
@pytest.mark.parametrize("deleted", [0, 1, 2])
def test_a_deleted_sentences_span_is_orphaned_though_its_words_survive(before, separator, endings, deleted):
    """Three sentences that start with the same two words; one is deleted.
    The spans on the other two follow their own sentences; the span on the
    deleted one is orphaned, though "Lukashenko said" is still there."""
    sentences = [f"{SAID} {ending}" for ending in endings]
    old = before + separator.join(sentences) + "."
    new = before + separator.join(s for i, s in enumerate(sentences) if i != deleted) + "."
    old_starts, new_starts, at = [], {}, len(before)
    for sentence in sentences:
        old_starts.append(at)
        at += len(sentence) + len(separator)
    at = len(before)
    for i, sentence in enumerate(sentences):
        if i != deleted:
            new_starts[i] = at
            at += len(sentence) + len(separator)
    placements = reanchor_spans(old, new, [SpanAnchor(s, s + len(SAID), SAID) for s in old_starts])
    for i, placement in enumerate(placements):
        if i == deleted:
            assert placement.state == ORPHANED, (old, new, i)
        else:
            assert (placement.state, placement.start) == (
                EXACT if new_starts[i] == old_starts[i] else MOVED,
                new_starts[i],
            )


def test_a_span_on_words_no_one_marked_elsewhere_is_still_not_moved_onto_them():
    # Only the deleted sentence's words are marked; the kept sentence's own
    # occurrence, unmarked, still keeps its words from being taken.
    old = "He spoke.\n\nLukashenko said X. Lukashenko said Y."
    new = "He spoke.\n\nLukashenko said Y."
    (placement,) = reanchor_spans(old, new, [SpanAnchor(11, 26, SAID)])
    assert placement.state == ORPHANED


def test_a_paragraph_moved_elsewhere_whole_is_found_by_its_context():
    first = "Belarus and China pledged to deepen defense ties on Monday."
    second = "The US has imposed sanctions on both governments since 2020."
    third = "Analysts in Warsaw expect further joint exercises this year."
    old = f"{first}\n\n{second}\n\n{third}"
    new = f"{second}\n\n{third}\n\n{first}"
    quote = "pledged to deepen defense ties"
    start = old.index(quote)
    (placement,) = reanchor_spans(old, new, [SpanAnchor(start, start + len(quote), quote)])
    assert (placement.state, placement.start) == (MOVED, new.index(quote))


def test_a_moved_paragraphs_opening_words_are_found_by_what_follows_them():
    # At the head of its paragraph, the quote's surroundings before it
    # change with the move; the words after it do not.
    first = "Belarus and China pledged to deepen defense ties on Monday."
    rest = "The US has imposed sanctions on both governments since 2020.\n\nAnalysts expect joint exercises."
    old, new = f"{first}\n\n{rest}", f"{rest}\n\n{first}"
    quote = "Belarus and China pledged"
    (placement,) = reanchor_spans(old, new, [SpanAnchor(0, len(quote), quote)])
    assert (placement.state, placement.start) == (MOVED, new.index(quote))


def test_of_two_equally_good_places_the_one_nearer_the_old_place_wins():
    # The paragraph is deleted from the middle and pasted twice, at the
    # start and at the end (the edits keep the two longer paragraphs). Its
    # quote has more than CONTEXT_WIDTH characters of it on each side, so
    # both copies agree on all 64; the end is nearer where it was.
    paragraph = (
        "On Wednesday, officials in both capitals said the talks on defense ties were useful, frank and very long"
        " indeed."
    )
    before = (
        "Minsk and Beijing signed a joint statement after two days of talks, the second such visit by"
        " Lukashenko in a year, which both governments described as a new stage in their relations."
    )
    after = (
        "Both sides said that more meetings would follow this year, in Minsk and in Beijing, and next year"
        " too, when the two leaders expect to meet again."
    )
    old = f"{before}\n\n{paragraph}\n\n{after}"
    new = f"{paragraph}\n\n{before}\n\n{after}\n\n{paragraph}"
    quote = "talks on defense ties"
    start = old.index(quote)
    assert context_agreement(old, start, new, new.index(quote), len(quote)) == 64
    assert context_agreement(old, start, new, new.rindex(quote), len(quote)) == 64
    (placement,) = reanchor_spans(old, new, [SpanAnchor(start, start + len(quote), quote)])
    assert (placement.state, placement.start) == (MOVED, new.rindex(quote))


def test_the_same_words_inserted_elsewhere_with_other_surroundings_do_not_take_a_deleted_span():
    # The edits keep the long second sentence, so Minsk's words are deleted
    # and Moscow's inserted; their surroundings agree on one space.
    old = "Minsk said the talks went well. Beijing agreed with every word of it at length."
    new = "Beijing agreed with every word of it at length. Later, Moscow said the talks went well, too."
    quote = "said the talks went well"
    (placement,) = reanchor_spans(old, new, [SpanAnchor(6, 30, quote)])
    assert context_agreement(old, 6, new, new.index(quote), len(quote)) == 1
    assert placement.state == ORPHANED


def test_the_same_words_the_edits_keep_are_moved_with_them():
    # Here the quote is the longest stretch the two versions share, so the
    # edits keep it, and the span goes with it.
    old = "Minsk said the talks went well. Beijing agreed."
    new = "Beijing agreed. Later, Moscow said the talks went well, too."
    quote = "said the talks went well"
    (placement,) = reanchor_spans(old, new, [SpanAnchor(6, 30, quote)])
    assert (placement.state, placement.start) == (MOVED, new.index(quote))


@pytest.mark.parametrize(("shared", "state"), [("a ministry said", MOVED), (" ministry said", ORPHANED)])
def test_words_the_edits_did_not_carry_need_sixteen_characters_of_context(shared, state):
    """The quote's sentence is moved past a long paragraph the edits keep,
    with ``shared`` and a space before it in both versions (16, or 15,
    characters in a row) and nothing in common after it."""
    quote = "the talks were useful"
    long = "Analysts in Warsaw expect further joint exercises this year and next. " * 3
    old = f"Zz.{shared} {quote}. {long}"
    new = f"{long}Later Q{shared} {quote}!"
    span = SpanAnchor(old.index(quote), old.index(quote) + len(quote), quote)
    agreement = context_agreement(old, span.start, new, new.index(quote), len(quote))
    assert agreement == len(shared) + 1 == (MIN_CONTEXT_AGREEMENT if state == MOVED else MIN_CONTEXT_AGREEMENT - 1)
    (placement,) = reanchor_spans(old, new, [span])
    assert placement.state == state
    if state == MOVED:
        assert placement.start == new.index(quote)


# --- context_agreement --------------------------------------------------------


def test_context_agreement_counts_outward_from_the_quote_on_both_sides():
    old = "one two [Q] three four"
    new = "six two [Q] three five"
    assert context_agreement(old, 8, new, 8, 3) == len(" two ") + len(" three f")


def test_context_agreement_gives_nothing_for_a_texts_edge():
    assert context_agreement("[Q]", 0, "[Q]", 0, 3) == 0
    assert context_agreement("[Q] x", 0, "[Q] y", 0, 3) == 1


def test_context_agreement_looks_no_further_than_the_context_width():
    side = "a" * 40
    assert context_agreement(f"{side}Q{side}", 40, f"{side}Q{side}", 40, 1) == 64


# --- fuzzy: the threshold and what it is offered ----------------------------------


@pytest.mark.parametrize(
    ("quote", "edited", "figure"),
    [
        # The figures FUZZY_THRESHOLD's comment quotes.
        (
            "Only restraint can avoid such a nightmare scenario.",
            "Only restraint can avert such a nightmare scenario.",
            94,
        ),
        ("Lukashenko said on Monday", "Lukashenko said on Tuesday", 86),
        ("the two countries plan to provide support", "the two nations intend to provide support", 80.5),
        ("Only restraint can avoid such a nightmare scenario.", "Only diplomacy can prevent such a scenario.", 62),
        ("Monday", "Tuesday", 46),
        (
            "Belarus and China have pledged to tighten their cooperation",
            "Belarus and China have declined to expand their cooperation",
            85,
        ),
    ],
)
def test_the_threshold_figures_are_what_rapidfuzz_says(quote, edited, figure):
    assert round(fuzz.ratio(quote, edited), 1) == pytest.approx(figure, abs=0.5)
    old, new = f"He wrote: {quote} Then he left.", f"He wrote: {edited} Then he left."
    (placement,) = reanchor_spans(old, new, [SpanAnchor(10, 10 + len(quote), quote)])
    if figure >= FUZZY_THRESHOLD:
        assert (placement.state, placement.quote) == (FUZZY, edited)
    else:
        assert placement.state == ORPHANED


def test_a_quote_the_edits_cut_into_is_still_found_where_they_put_it():
    # Deleting ", no" reads best as deleting " no," (a comma before a space
    # is the better boundary), which takes the "no" of "said no" and leaves
    # the next one in its place: the quote still stands where its start
    # went, so the span stays.
    old, new = "They said no, no more.", "They said no more."
    (placement,) = reanchor_spans(old, new, [SpanAnchor(5, 12, "said no")])
    assert (placement.state, placement.start, placement.end) == (EXACT, 5, 12)


@pytest.mark.parametrize(
    ("old", "new", "quote", "proposal"),
    [
        # Words dropped and words added after it: the end of what replaced
        # the span lies past the proposal, which the alignment finds.
        (
            "Only restraint can avoid such a nightmare scenario.\n\nOur Latest Articles",
            "Only restraint can avoid such a scenario, analysts say.\n\nOur Latest Articles",
            "Only restraint can avoid such a nightmare scenario.",
            "Only restraint can avoid such a scenario",
        ),
        # The alignment starts inside "both"; the proposal starts at the word.
        (
            "It stressed that the two countries strongly oppose any manifestations of hegemonism. Then",
            "It stressed that both countries very strongly oppose all manifestations of hegemony and brute force. Then",
            "the two countries strongly oppose any manifestations of hegemonism.",
            "both countries very strongly oppose all manifestations of hegemony",
        ),
        # The same at the very start of the text.
        (
            "the two countries strongly oppose any manifestations of hegemonism. Then",
            "both countries very strongly oppose all manifestations of hegemony and brute force. Then",
            "the two countries strongly oppose any manifestations of hegemonism.",
            "both countries very strongly oppose all manifestations of hegemony",
        ),
        # ... and ends after "and", not inside it.
        (
            "Officials said the talks were useful overall. Then they left.",
            "Officials said the talks were useful and frank, and both sides then agreed to meet again in May.",
            "the talks were useful overall.",
            "the talks were useful and",
        ),
    ],
)
def test_a_proposal_is_the_best_aligned_whole_words_of_what_replaced_the_span(old, new, quote, proposal):
    start = old.index(quote)
    (placement,) = reanchor_spans(old, new, [SpanAnchor(start, start + len(quote), quote)])
    assert (placement.state, placement.quote) == (FUZZY, proposal)
    assert (placement.start, placement.end) == (new.index(proposal), new.index(proposal) + len(proposal))
    assert placement.similarity == fuzz.ratio(quote, proposal)


def test_a_quote_that_starts_inside_a_word_may_be_proposed_inside_one():
    # The reviewer chose "ashenko said on Monday"; the proposal keeps that cut.
    old, new = "Then Lukashenko said on Monday that", "Then Lukashenko said on Tuesday that"
    (placement,) = reanchor_spans(old, new, [SpanAnchor(8, 30, "ashenko said on Monday")])
    assert (placement.state, placement.quote) == (FUZZY, "ashenko said on Tuesday")


def test_a_proposal_is_trimmed_of_white_space_like_a_selection():
    # The quote's last word was replaced along with the space after it.
    old = "They said the defense talks were useful today. Then"
    new = "They said the defense talks were useful      \n\nThen"
    quote = "the defense talks were useful today."
    (placement,) = reanchor_spans(old, new, [SpanAnchor(10, 10 + len(quote), quote)])
    assert (placement.state, placement.quote) == (FUZZY, "the defense talks were useful")


def test_a_mark_joined_to_the_quote_widens_the_proposal_to_the_whole_character():
    # A combining acute after "q" makes q́ one character: the old extent
    # would split it, so the words come back fuzzy, widened to include it.
    old = "the letter q stands alone"
    new = "the letter q\u0301 stands alone"
    (placement,) = reanchor_spans(old, new, [SpanAnchor(4, 12, "letter q")])
    assert (placement.state, placement.start, placement.end) == (FUZZY, 4, 13)
    assert placement.quote == "letter q\u0301"


def test_a_flag_half_replaced_is_not_found_exact():
    # 🇧🇾 → 🇧🇪 shares its first indicator; the new flag is a new character.
    by, be = "\U0001f1e7\U0001f1fe", "\U0001f1e7\U0001f1ea"
    old, new = f"Flags: {by} and more words here", f"Flags: {be} and more words here"
    quote = f"{by} and more words"
    (placement,) = reanchor_spans(old, new, [SpanAnchor(7, 7 + len(quote), quote)])
    assert (placement.state, placement.quote) == (FUZZY, f"{be} and more words")


def test_a_deleted_sentence_is_not_offered_its_neighbours_similar_words():
    old = "Lukashenko said on Monday. Lukashenko said on Tuesday."
    new = "Lukashenko said on Tuesday."
    (placement,) = reanchor_spans(old, new, [SpanAnchor(0, 25, "Lukashenko said on Monday")])
    assert fuzz.ratio("Lukashenko said on Monday", "Lukashenko said on Tuesday") >= FUZZY_THRESHOLD
    assert placement.state == ORPHANED


def test_a_proposal_never_overlaps_words_another_occurrence_kept():
    # Two sentences became one: the edits keep the second "the two
    # countries" (either reading is as short), and the first, whose place
    # is gone, is not proposed the kept one's words or a stretch across them.
    old = "In short, the two countries agree. Also the two countries plan."
    new = "In short, the two countries plan."
    start = old.index("the two countries", 12)
    spans = [SpanAnchor(10, 27, "the two countries"), SpanAnchor(start, start + 17, "the two countries")]
    assert [(p.state, p.start) for p in reanchor_spans(old, new, spans)] == [(ORPHANED, None), (MOVED, 10)]


# --- bad input ----------------------------------------------------------------


def test_a_span_that_does_not_fit_the_old_text_is_refused_by_its_index():
    with pytest.raises(SpanError) as caught:
        reanchor_spans("He said no.", "He said yes.", [SpanAnchor(0, 2, "He"), SpanAnchor(3, 7, "sad ")])
    assert str(caught.value).startswith("span 1: quote 'sad ' does not match the text at [3, 7)")
    assert caught.value.field == "quote"


def test_a_span_past_the_end_is_refused_naming_its_end():
    with pytest.raises(SpanError) as caught:
        reanchor_spans("abc", "abc", [(1, 9, "bc")])
    assert caught.value.field == "end"
    assert str(caught.value).startswith("span 0: end 9 is past the end of the text")


def test_plain_tuples_are_spans_too():
    (placement,) = reanchor_spans("ab cd", "xx ab cd", [(3, 5, "cd")])
    assert (placement.state, placement.start, placement.old) == (MOVED, 6, SpanAnchor(3, 5, "cd"))


# --- properties: random edits, answers known from how the texts were built ------------


# Each piece of a generated text is made of characters no other piece has,
# so nothing but a kept piece can match a kept piece: which characters the
# two versions share is known, and so is where every span must go. A piece
# draws its clusters from families of its own code points: CJK, Hebrew and
# Arabic (right to left), emoji, a flag (two regional indicators of its
# own), and an ideograph with a combining mark. Old pieces (kept, deleted)
# and inserted pieces use different ranges.
def _old_families(i: int) -> list[str]:
    flag = chr(0x1F1E6 + 2 * i) + chr(0x1F1E7 + 2 * i)
    return [
        *(chr(0x4E00 + 16 * i + k) for k in range(4)),
        chr(0x05D0 + 2 * i),
        chr(0x05D1 + 2 * i),
        chr(0x0621 + 2 * i),
        chr(0x1F600 + 4 * i),
        chr(0x1F601 + 4 * i),
        flag,
        chr(0x4E0F + 16 * i) + chr(0x0300 + i),
    ]


def _new_families(i: int) -> list[str]:
    return [
        *(chr(0xAC00 + 16 * i + k) for k in range(4)),
        chr(0x0410 + 2 * i),
        chr(0x1F680 + 4 * i),
        chr(0x5E00 + 16 * i) + chr(0x0316 + i),
    ]


@st.composite
def versions(draw):
    """Two versions built from up to 12 pieces, each kept, deleted, inserted
    or replaced, with spans drawn on the old one at cluster boundaries:
    (old, new, spans, expected), where expected is where a span in a kept
    piece must go (new start, quote) and None for one in a deleted piece."""
    kinds = draw(
        st.lists(st.sampled_from(["kept", "kept", "deleted", "inserted", "replaced"]), min_size=1, max_size=12)
    )
    old, new, spans, expected = "", "", [], []
    for i, kind in enumerate(kinds):
        if kind != "inserted":
            clusters = draw(st.lists(st.sampled_from(_old_families(i)), min_size=1, max_size=8))
            for _ in range(draw(st.integers(0, 2))):
                first = draw(st.integers(0, len(clusters) - 1))
                last = draw(st.integers(first, len(clusters) - 1))
                start = len(old) + len("".join(clusters[:first]))
                quote = "".join(clusters[first : last + 1])
                spans.append(SpanAnchor(start, start + len(quote), quote))
                expected.append((start - len(old) + len(new), quote) if kind == "kept" else None)
            old += "".join(clusters)
            if kind == "kept":
                new += "".join(clusters)
        if kind in ("inserted", "replaced"):
            new += "".join(draw(st.lists(st.sampled_from(_new_families(i)), min_size=1, max_size=8)))
    # Guards the generator, not the code under test: the pieces are in
    # stored form and compose with nothing across their edges.
    assert normalise_text(old) == old and normalise_text(new) == new
    return old, new, spans, expected


@settings(max_examples=400, deadline=None)
@given(versions())
def test_property_spans_on_kept_text_follow_it_and_spans_on_deleted_text_are_orphaned(case):
    old, new, spans, expected = case
    for span, placement, want in zip(spans, reanchor_spans(old, new, spans), expected, strict=True):
        if want is None:
            assert placement.state == ORPHANED, (ascii(old), ascii(new), span)
        else:
            start, quote = want
            state = EXACT if start == span.start else MOVED
            assert (placement.state, placement.start, placement.end) == (state, start, start + len(quote)), (
                ascii(old),
                ascii(new),
                span,
            )
            assert new[placement.start : placement.end] == placement.quote == quote


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.booleans(), min_size=2, max_size=10),
    st.sampled_from([". ", "\n\n", "! "]),
    st.sampled_from(["", "He spoke. ", "Minsk, 3 March\n\n"]),
)
def test_property_sentences_that_open_alike_keep_their_own_spans_when_some_are_deleted(kept, separator, before):
    """Sentences that all open with "Lukashenko said" and differ after it;
    some are deleted. The span on each kept sentence's opening words goes
    where that sentence went; the span on each deleted one is orphaned,
    though the same words stand at its place in the new version."""
    sentences = [f"{SAID} on day {i} that talks went well" for i in range(len(kept))]
    old = before + separator.join(sentences) + "."
    new = before + separator.join(s for s, keep in zip(sentences, kept, strict=True) if keep) + "."
    spans, expected, old_at, new_at = [], [], len(before), len(before)
    for sentence, keep in zip(sentences, kept, strict=True):
        spans.append(SpanAnchor(old_at, old_at + len(SAID), SAID))
        expected.append(new_at if keep else None)
        old_at += len(sentence) + len(separator)
        new_at += (len(sentence) + len(separator)) if keep else 0
    for span, placement, want in zip(spans, reanchor_spans(old, new, spans), expected, strict=True):
        if want is None:
            assert placement.state == ORPHANED, (old, new, span)
        else:
            assert (placement.state, placement.start) == (EXACT if want == span.start else MOVED, want), (
                old,
                new,
                span,
            )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "ü", "ש", "ל", "习", "近", "م"]), min_size=10, max_size=30),
    st.sampled_from(["Before it. ", "", "\n\n", "🇧🇾 "]),
    st.sampled_from([" After it.", "", "\n\nMore.", " 👍🏽"]),
    st.data(),
)
def test_property_one_letter_changed_inside_a_long_span_is_proposed_in_place(letters, before, after, data):
    """A span of ten or more single-code-point letters, one of them (not at
    either end) replaced by a letter the text has nowhere else: the
    proposal is the same stretch with the new letter, scored by the
    similarity of the two stretches, which is at least 90."""
    at = data.draw(st.integers(1, len(letters) - 2))
    quote = "".join(letters)
    edited = quote[:at] + "\u0416" + quote[at + 1 :]  # Ж
    old, new = before + quote + after, before + edited + after
    (placement,) = reanchor_spans(old, new, [SpanAnchor(len(before), len(before) + len(quote), quote)])
    assert (placement.state, placement.start, placement.end) == (FUZZY, len(before), len(before) + len(edited))
    assert placement.quote == edited
    assert placement.similarity == fuzz.ratio(quote, edited) >= 90
