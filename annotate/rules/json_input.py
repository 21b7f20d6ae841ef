"""Reading JSON that comes from outside: request bodies, imported files and
project archives all go through ``parse``, so every one of them refuses the
same inputs with the same reason instead of a traceback.

Python's json module reads exactly but is not built for hostile input:
nesting deeper than the interpreter's stack raises RecursionError, an
integer of more digits than ``sys.get_int_max_str_digits()`` (4,300 unless
changed) raises a bare ValueError, and NaN and Infinity, which JSON does
not have, come back as floats that no JSON writer will write again.
"""

import json
import sys

# No document Sourcemark reads nests deeper than about eight levels (a W3C
# collection down to a selector's refinement). Refusing past 64 leaves other
# tools' metadata room, and keeps everything that later walks the value
# (serialisers, error messages, repr) far from the recursion limit, which a
# document only a little shallower than the parser's own limit would not.
MAX_DEPTH = 64


class JsonProblem(ValueError):
    """Why a text is not JSON Sourcemark reads; ``str()`` says it to a person,
    as a phrase that can follow "the request body is" or a line number."""


def parse(text: str, *, max_depth: int = MAX_DEPTH, one_line: bool = False):
    """The value of the JSON document ``text``. Raises JsonProblem for text
    that is not JSON (giving the line and column; only the column when
    ``one_line``, for formats that hold a document per line), for nesting
    deeper than ``max_depth``, for integers too long to read, and for NaN
    and Infinity."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        where = f"column {error.colno}" if one_line else f"line {error.lineno}, column {error.colno}"
        raise JsonProblem(f"not valid JSON ({where}: {error.msg})") from None
    except RecursionError:
        # The parser's own stack ran out: deeper than max_depth in any case.
        raise JsonProblem(_too_deep(max_depth)) from None
    except JsonProblem:
        raise
    except ValueError:
        # What is left: int() refusing a number of more than
        # sys.get_int_max_str_digits() digits.
        raise JsonProblem(
            f"JSON with a number too long to read (more than {sys.get_int_max_str_digits():,} digits)"
        ) from None
    # Counting brackets first (in C) spares almost every document the walk.
    if text.count("[") + text.count("{") > max_depth and depth_of(value) > max_depth:
        raise JsonProblem(_too_deep(max_depth))
    return value


def unstorable_text(value) -> tuple[str, str, str | None] | None:
    """The first string in ``value`` (a key or a value, at any depth) that
    no database column can hold, as (where, why, top-level key): NUL, which
    PostgreSQL refuses even in a WHERE clause, and a lone surrogate, which
    JSON can carry as "\\ud800" but UTF-8 cannot encode. None when every
    string can be stored. ``where`` names the place a person would look:
    ``note``, ``reviewers[1]``. Iterative, like ``depth_of``."""
    stack = [(value, "", None)]
    while stack:
        item, where, top = stack.pop()
        if isinstance(item, str):
            reason = unstorable_reason(item)
            if reason:
                return where or "the body", reason, top
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                place = f"{where}.{key}" if where else key
                reason = unstorable_reason(key)
                if reason:
                    return f"the key {key.replace(chr(0), '')!r}", reason, None
                stack.append((child, place, top or key))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{index}]", top) for index, child in reversed(list(enumerate(item))))
    return None


def unstorable_reason(text: str) -> str | None:
    """Why no database column can hold ``text`` (a phrase that can follow
    "the note"), or None when one can."""
    if "\x00" in text:
        return "must not contain NUL characters"
    if text.isascii():
        # No surrogate is ASCII; most notes and quotes are, and this is the
        # one check run on every text field of every span of a file.
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired surrogate, which is not a character"
    return None


def depth_of(value) -> int:
    """How deeply lists and objects nest in ``value``: 0 for a scalar, 1 for
    ``[]`` or ``{"a": 1}``, 2 for ``[[]]``. Iterative, so any depth is safe."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _too_deep(max_depth: int) -> str:
    return f"JSON nested too deeply (more than {max_depth} levels)"


def _refuse_constant(name: str):
    raise JsonProblem(f"JSON with {name}, which is not a JSON number")
