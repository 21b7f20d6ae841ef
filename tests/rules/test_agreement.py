"""annotate/rules/agreement.py: plain values in and out, so no database.

The hand-checked fixture is a 40-character text marked by alice, bob and carol
(F fact, Q quote, O opinion, . unmarked; carol's opinion [24, 28) sits inside
her quote [20, 30), and the overall coding gives those characters the shorter
span's label):

    position   0         1         2         3
               0123456789012345678901234567890123456789
    alice      FFFFFFFFFF..........OOOOOOOOOO..........    fact [0,10)  opinion [20,30)
    bob        FFFFFFFFFF............OOOOOOOOQQQQQ.....    fact [0,10)  opinion [22,30)  quote [30,35)
    carol      FFFFFFFF............QQQQOOOOQQ..........    fact [0,8)   quote [20,30)    opinion [24,28)

Every number asserted below is worked out by hand in the comment above its
test, from Krippendorff's coincidence matrix: with m = 3 coders per unit, a
character whose codes include n_c of category c adds n_c * n_k / (m - 1) to
o[c][k] (c != k) and n_c * (n_c - 1) / (m - 1) to o[c][c]; n_c is the row sum
of o, n the total (3 * 40 = 120), and for nominal data

    alpha = 1 - (n - 1) * sum(o[c][k], c != k) / sum(n_c * n_k, c != k)

which is 1 - D_o / D_e with D_o = sum(o[c][k], c != k) / n and
D_e = sum(n_c * n_k, c != k) / (n * (n - 1)).
"""

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.rules.agreement import (
    MIN_SPANS,
    Figure,
    ReviewerSpan,
    SpanCounts,
    article_agreement,
    classify_spans,
    covered_characters,
    mean_exact_f1,
    span_counts_by_label,
    span_counts_by_pair,
    span_counts_total,
)

LABELS = ["fact", "quote", "opinion", "unsupported_claim"]
CAST = ["alice", "bob", "carol"]
FIXTURE = [
    ReviewerSpan("alice", "fact", 0, 10),
    ReviewerSpan("alice", "opinion", 20, 30),
    ReviewerSpan("bob", "fact", 0, 10),
    ReviewerSpan("bob", "opinion", 22, 30),
    ReviewerSpan("bob", "quote", 30, 35),
    ReviewerSpan("carol", "fact", 0, 8),
    ReviewerSpan("carol", "quote", 20, 30),
    ReviewerSpan("carol", "opinion", 24, 28),
]


def agreement_of(spans, reviewers=CAST, text_length=40, labels=LABELS):
    return article_agreement(text_length=text_length, spans=spans, reviewers=reviewers, labels=labels)


def few(spans: int) -> str:
    return f"Only {spans} spans behind this figure; fewer than 10 is too few to mean much."


def pair(agreement, a: str, b: str):
    (found,) = [p for p in agreement.pairs if (p.reviewer_a, p.reviewer_b) == (a, b)]
    return found


# --- alpha on the fixture ----------------------------------------------------

# Overall alpha. Codes per stretch of characters (alice, bob, carol), N = unmarked:
#
#   [0,8)    8 chars  F F F   o[F][F] += 3 each              -> FF 24
#   [8,10)   2 chars  F F N   o[F][F] += 1, o[F][N] += 1     -> FF 2, FN 2
#   [10,20) 10 chars  N N N   o[N][N] += 3                   -> NN 30
#   [20,22)  2 chars  O N Q   o[O][N], o[O][Q], o[N][Q] += 1/2 each -> ON 1, OQ 1, NQ 1
#   [22,24)  2 chars  O O Q   o[O][O] += 1, o[O][Q] += 1     -> OO 2, OQ 2
#   [24,28)  4 chars  O O O   o[O][O] += 3                   -> OO 12
#   [28,30)  2 chars  O O Q                                  -> OO 2, OQ 2
#   [30,35)  5 chars  N Q N   o[N][N] += 1, o[N][Q] += 1     -> NN 5, NQ 5
#   [35,40)  5 chars  N N N                                  -> NN 15
#
# Coincidence matrix (symmetric) and its row sums:
#
#          N    F    Q    O  |  n_c
#     N   50    2    6    1  |   59
#     F    2   26    0    0  |   28
#     Q    6    0    0    5  |   11
#     O    1    0    5   16  |   22
#                            |  n = 120
#
# Off the diagonal: 2 * (2 + 6 + 1 + 5) = 28.
# sum(n_c * n_k, c != k) = n^2 - sum(n_c^2) = 14400 - (3481 + 784 + 121 + 484) = 14400 - 4870 = 9530.
# alpha = 1 - 119 * 28 / 9530 = 1 - 3332 / 9530 = 6198 / 9530 = 3099 / 4765 ≈ 0.650367.


