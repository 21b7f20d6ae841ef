"""annotate/rules/consensus.py: which units need no lead's judgement."""

import pytest

from annotate.rules.consensus import MIN_REVIEWS, is_unanimous


@pytest.mark.parametrize(
    ("made_by", "submitted", "unanimous"),
    [
        ({"alice", "bob"}, {"alice", "bob"}, True),
        # Someone who has not submitted neither makes nor breaks unanimity.
        ({"alice", "bob", "carol"}, {"alice", "bob"}, True),
        ({"alice", "bob"}, ["alice", "bob"], True),
        ({"alice"}, {"alice", "bob"}, False),
        ({"alice", "carol"}, {"alice", "bob"}, False),
        # One submitted review has no one to agree with.
        ({"alice"}, {"alice"}, False),
        (set(), set(), False),
        ({"alice", "bob", "carol"}, {"alice", "bob", "carol"}, True),
    ],
)
def test_a_unit_is_unanimous_when_every_submitted_reviewer_made_it(made_by, submitted, unanimous):
    assert is_unanimous(made_by, submitted) is unanimous


def test_it_takes_two_submitted_reviews():
    assert MIN_REVIEWS == 2
