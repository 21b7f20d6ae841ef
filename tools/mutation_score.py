"""The mutation score of each mutated module, from the results `mutmut run`
left in mutants/ (`make mutation` runs both).

A mutant counts as killed when the tests failed, crashed or timed out on it.
Survivors listed in tools/equivalent_mutants.txt, each with the reason it
behaves exactly like the original, are left out of the score, which is
killed / (mutants - equivalent). Exits non-zero when a module scores under
the bar, or when a listed mutant no longer exists or is killed now (the list
has gone stale and must be read again).
"""

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BAR = 0.98
KILLED = {1, 3, 24, -24, 36, 152, 255, -9, -11}  # failed, pytest error, timeouts, crashes
SURVIVED = 0


def equivalent_mutants() -> dict[str, str]:
    """Mutant name → why it is equivalent, from tools/equivalent_mutants.txt."""
    listed = {}
    for line in (ROOT / "tools" / "equivalent_mutants.txt").read_text(encoding="utf-8").splitlines():
        name, _, reason = line.partition("#")
        if name.strip():
            listed[name.strip()] = reason.strip()
    return listed


def main() -> int:
    equivalent = equivalent_mutants()
    seen: set[str] = set()
    failed = False
    print(f"{'module':40} {'mutants':>7} {'killed':>6} {'equiv.':>6} {'surv.':>5} {'other':>5} {'score':>7}")
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        results = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if not results:
            continue
        counts = Counter()
        survivors = []
        for name, code in results.items():
            seen.add(name)
            if code in KILLED:
                counts["killed"] += 1
                if name in equivalent:
                    print(f"  listed as equivalent but killed: {name}")
                    failed = True
            elif code == SURVIVED and name in equivalent:
                counts["equivalent"] += 1
            elif code == SURVIVED:
                counts["survived"] += 1
                survivors.append(name)
            else:  # no tests, not checked, skipped, suspicious
                counts["other"] += 1
                survivors.append(f"{name} (exit code {code})")
        judged = len(results) - counts["equivalent"]
        score = counts["killed"] / judged if judged else 1.0
        module = str(meta.relative_to(ROOT / "mutants")).removesuffix(".meta")
        print(
            f"{module:40} {len(results):7} {counts['killed']:6} {counts['equivalent']:6} "
            f"{counts['survived']:5} {counts['other']:5} {score:7.1%}"
        )
        for name in survivors:
            print(f"  survived: {name}")
        failed = failed or score < BAR
    for name in sorted(set(equivalent) - seen):
        print(f"  listed as equivalent but no such mutant: {name}")
        failed = True
    if failed:
        print(f"Under the bar of {BAR:.0%} of non-equivalent mutants killed, or the equivalent list is stale.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