def test_overall_alpha_of_the_fixture_is_the_hand_computed_value():
    assert agreement_of(FIXTURE).alpha == Figure(pytest.approx(3099 / 4765), 40, 8, few(8))


# Per-label alpha, codes 1 (marked with the label) or 0, counts of 1s per character:
#
# fact:    3 on [0,8) (8 chars), 2 on [8,10) (2 chars), 0 on the other 30.
#          o[1][1] = 8*3 + 2*1 = 26, o[1][0] = o[0][1] = 2*1 = 2, o[0][0] = 30*3 = 90.
#          n_1 = 28, n_0 = 92; alpha = 1 - 119 * 4 / (2 * 28 * 92) = 1 - 476 / 5152 = 1169 / 1288 ≈ 0.907609.
# quote:   1 on [20,35) (carol, then bob: 15 chars), 0 on 25.
#          o[1][0] = o[0][1] = 15, o[0][0] = 15*1 + 25*3 = 90, o[1][1] = 0.
#          n_1 = 15, n_0 = 105; alpha = 1 - 119 * 30 / (2 * 15 * 105) = 1 - 3570 / 3150 = -2 / 15.
#          Below zero: the two quote marks never meet, worse than chance.
# opinion: 1 on [20,22), 2 on [22,24) and [28,30), 3 on [24,28), 0 on 30 chars.
#          o[1][1] = 2*1 + 2*1 + 4*3 = 16, o[1][0] = o[0][1] = 2*1 + 2*1 + 2*1 = 6,
#          o[0][0] = 2*1 + 30*3 = 92. n_1 = 22, n_0 = 98;
#          alpha = 1 - 119 * 12 / (2 * 22 * 98) = 1 - 1428 / 4312 = 2884 / 4312 = 103 / 154 ≈ 0.668831.
# unsupported_claim: nobody used it, so there is no variation and alpha is undefined.


def test_per_label_alphas_of_the_fixture_are_the_hand_computed_values():
    assert agreement_of(FIXTURE).alpha_by_label == {
        "fact": Figure(pytest.approx(1169 / 1288), 40, 3, few(3)),
        "quote": Figure(pytest.approx(-2 / 15), 40, 2, few(2)),
        "opinion": Figure(pytest.approx(103 / 154), 40, 3, few(3)),
        "unsupported_claim": Figure(
            None, 40, 0, "No reviewer marked any unsupported_claim, so there is no variation and alpha is undefined."
        ),
    }


# --- span F1 and the disagreement split on the fixture -------------------------

# alice (2 spans) vs bob (3 spans):
#   fact [0,10) = fact [0,10): an exact match, and an overlap match; both spans "exact".
#   opinion [20,30) vs opinion [22,30): 8 characters in common, an overlap match; both "boundary".
#   bob's quote [30,35) touches alice's opinion [20,30) but shares no character: "unmatched".
#   exact F1 = 2*1/5 = 0.4, overlap F1 = 2*2/5 = 0.8; split 2 / 2 / 0 / 1.
# alice (2) vs carol (3):
#   fact [0,10) vs fact [0,8): overlap match; both "boundary".
#   alice's opinion [20,30) overlaps carol's opinion [24,28): overlap match; both "boundary"
#   (that it also has the same extent as carol's quote does not matter: boundary is checked first).
#   carol's quote [20,30): alice has no quote there, only an opinion: "label".
#   exact F1 = 0, overlap F1 = 2*2/5 = 0.8; split 0 / 4 / 1 / 0.
# bob (3) vs carol (3):
#   fact [0,10) vs fact [0,8) and opinion [22,30) vs opinion [24,28): two overlap matches, four "boundary".
#   carol's quote [20,30) overlaps only bob's opinion: "label".
#   bob's quote [30,35) overlaps nothing of carol's: "unmatched".
#   exact F1 = 0, overlap F1 = 2*2/6 = 2/3; split 0 / 4 / 1 / 1.


