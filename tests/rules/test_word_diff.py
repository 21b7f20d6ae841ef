"""annotate/rules/word_diff.py: the versions view's word diff and its
summary. No database.

Exact runs for hand-made edits; properties checked against what any word
diff must satisfy whatever it aligned (the runs rebuild both texts, and no
run boundary falls inside a word or a grapheme cluster, judged by
segmenting the texts with regex's \\X rather than by the module's own
tokens).
"""

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.rules.word_diff import DELETE, EQUAL, INSERT, DiffRun, DiffSummary, summarise_diff, tokens, word_diff
from tests.unicode_texts import awkward_texts


def rebuilt(runs: list[DiffRun]) -> tuple[str, str]:
    old = "".join(text for op, text in runs if op != INSERT)
    new = "".join(text for op, text in runs if op != DELETE)
    return old, new


def test_changed_words_with_only_a_space_between_read_as_one_change():
    assert word_diff("the big red dog ran.", "the small blue dog ran!") == [
        DiffRun(EQUAL, "the "),
        DiffRun(DELETE, "big red"),
        DiffRun(INSERT, "small blue"),
        DiffRun(EQUAL, " dog ran"),
        DiffRun(DELETE, "."),
        DiffRun(INSERT, "!"),
    ]


def test_an_inserted_sentence_is_one_insert_run():
    old = "Xi met Lukashenko. They signed a statement."
    new = "Xi met Lukashenko. It was his third visit. They signed a statement."
    assert word_diff(old, new) == [
        DiffRun(EQUAL, "Xi met Lukashenko. "),
        DiffRun(INSERT, "It was his third visit. "),
        DiffRun(EQUAL, "They signed a statement."),
    ]


def test_a_word_changed_inside_is_the_whole_word_not_its_letters():
    assert word_diff("pledged to tighten ties", "pledged to deepen ties") == [
        DiffRun(EQUAL, "pledged to "),
        DiffRun(DELETE, "tighten"),
        DiffRun(INSERT, "deepen"),
        DiffRun(EQUAL, " ties"),
    ]


def test_words_kept_between_changes_stay_equal():
    assert word_diff("a b c", "x b y") == [
        DiffRun(DELETE, "a"),
        DiffRun(INSERT, "x"),
        DiffRun(EQUAL, " b "),
        DiffRun(DELETE, "c"),
        DiffRun(INSERT, "y"),
    ]


def test_a_space_at_the_start_before_a_change_stays_equal():
    assert word_diff(" a", " b") == [DiffRun(EQUAL, " "), DiffRun(DELETE, "a"), DiffRun(INSERT, "b")]


def test_the_same_text_is_one_equal_run_and_no_text_is_none():
    assert word_diff("Minsk.\n\nBeijing.", "Minsk.\n\nBeijing.") == [DiffRun(EQUAL, "Minsk.\n\nBeijing.")]
    assert word_diff("", "") == []
    assert word_diff("", "new") == [DiffRun(INSERT, "new")]
    assert word_diff("old", "") == [DiffRun(DELETE, "old")]


def test_tokens_keep_words_clusters_and_runs_of_space_whole():
    text = "Russia’s fourth-term 习近平 🇧🇾👍🏽 q\u0301x  \n\nend."
    assert tokens(text) == [
        "Russia’s", " ", "fourth-term", " ",
        "习", "近", "平", " ",  # no spaces between Chinese words: one ideograph each
        "🇧🇾", "👍🏽", " ",
        "q\u0301x", "  \n\n",
        "end", ".",
    ]  # fmt: skip


def test_a_space_that_carries_a_combining_mark_is_one_token_with_it():
    # " \u0301" is one grapheme cluster: a run must not end between them.
    assert tokens("a \u0301b") == ["a", " \u0301", "b"]


def test_right_to_left_words_are_words():
    assert tokens("שלום עולם, مرحبا") == ["שלום", " ", "עולם", ",", " ", "مرحبا"]


@settings(max_examples=300, deadline=None)
@given(awkward_texts, awkward_texts)
def test_property_the_runs_rebuild_both_texts_and_cut_no_character(old, new):
    runs = word_diff(old, new)
    assert rebuilt(runs) == (old, new)
    for text, ops in ((old, (EQUAL, DELETE)), (new, (EQUAL, INSERT))):
        boundaries = {0}
        for cluster in regex.findall(r"\X", text):
            boundaries.add(max(boundaries) + len(cluster))
        at = 0
        for op, piece in runs:
            if op in ops:
                at += len(piece)
                assert at in boundaries, (ascii(text), at)


def spaced_letter(character: str) -> bool:
    """A letter of a script that puts spaces between words (not CJK)."""
    return character.isalpha() and not "\u3000" <= character <= "\u9fff"


WORDS = st.lists(
    st.sampled_from(["Minsk", "Beijing", "said", "talks", "習近平", "שלום", "👍🏽", " ", ", ", ". ", "\n\n"])
)


@settings(max_examples=300, deadline=None)
@given(WORDS.map("".join), WORDS.map("".join))
def test_property_runs_alternate_sensibly_and_never_split_a_word(old, new):
    runs = word_diff(old, new)
    assert rebuilt(runs) == (old, new)
    for before, after in zip(runs, runs[1:], strict=False):
        assert before.op != after.op
        assert (before.op, after.op) != (INSERT, DELETE)  # deletions first in a change
    for index, run in enumerate(runs):
        assert run.text
        if run.op == EQUAL and 0 < index < len(runs) - 1:
            assert not run.text.isspace()  # white space between two changes is folded in
    for text, ops in ((old, (EQUAL, DELETE)), (new, (EQUAL, INSERT))):
        at = 0
        for op, piece in runs:
            if op in ops:
                at += len(piece)
                if 0 < at < len(text):
                    assert not (spaced_letter(text[at - 1]) and spaced_letter(text[at])), (text, at)


# --- summarise_diff ---------------------------------------------------------------


def test_the_summary_counts_what_the_runs_change():
    runs = word_diff("the big red dog ran.", "the small blue dog ran!")
    # deleted "big red" and ".", inserted "small blue" and "!"; the folded
    # space counts on both sides.
    assert summarise_diff(runs) == DiffSummary(
        characters_deleted=8,
        characters_inserted=11,
        words_deleted=2,
        words_inserted=2,
        share_changed=19 / (20 + 23),
    )


def test_the_same_text_changed_nothing_and_two_unrelated_ones_everything():
    assert summarise_diff(word_diff("Minsk said so.", "Minsk said so.")).share_changed == 0.0
    assert summarise_diff(word_diff("Minsk", "Beijing")).share_changed == 1.0
    assert summarise_diff([]) == DiffSummary(0, 0, 0, 0, 0.0)


@settings(max_examples=200, deadline=None)
@given(WORDS.map("".join), WORDS.map("".join))
def test_property_the_share_is_the_changed_characters_of_both_texts(old, new):
    summary = summarise_diff(word_diff(old, new))
    assert 0.0 <= summary.share_changed <= 1.0
    if old or new:
        changed = summary.characters_deleted + summary.characters_inserted
        assert summary.share_changed == changed / (len(old) + len(new))
    assert (summary.share_changed == 0.0) == (old == new)
