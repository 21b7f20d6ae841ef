"""annotate/io/spreadsheets.py: the spreadsheet formula escape and its inverse.

Pure functions over plain values, so no database. Each trigger character is
listed once with what a spreadsheet would do with it unescaped.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.io.spreadsheets import FORMULA_TRIGGERS, escape_formula, unescape_formula, xlsx_cell, xlsx_safe

FORMULA_CELLS = [
    "=cmd|' /C calc'!A0",  # DDE: runs a program in old Excel
    "=SUM(A1:A2)",  # a plain formula
    "+1",  # + starts a formula
    "-1",  # so does -, even before a number
    "@SUM(1)",  # @ is Lotus-style function syntax
    "\tabc",  # a leading tab is stripped by some importers, exposing what follows
    "\r=1",  # so is a carriage return
    "=",  # the trigger alone
]


@pytest.mark.parametrize("value", FORMULA_CELLS)
def test_a_cell_starting_with_a_formula_trigger_gets_one_apostrophe(value):
    assert escape_formula(value) == "'" + value


@pytest.mark.parametrize("value", FORMULA_CELLS)
def test_unescaping_an_escaped_formula_gives_the_original_back(value):
    assert unescape_formula("'" + value) == value


@pytest.mark.parametrize(
    "value, escaped",
    [
        ("'=1", "''=1"),  # someone already wrote an apostrophe: keep it, add ours
        ("''+1", "'''+1"),  # any number of them
        ("'-", "''-"),
    ],
)
def test_an_already_apostrophed_formula_gets_another_apostrophe_so_the_escape_can_be_undone(value, escaped):
    assert escape_formula(value) == escaped
    assert unescape_formula(escaped) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Lukashenko met Xi",
        "'quoted'",  # apostrophe not followed by a trigger
        "'",
        "''",
        "a=b",  # a trigger later in the cell is harmless
        " =1",  # so is one after a leading space
        "\n=1",  # a line feed is not a trigger
        "😀=1",
        "—1",  # an em dash is not a minus sign
    ],
)
def test_text_that_cannot_run_as_a_formula_is_left_alone(value):
    assert escape_formula(value) == value
    assert unescape_formula(value) == value


@pytest.mark.parametrize("value", [None, 0, -1, 3.5, True])
def test_values_that_are_not_text_pass_through_both_ways(value):
    assert escape_formula(value) is value
    assert unescape_formula(value) is value


def test_a_str_subclass_is_escaped_like_a_plain_str():
    class Text(str):
        pass

    assert escape_formula(Text("=1")) == "'=1"


def test_the_trigger_list_is_the_one_spreadsheets_act_on():
    assert FORMULA_TRIGGERS == ("=", "+", "-", "@", "\t", "\r")


@given(st.text())
def test_unescape_undoes_escape_for_every_text(value):
    assert unescape_formula(escape_formula(value)) == value


@given(st.text(alphabet="'=+-@\t\rab", max_size=8))
def test_unescape_undoes_escape_for_text_made_of_triggers_and_apostrophes(value):
    # The general strategy rarely produces these; they are the hard cases.
    assert unescape_formula(escape_formula(value)) == value


@given(st.text())
def test_an_escaped_cell_never_starts_with_a_trigger(value):
    assert not escape_formula(value).startswith(FORMULA_TRIGGERS)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1f"])
def test_xlsx_safe_replaces_control_characters_xlsx_cannot_hold(char):
    assert xlsx_safe(f"a{char}b") == "a\N{REPLACEMENT CHARACTER}b"
    assert xlsx_cell(f"a{char}b") == "a\N{REPLACEMENT CHARACTER}b"


def test_xlsx_safe_keeps_tab_line_feed_and_carriage_return_inside_text():
    assert xlsx_safe("a\tb\nc\rd") == "a\tb\nc\rd"


def test_xlsx_safe_escapes_formulas_and_replaces_control_characters_together():
    assert xlsx_safe("=1\x00") == "'=1\N{REPLACEMENT CHARACTER}"
    assert xlsx_safe("\t\x07") == "'\t\N{REPLACEMENT CHARACTER}"


def test_xlsx_cell_does_not_escape_formulas_because_the_export_already_did():
    assert xlsx_cell("=1") == "=1"
    assert xlsx_cell(7) == 7
    assert xlsx_safe(7) == 7