def test_pairs_of_the_fixture_come_in_name_order():
    pairs = agreement_of(FIXTURE, reviewers=["carol", "alice", "bob"]).pairs
    assert [(p.reviewer_a, p.reviewer_b) for p in pairs] == [("alice", "bob"), ("alice", "carol"), ("bob", "carol")]


def test_span_counts_of_the_fixture_pairs_are_the_hand_counted_ones():
    agreement = agreement_of(FIXTURE)
    assert pair(agreement, "alice", "bob").total == SpanCounts(
        spans_a=2, spans_b=3, exact_matches=1, overlap_matches=2,
        exact_agreements=2, boundary_disagreements=2, label_disagreements=0, unmatched=1,
    )  # fmt: skip
    assert pair(agreement, "alice", "carol").total == SpanCounts(
        spans_a=2, spans_b=3, exact_matches=0, overlap_matches=2,
        exact_agreements=0, boundary_disagreements=4, label_disagreements=1, unmatched=0,
    )  # fmt: skip
    assert pair(agreement, "bob", "carol").total == SpanCounts(
        spans_a=3, spans_b=3, exact_matches=0, overlap_matches=2,
        exact_agreements=0, boundary_disagreements=4, label_disagreements=1, unmatched=1,
    )  # fmt: skip


def test_f1_of_the_fixture_pairs_is_the_hand_computed_value():
    agreement = agreement_of(FIXTURE)
    f1 = {(p.reviewer_a, p.reviewer_b): (p.total.exact_f1, p.total.overlap_f1) for p in agreement.pairs}
    assert f1 == {
        ("alice", "bob"): (Figure(pytest.approx(0.4), 5, 5, few(5)), Figure(pytest.approx(0.8), 5, 5, few(5))),
        ("alice", "carol"): (Figure(0.0, 5, 5, few(5)), Figure(pytest.approx(0.8), 5, 5, few(5))),
        ("bob", "carol"): (Figure(0.0, 6, 6, few(6)), Figure(pytest.approx(2 / 3), 6, 6, few(6))),
    }


def test_a_label_disagreement_counts_under_the_spans_own_label():
    by_label = pair(agreement_of(FIXTURE), "alice", "carol").by_label
    # carol's quote is the label disagreement; alice has no quote at all.
    assert by_label["quote"] == SpanCounts(spans_a=0, spans_b=1, label_disagreements=1)
    assert by_label["opinion"] == SpanCounts(spans_a=1, spans_b=1, overlap_matches=1, boundary_disagreements=2)
    assert by_label["unsupported_claim"] == SpanCounts()
    assert by_label["unsupported_claim"].overlap_f1 == Figure(None, 0, 0, "No spans to compare, so F1 is undefined.")


# --- sums across pairs and articles --------------------------------------------


def test_sums_pool_matches_and_spans_across_pairs_and_articles():
    # The fixture twice: every count doubles, the pooled F1 does not move.
    # Pairs: 5 + 5 + 6 = 16 spans, 1 exact match, 6 overlap matches, split 2 / 10 / 2 / 2.
    twice = [agreement_of(FIXTURE), agreement_of(FIXTURE)]
    total = span_counts_total(twice)
    assert total == SpanCounts(
        spans_a=14, spans_b=18, exact_matches=2, overlap_matches=12,
        exact_agreements=4, boundary_disagreements=20, label_disagreements=4, unmatched=4,
    )  # fmt: skip
    assert total.exact_f1 == Figure(pytest.approx(2 * 2 / 32), 32, 32, None)
    assert total.overlap_f1 == Figure(pytest.approx(2 * 12 / 32), 32, 32, None)


def test_sums_by_pair_add_up_each_pair_over_its_articles():
    only_alice_and_bob = agreement_of([s for s in FIXTURE if s.reviewer != "carol"], reviewers=["bob", "alice"])
    sums = span_counts_by_pair([agreement_of(FIXTURE), only_alice_and_bob])
    assert sums.keys() == {("alice", "bob"), ("alice", "carol"), ("bob", "carol")}
    assert sums["alice", "bob"] == SpanCounts(
        spans_a=4, spans_b=6, exact_matches=2, overlap_matches=4,
        exact_agreements=4, boundary_disagreements=4, label_disagreements=0, unmatched=2,
    )  # fmt: skip
    assert sums["bob", "carol"] == pair(agreement_of(FIXTURE), "bob", "carol").total


