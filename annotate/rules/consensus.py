"""The rule that decides which spans need no lead's judgement.

A *unit* is every span with one label, start and end. It is *unanimous*
when every reviewer who submitted the article (two or more) made it: a
lead may then accept it into the consensus in one step. With one
submitted review there is no one to agree with, so nothing is unanimous.
"""

from collections.abc import Collection

MIN_REVIEWS = 2


def is_unanimous(made_by: Collection[str], submitted: Collection[str]) -> bool:
    """Whether every submitted reviewer (at least ``MIN_REVIEWS``) is among
    those who made the unit; reviewers who have not submitted do not count
    either way."""
    return len(submitted) >= MIN_REVIEWS and set(submitted) <= set(made_by)
