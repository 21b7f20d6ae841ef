"""What the commands print as they go, in one shape: "stage: done/total rows"."""

import sys


def stderr_progress(command, *, enabled: bool):
    """A ``progress(stage, done, total)`` callback that writes a line to the
    command's stderr, or None when the user did not ask for progress. Flushed
    at once, so a log that tails the command sees each line as it happens."""
    if not enabled:
        return None

    def report(stage: str, done: int, total: int) -> None:
        command.stderr.write(f"{stage}: {done}/{total} rows")
        sys.stderr.flush()

    return report