def test_sums_by_label_add_up_every_pair():
    sums = span_counts_by_label([agreement_of(FIXTURE)])
    # fact: alice-bob exact; alice-carol and bob-carol boundary.
    assert sums["fact"] == SpanCounts(
        spans_a=3, spans_b=3, exact_matches=1, overlap_matches=3, exact_agreements=2, boundary_disagreements=4
    )
    # quote: bob's [30,35) is b against alice and a against carol, unmatched both times;
    # carol's [20,30) is b twice, a label disagreement against alice and against bob.
    assert sums["quote"] == SpanCounts(spans_a=1, spans_b=3, label_disagreements=2, unmatched=2)
    assert list(sums) == LABELS


# --- alpha: edge cases -------------------------------------------------------


def test_perfect_agreement_with_variation_gives_alpha_one_and_f1_one():
    spans = [ReviewerSpan(name, "fact", 5, 15) for name in CAST] + [
        ReviewerSpan(name, "quote", 20, 25) for name in CAST
    ]
    agreement = agreement_of(spans)
    assert agreement.alpha.value == pytest.approx(1.0)
    assert agreement.alpha_by_label["fact"].value == pytest.approx(1.0)
    assert span_counts_total([agreement]).overlap_f1.value == 1.0
    assert span_counts_total([agreement]).exact_f1.value == 1.0


def test_nobody_marking_anything_leaves_alpha_undefined_rather_than_perfect():
    agreement = agreement_of([])
    assert agreement.alpha == Figure(
        None, 40, 0, "Every reviewer left every character unmarked, so there is no variation and alpha is undefined."
    )
    assert agreement.alpha_by_label["fact"].value is None
    assert span_counts_total([agreement]).exact_f1 == Figure(None, 0, 0, "No spans to compare, so F1 is undefined.")


def test_everyone_marking_the_whole_text_one_label_leaves_alpha_undefined():
    agreement = agreement_of([ReviewerSpan(name, "opinion", 0, 40) for name in CAST])
    message = "Every reviewer marked every character opinion, so there is no variation and alpha is undefined."
    assert agreement.alpha == Figure(None, 40, 3, message)
    assert agreement.alpha_by_label["opinion"] == Figure(None, 40, 3, message)


def test_a_single_reviewer_gives_no_alpha_and_no_pairs():
    agreement = agreement_of([s for s in FIXTURE if s.reviewer == "alice"], reviewers=["alice"])
    warning = "Alpha needs at least two reviewers; this article has 1."
    assert agreement.alpha == Figure(None, 40, 2, warning)
    assert agreement.alpha_by_label["fact"] == Figure(None, 40, 1, warning)
    assert agreement.pairs == ()


def test_a_reviewer_who_marked_nothing_still_codes_every_character():
    # 20 characters; alice marks fact [0,10), bob (listed) marks nothing. With m = 2
    # coders a character coded F, N adds 1 to o[F][N] and o[N][F]; N, N adds 2 to o[N][N].
    # o[F][N] = o[N][F] = 10, o[N][N] = 20; n_F = 10, n_N = 30, n = 40.
    # alpha = 1 - 39 * 20 / (2 * 10 * 30) = 1 - 780 / 600 = -0.3.
    agreement = agreement_of([ReviewerSpan("alice", "fact", 0, 10)], reviewers=["alice", "bob"], text_length=20)
    assert agreement.alpha.value == pytest.approx(-0.3)
    assert pair(agreement, "alice", "bob").total == SpanCounts(spans_a=1, spans_b=0, unmatched=1)


def test_a_figure_on_ten_spans_carries_no_warning_and_on_nine_it_does():
    ten = [ReviewerSpan(name, "fact", 4 * i, 4 * i + 2) for name in ("alice", "bob") for i in range(5)]
    assert agreement_of(ten).alpha.warning is None
    assert agreement_of(ten[1:]).alpha.warning == few(9)
    assert MIN_SPANS == 10
    one = agreement_of([ReviewerSpan("alice", "fact", 0, 2)])
    assert one.alpha.warning == "Only 1 span behind this figure; fewer than 10 is too few to mean much."


# --- alpha: the overall coding of overlapping spans ----------------------------


def library_alpha(rows) -> float:
    return krippendorff.alpha(reliability_data=np.array(rows), level_of_measurement="nominal")


