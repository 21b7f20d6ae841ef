"""One pass of `make mutation`: mutmut over one part of the code, against
that part's own tests (``python tools/mutation.py rules|permissions``).

Two passes rather than one run over both: every permission test saves
spans, so in one run each mutant of offsets.validate_span also ran the
whole permission suite, with its database, and the run took hours. The
rules' mutants meet only tests/rules/ here, which can only make their
score lower than it would be, never higher. mutmut's own max_stack_depth
would narrow the tests too, but 3.8.1 fails on frames of frozen modules.

The settings common to both passes are [tool.mutmut] in pyproject.toml;
each pass replaces which files are mutated and which tests run. Results
stay in mutants/ (one .meta file per mutated module) for
tools/mutation_score.py.
"""

import dataclasses
import os
import sys
from pathlib import Path

from mutmut import configuration

PASSES = {
    "rules": (["annotate/rules/*"], ["tests/rules/"]),
    "permissions": (
        ["annotate/permissions.py"],
        ["tests/test_permissions.py", "tests/test_permission_matrix.py", "tests/test_independent_review.py"],
    ),
}


def main(part: str) -> None:
    only_mutate, tests = PASSES[part]
    config = dataclasses.replace(
        configuration._load_config(), only_mutate=only_mutate, pytest_add_cli_args_test_selection=tests
    )
    configuration._config = config
    # The other pass's test map would count as a changed configuration and
    # reset every result; each pass collects its own.
    Path("mutants/mutmut-stats.json").unlink(missing_ok=True)
    # The other pass left this pass's files copied unmutated, and newer than
    # their sources, which mutmut takes for "already mutated". Without them
    # it mutates them again; results of unchanged functions are kept.
    for source in Path("annotate").rglob("*.py"):
        if config.should_mutate(source):
            (Path("mutants") / source).unlink(missing_ok=True)
    from mutmut.__main__ import _run  # imported last: it sets the fork start method

    _run([], os.cpu_count())


if __name__ == "__main__":
    main(sys.argv[1])
