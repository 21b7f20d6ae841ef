"""annotate/web/http.py's plain helpers; no database."""

import pytest

from annotate.web.http import MAX_ID, id_from_text


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("42", 42), ("007", 7), (str(MAX_ID), MAX_ID)])
def test_an_id_is_read_from_its_digits(text, expected):
    assert id_from_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0",
        "-1",
        "+1",
        " 1",
        "1.0",
        "1e3",
        "²",  # str.isdigit() says yes, int() says no
        "١٢",  # Arabic-Indic digits: int() reads them, no URL means them
        str(MAX_ID + 1),
        "9" * 4_301,  # int() refuses more than 4,300 digits
        None,
        7,
    ],
)
def test_anything_but_an_id_in_the_databases_range_is_none(text):
    assert id_from_text(text) is None