def test_a_nested_span_of_another_label_codes_its_characters_with_the_shorter_spans_label():
    # alice: fact [0,10) with a quote [2,4) inside; bob: only the quote.
    spans = [
        ReviewerSpan("alice", "fact", 0, 10),
        ReviewerSpan("alice", "quote", 2, 4),
        ReviewerSpan("bob", "quote", 2, 4),
    ]
    agreement = agreement_of(spans, reviewers=["alice", "bob"], text_length=10)
    # 0 unmarked, 1 fact, 2 quote: alice reads F F Q Q F F F F F F, bob N N Q Q N N N N N N.
    expected = library_alpha([[1, 1, 2, 2, 1, 1, 1, 1, 1, 1], [0, 0, 2, 2, 0, 0, 0, 0, 0, 0]])
    assert agreement.alpha.value == pytest.approx(expected)
    # A combined "fact+quote" category on [2,4) would be a different number.
    combined = library_alpha([[1, 1, 3, 3, 1, 1, 1, 1, 1, 1], [0, 0, 2, 2, 0, 0, 0, 0, 0, 0]])
    assert expected != pytest.approx(combined)


def test_spans_of_equal_length_code_their_characters_with_the_first_listed_label():
    spans = [
        ReviewerSpan("alice", "opinion", 0, 4),
        ReviewerSpan("alice", "fact", 0, 4),
        ReviewerSpan("bob", "fact", 0, 4),
    ]
    agreement = agreement_of(spans, reviewers=["alice", "bob"], text_length=8)
    # fact is listed before opinion, so alice's [0,4) reads fact and the coders agree everywhere.
    assert agreement.alpha.value == pytest.approx(1.0)
    # The per-label alpha still sees alice's opinion, which bob does not share.
    assert agreement.alpha_by_label["opinion"].value == pytest.approx(
        library_alpha([[1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]])
    )


# --- span matching -------------------------------------------------------------


def compare(a_spans, b_spans, text_length=50) -> SpanCounts:
    spans = [ReviewerSpan("alice", label, s, e) for label, s, e in a_spans] + [
        ReviewerSpan("bob", label, s, e) for label, s, e in b_spans
    ]
    agreement = agreement_of(spans, reviewers=["alice", "bob"], text_length=text_length)
    return pair(agreement, "alice", "bob").total


def test_overlap_matching_is_one_to_one():
    # alice splits the sentence bob marked whole: one overlap match, not two,
    # but all three spans are boundary disagreements.
    counts = compare([("fact", 0, 5), ("fact", 5, 10)], [("fact", 0, 10)])
    assert counts == SpanCounts(spans_a=2, spans_b=1, overlap_matches=1, boundary_disagreements=3)
    assert counts.overlap_f1.value == pytest.approx(2 / 3)


def test_overlap_matching_pairs_by_overlap_relative_to_extent_not_raw_characters():
    # alice [0,10) shares 10 characters with bob's [0,40) but 7 of 10 with bob's
    # [3,10), the span a reader would pair it with; that leaves bob's [0,40) for
    # alice's [30,35). Raw characters in common would pair [0,10) with [0,40)
    # and make one match.
    counts = compare([("fact", 0, 10), ("fact", 30, 35)], [("fact", 0, 40), ("fact", 3, 10)])
    assert counts.overlap_matches == 2
    # Nor is it the smallest boundary shift: bob's [10,20) is half of alice's [0,20)
    # (shift 10) and a quarter of alice's [17,22) with it (shift 9). Pairing by
    # share leaves alice's [17,22) for bob's [21,40); by shift, alice's [0,20)
    # would be left with nothing.
    counts = compare([("fact", 0, 20), ("fact", 17, 22)], [("fact", 10, 20), ("fact", 21, 40)])
    assert counts.overlap_matches == 2


def test_overlap_matching_is_greedy_not_a_maximum_matching():
    # alice [0,30) and bob [5,28) share 23 of 30 characters and are paired first;
    # pairing alice [0,10) with bob [5,28) and alice [0,30) with bob [20,40)
    # would make two matches; the closest pair goes first, by design.
    counts = compare([("fact", 0, 10), ("fact", 0, 30)], [("fact", 5, 28), ("fact", 20, 40)])
    assert counts.overlap_matches == 1


def test_overlap_matching_prefers_an_exact_twin():
    # alice [0,10) shares 10 characters with both bob [0,20) and bob [0,10); taking
    # the twin leaves bob [0,20) for alice [12,20). (Bob's longer span comes first,
    # so input order alone would pick it.)
    counts = compare([("fact", 0, 10), ("fact", 12, 20)], [("fact", 0, 20), ("fact", 0, 10)])
    assert counts.overlap_matches == 2
    assert counts.exact_matches == 1


