"""Agreement for one big article: 5 reviewers × 500 spans on 50,000 characters.

Times ``article_agreement`` (overall and per-label alpha, plus span F1 and the
disagreement split for all 10 reviewer pairs), median of 20 runs, against a
baseline measured in the same run: the same alphas coded character by
character in plain Python and handed to ``krippendorff.alpha`` as
reliability data, as one would write it first. The baseline does less work
(alphas only), and its alphas must equal ours. Bar (team-review issue):
< 200 ms. Needs no database.

    .venv/bin/python bench/agreement.py [--runs 20]
"""

import argparse
import random
import statistics
import sys
import time

import krippendorff
import numpy as np
from _setup import ROOT, print_table

sys.path.insert(0, str(ROOT))

from annotate.rules.agreement import ReviewerSpan, article_agreement, span_counts_total  # noqa: E402

TEXT_LENGTH = 50_000
REVIEWERS = ["ana", "ben", "chen", "dara", "emil"]
LABELS = ["fact", "quote", "opinion", "unsupported_claim"]
SPANS_EACH = 500
BAR_MS = 200


def random_span(rng: random.Random) -> tuple[str, int, int]:
    start = rng.randrange(TEXT_LENGTH - 200)
    return rng.choice(LABELS), start, start + rng.randint(20, 200)


def make_spans(seed: int = 7) -> list[ReviewerSpan]:
    """Reviewers who mostly agree: each starts from the same 500 "true" spans
    and keeps some exactly, shifts the ends of some, relabels a few and
    replaces the rest with spans of their own."""
    rng = random.Random(seed)
    truth = [random_span(rng) for _ in range(SPANS_EACH)]
    spans = []
    for reviewer in REVIEWERS:
        own: set[tuple[str, int, int]] = set()
        for label, start, end in truth:
            roll = rng.random()
            while True:
                if roll < 0.5:
                    candidate = (label, start, end)
                elif roll < 0.75:
                    candidate = (label, max(0, start + rng.randint(-10, 10)), end + rng.randint(-10, 10))
                elif roll < 0.85:
                    candidate = (rng.choice(LABELS), start, end)
                else:
                    candidate = random_span(rng)
                if candidate not in own and candidate[1] < candidate[2]:
                    break
                roll = 1.0  # a clash: fall back to a fresh random span
            own.add(candidate)
        spans.extend(ReviewerSpan(reviewer, label, start, end) for label, start, end in own)
    return spans


def naive_alphas(spans: list[ReviewerSpan]) -> dict[str, float]:
    """The baseline: reliability data built one character at a time."""
    overall = []
    per_label = {label: [] for label in LABELS}
    for reviewer in REVIEWERS:
        own = [span for span in spans if span.reviewer == reviewer]
        # The shortest covering span wins, ties to the first label: (length, rank, code).
        best = [(TEXT_LENGTH + 1, 0, 0)] * TEXT_LENGTH
        marked = {label: [0] * TEXT_LENGTH for label in LABELS}
        for span in own:
            rank = LABELS.index(span.label)
            key = (span.end - span.start, rank, rank + 1)
            for character in range(span.start, span.end):
                best[character] = min(best[character], key)
                marked[span.label][character] = 1
        overall.append([code for _, _, code in best])
        for label in LABELS:
            per_label[label].append(marked[label])
    alphas = {"overall": krippendorff.alpha(reliability_data=np.array(overall), level_of_measurement="nominal")}
    for label in LABELS:
        data = np.array(per_label[label])
        alphas[label] = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    return alphas


def ours(spans: list[ReviewerSpan]):
    return article_agreement(text_length=TEXT_LENGTH, spans=spans, reviewers=REVIEWERS, labels=LABELS)


def median_ms(function, spans, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function(spans)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    spans = make_spans()

    expected = naive_alphas(spans)
    result = ours(spans)
    got = {"overall": result.alpha.value} | {label: figure.value for label, figure in result.alpha_by_label.items()}
    same = all(abs(got[key] - expected[key]) < 1e-9 for key in expected)

    baseline, baseline_worst = median_ms(naive_alphas, spans, max(3, args.runs // 4))
    median, worst = median_ms(ours, spans, args.runs)
    pooled = span_counts_total([result])
    print_table(
        f"Agreement: {len(REVIEWERS)} reviewers × {SPANS_EACH} spans on {TEXT_LENGTH:,} characters "
        f"(baseline: per-character Python + krippendorff.alpha(reliability_data), alphas only)",
        ["what", "runs", "median ms", "max ms", "vs baseline", "bar < 200 ms"],
        [
            ["baseline (alphas)", max(3, args.runs // 4), f"{baseline:.1f}", f"{baseline_worst:.1f}", "1.0x", ""],
            [
                "article_agreement (alphas, 10 pairs)", args.runs, f"{median:.1f}", f"{worst:.1f}",
                f"{baseline / median:.1f}x faster", "PASS" if median < BAR_MS else "FAIL",
            ],
        ],
    )  # fmt: skip
    print(
        f"\nalpha overall {result.alpha.value:.3f}, "
        + ", ".join(f"{label} {figure.value:.3f}" for label, figure in result.alpha_by_label.items())
        + f"; pooled F1 exact {pooled.exact_f1.value:.3f}, overlap {pooled.overlap_f1.value:.3f}"
        + f"; split exact/boundary/label/unmatched {pooled.exact_agreements}/{pooled.boundary_disagreements}/"
        + f"{pooled.label_disagreements}/{pooled.unmatched}"
        + f"; alphas equal to the baseline's: {'yes' if same else 'NO'}"
    )
    if not same or median >= BAR_MS:
        sys.exit(1)


if __name__ == "__main__":
    main()
