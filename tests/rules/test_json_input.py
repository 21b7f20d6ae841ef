"""annotate/rules/json_input.py: the one JSON parser for what comes from
outside. Plain values, no database."""

import pytest

from annotate.rules.json_input import MAX_DEPTH, JsonProblem, depth_of, parse, unstorable_text

TOO_DEEP = f"JSON nested too deeply (more than {MAX_DEPTH} levels)"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_document_is_read_as_json_reads_it():
    assert parse('{"label": "fact", "start": 3, "note": null, "x": [1.5, true]}') == {
        "label": "fact",
        "start": 3,
        "note": None,
        "x": [1.5, True],
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "{label: fact}", "not valid JSON (line 1, column 2: Expecting property name enclosed in double quotes)"
        ),
        pytest.param('{"a":\n  }', "not valid JSON (line 2, column 3: Expecting value)", id="second-line"),
        pytest.param("", "not valid JSON (line 1, column 1: Expecting value)", id="empty"),
        # The parser's own stack runs out long before this.
        pytest.param("[" * 100_000, TOO_DEEP, id="100000-open-brackets"),
        pytest.param(nested(100_000), TOO_DEEP, id="100000-levels"),
        # Shallow enough for the parser, still refused.
        pytest.param(nested(MAX_DEPTH + 1), TOO_DEEP, id="one-level-too-many"),
        pytest.param('{"a": ' * 500 + "1" + "}" * 500, TOO_DEEP, id="objects"),
        pytest.param('{"start": ' + "9" * 4_301 + "}", "JSON with a number too long to read (more than 4,300 digits)"),
        pytest.param("[-" + "1" * 5_000 + "]", "JSON with a number too long to read (more than 4,300 digits)"),
        pytest.param('{"start": NaN}', "JSON with NaN, which is not a JSON number"),
        pytest.param("[-Infinity]", "JSON with -Infinity, which is not a JSON number"),
    ],
)
def test_hostile_or_broken_json_is_refused_with_a_named_reason(text, message):
    with pytest.raises(JsonProblem) as refused:
        parse(text)
    assert str(refused.value) == message


def test_a_document_a_line_long_is_placed_by_column_only():
    with pytest.raises(JsonProblem, match=r"^not valid JSON \(column 9: Expecting value\)$"):
        parse('{"text":}', one_line=True)


def test_the_deepest_allowed_nesting_and_the_longest_number_are_read():
    assert depth_of(parse(nested(MAX_DEPTH))) == MAX_DEPTH
    assert parse("9" * 4_300) == int("9" * 4_300)


def test_the_deepest_allowed_nesting_is_read_among_more_brackets_than_levels():
    # More brackets than MAX_DEPTH, so the depth is walked, and exactly MAX_DEPTH deep.
    text = "[[], " + nested(MAX_DEPTH - 1) + "]"
    assert text.count("[") > MAX_DEPTH
    assert depth_of(parse(text)) == MAX_DEPTH


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert parse('["' + "[" * 1_000 + '"]') == ["[" * 1_000]


def test_a_lower_depth_can_be_asked_for():
    with pytest.raises(JsonProblem, match=r"more than 2 levels"):
        parse('{"a": [[1]]}', max_depth=2)


@pytest.mark.parametrize(
    ("value", "depth"),
    [(1, 0), ("[[", 0), ([], 1), ({"a": 1}, 1), ([[]], 2), ({"a": [{"b": []}]}, 4), ([1, [2, [3]], []], 3)],
)
def test_depth_counts_lists_and_objects(value, depth):
    assert depth_of(value) == depth


def test_depth_of_a_value_deeper_than_the_recursion_limit_is_counted():
    value: list = []
    for _ in range(50_000):
        value = [value]
    assert depth_of(value) == 50_001


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ({"note": "nul \x00 inside"}, ("note", "must not contain NUL characters", "note")),
        ({"reviewers": ["ana", "b\x00n"]}, ("reviewers[1]", "must not contain NUL characters", "reviewers")),
        (
            {"a": {"b": [{"c": "\ud800"}]}},
            ("a.b[0].c", "contains an unpaired surrogate, which is not a character", "a"),
        ),
        ({"no\x00te": "x"}, ("the key 'note'", "must not contain NUL characters", None)),
        (["\udfff"], ("[0]", "contains an unpaired surrogate, which is not a character", None)),
        ("\x00", ("the body", "must not contain NUL characters", None)),
        # The first in document order, not the last pushed.
        ({"a": "\x00", "b": "\ud800"}, ("a", "must not contain NUL characters", "a")),
    ],
)
def test_text_no_database_can_store_is_found_wherever_it_is(value, found):
    assert unstorable_text(value) == found


@pytest.mark.parametrize(
    "value", [{"note": "ok", "n": [1, None, True, 2.5]}, "😀 \ufeff \u200b \U0010ffff", [], {}, None, 0]
)
def test_text_every_database_can_store_passes(value):
    assert unstorable_text(value) is None