def test_overlap_matching_away_from_the_start_of_the_text_pairs_by_share_of_the_union():
    # alice [100,120) is 18/20 of bob [100,118) and 20/30 of bob [90,120);
    # taking the first pair leaves bob [90,120) for alice [85,95). Measured
    # from the wrong end (the later start instead of the earlier), the
    # second pair would look whole (20/20), be taken first, and leave
    # alice [85,95) with nothing.
    counts = compare([("fact", 100, 120), ("fact", 85, 95)], [("fact", 100, 118), ("fact", 90, 120)], text_length=200)
    assert counts.overlap_matches == 2


def test_overlap_matching_breaks_a_tie_in_share_by_position():
    # bob [110,120) shares half of its union with alice [100,120) and with
    # alice [110,130); by position, alice [100,120) takes it, which leaves
    # bob [125,135) for alice [110,130).
    counts = compare(
        [("fact", 110, 130), ("fact", 100, 120)], [("fact", 125, 135), ("fact", 110, 120)], text_length=200
    )
    assert counts.overlap_matches == 2


def test_a_one_character_overlap_is_a_boundary_disagreement_and_an_overlap_match():
    counts = compare([("fact", 0, 5)], [("fact", 4, 10)])
    assert counts == SpanCounts(spans_a=1, spans_b=1, overlap_matches=1, boundary_disagreements=2)
    counts = compare([("fact", 20, 25)], [("opinion", 24, 30)])
    assert counts == SpanCounts(spans_a=1, spans_b=1, label_disagreements=2)


def test_spans_that_only_touch_do_not_overlap():
    counts = compare([("fact", 0, 5)], [("fact", 5, 10)])
    assert counts == SpanCounts(spans_a=1, spans_b=1, unmatched=2)


def test_overlapping_spans_of_different_labels_are_a_label_disagreement_not_a_match():
    counts = compare([("fact", 0, 10)], [("opinion", 0, 10), ("fact", 30, 40)])
    assert counts == SpanCounts(spans_a=1, spans_b=2, label_disagreements=2, unmatched=1)
    assert counts.overlap_f1.value == 0.0


# --- input checks --------------------------------------------------------------


@pytest.mark.parametrize(
    ("spans", "reviewers", "message"),
    [
        ([ReviewerSpan("dave", "fact", 0, 5)], CAST, "reviewer 'dave' is not among the reviewers"),
        ([ReviewerSpan("alice", "satire", 0, 5)], CAST, "label 'satire' is not among the labels"),
        ([ReviewerSpan("alice", "fact", 5, 5)], CAST, r"does not fit 0 <= start < end <= 40"),
        ([ReviewerSpan("alice", "fact", 30, 41)], CAST, r"does not fit 0 <= start < end <= 40"),
        ([ReviewerSpan("alice", "fact", 0, 5.5)], CAST, "start and end must be whole numbers"),
        ([ReviewerSpan("alice", "fact", 0, 5), ReviewerSpan("alice", "fact", 0, 5)], CAST, "is listed twice"),
        ([], ["alice", "bob", "alice"], "reviewers are listed more than once"),
    ],
)
def test_input_that_the_database_would_never_hold_is_refused(spans, reviewers, message):
    with pytest.raises(ValueError, match=message):
        agreement_of(spans, reviewers=reviewers)


def test_labels_listed_twice_are_refused():
    with pytest.raises(ValueError, match=r"labels are listed more than once: \['fact', 'quote', 'fact'\]"):
        agreement_of([], labels=["fact", "quote", "fact"])


def test_alpha_on_an_empty_text_is_undefined_with_the_reason():
    agreement = agreement_of([], reviewers=["alice", "bob"], text_length=0)
    empty = Figure(None, 0, 0, "The text is empty, so there are no characters to agree on.")
    assert agreement.alpha == empty
    assert agreement.alpha_by_label == dict.fromkeys(LABELS, empty)
    assert pair(agreement, "alice", "bob").total == SpanCounts()


# --- properties ------------------------------------------------------------------

NAMES = ["alice", "bob", "carol", "dan"]


