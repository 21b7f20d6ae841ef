"""annotate/rules/text.py: plain values, no database."""

import pytest

from annotate.rules.text import count_words, excerpt


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Lukashenko", 10, "Lukashenko"),  # exactly at the limit: untouched
        ("Lukashenko", 9, "Lukashen…"),  # the ellipsis counts toward the limit
        ("", 5, ""),
        ("军事合作", 3, "军事…"),
        ("a😀b", 2, "a…"),  # code points: the emoji is one
    ],
)
def test_excerpt_keeps_to_the_limit_with_its_ellipsis(text, limit, expected):
    assert excerpt(text, limit) == expected
    assert len(excerpt(text, limit)) <= limit


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Lukashenko met Xi in Beijing.", 5),
        ("Russia’s fourth-term president", 3),  # inner apostrophes and hyphens join
        ("rock 'n' roll", 3),
        ("— 2023 —", 1),
        ("", 0),
        ("Беларусь и Китай", 3),
    ],
)
def test_count_words_counts_as_a_reader_does(text, words):
    assert count_words(text) == words