@st.composite
def articles(draw):
    text_length = draw(st.integers(1, 30))
    reviewers = NAMES[: draw(st.integers(2, 4))]
    spans = []
    for _ in range(draw(st.integers(0, 12))):
        start = draw(st.integers(0, text_length - 1))
        end = draw(st.integers(start + 1, text_length))
        spans.append(ReviewerSpan(draw(st.sampled_from(reviewers)), draw(st.sampled_from(LABELS[:3])), start, end))
    return text_length, reviewers, list(dict.fromkeys(spans))


def reliability_rows(text_length, reviewers, spans, label=None) -> list[list[int]]:
    """Codes one character at a time, the slow obvious way: the shortest
    covering span's label (ties to the first label), or 1/0 for one label."""
    rows = []
    for reviewer in reviewers:
        row = []
        for character in range(text_length):
            covering = [s for s in spans if s.reviewer == reviewer and s.start <= character < s.end]
            if label is not None:
                row.append(int(any(s.label == label for s in covering)))
            elif covering:
                shortest = min(covering, key=lambda s: (s.end - s.start, LABELS.index(s.label)))
                row.append(1 + LABELS.index(shortest.label))
            else:
                row.append(0)
        rows.append(row)
    return rows


def expected_alpha(rows) -> float | None:
    if len({code for row in rows for code in row}) < 2:
        return None
    return pytest.approx(library_alpha(rows), abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(articles())
def test_alpha_from_value_counts_equals_the_library_on_reliability_data(article):
    text_length, reviewers, spans = article
    agreement = agreement_of(spans, reviewers=reviewers, text_length=text_length)
    assert agreement.alpha.value == expected_alpha(reliability_rows(text_length, reviewers, spans))
    for label in LABELS:
        rows = reliability_rows(text_length, reviewers, spans, label=label)
        assert agreement.alpha_by_label[label].value == expected_alpha(rows)


@settings(max_examples=300, deadline=None)
@given(articles())
def test_the_disagreement_split_accounts_for_every_span_once(article):
    text_length, reviewers, spans = article
    for found in agreement_of(spans, reviewers=reviewers, text_length=text_length).pairs:
        for counts in [found.total, *found.by_label.values()]:
            split = counts.exact_agreements + counts.boundary_disagreements
            split += counts.label_disagreements + counts.unmatched
            assert split == counts.spans
            assert counts.exact_agreements == 2 * counts.exact_matches
            assert counts.exact_matches <= counts.overlap_matches <= min(counts.spans_a, counts.spans_b)
        assert found.total.spans_a == sum(1 for s in spans if s.reviewer == found.reviewer_a)


# --- the helpers the reports and the feedback share ---------------------------


def test_mean_exact_f1_averages_pairs_and_leaves_out_pairs_with_no_spans():
    a = {("fact", 0, 10), ("quote", 20, 30)}
    b = {("fact", 0, 10)}
    c: set = set()
    # (a, b): 2·1/3; (a, c): 0; (b, c): 0; no pair is empty on both sides.
    assert mean_exact_f1([a, b, c]) == pytest.approx((2 / 3 + 0 + 0) / 3)
    assert mean_exact_f1([c, set()]) is None
    assert mean_exact_f1([a]) is None


@pytest.mark.parametrize(
    ("extents", "characters"),
    [
        ([], 0),
        ([(0, 10)], 10),
        ([(0, 10), (5, 15)], 15),  # overlap counted once
        ([(5, 15), (0, 10), (20, 25)], 20),  # order does not matter; a gap is not covered
        ([(0, 10), (2, 4)], 10),  # nested
        ([(0, 5), (5, 10)], 10),  # touching
    ],
)
def test_covered_characters_counts_the_union(extents, characters):
    assert covered_characters(extents) == characters


def test_classify_spans_splits_as_the_pairwise_comparison_does():
    consensus = [("fact", 0, 10), ("quote", 20, 30), ("opinion", 40, 50)]
    mine = [
        ("fact", 0, 10),  # exact
        ("quote", 21, 30),  # boundary: same label, other extent
        ("fact", 45, 46),  # label: overlaps only an opinion
        ("fact", 60, 70),  # unmatched: overlaps nothing
        ("opinion", 9, 10),  # a one-character overlap with another label's span
    ]
    assert classify_spans(mine, consensus, text_length=80) == ["exact", "boundary", "label", "unmatched", "label"]


def test_classify_spans_with_nothing_to_compare_against():
    assert classify_spans([("fact", 0, 3)], [], text_length=3) == ["unmatched"]
    assert classify_spans([], [("fact", 0, 3)], text_length=3) == []
    assert classify_spans([], [], text_length=3) == []
