"""annotate/rules/label_styles.py: the label colours as a stylesheet."""

import hashlib

from annotate.rules.label_styles import label_class, label_stylesheet, stylesheet_etag


def test_label_class_is_the_slug_behind_a_fixed_prefix():
    assert label_class("unsupported_claim") == "label-colour-unsupported_claim"


def test_the_stylesheet_sets_each_labels_colour_on_its_class():
    css = label_stylesheet([("fact", "#1f77b4"), ("unsupported-claim_2", "#D62728")])
    assert css == (
        ".label-colour-fact { --label: #1f77b4; }\n.label-colour-unsupported-claim_2 { --label: #D62728; }\n"
    )


def test_the_stylesheet_leaves_out_what_is_not_a_slug_or_a_colour():
    # Written around the validators, these would be CSS of someone else's making.
    rows = [
        ("fact", "red"),
        ("fact", "#1f77b4; } body { display: none"),
        ("fact", "#1f77b"),
        ("fact", "#1f77b4\n"),
        ("a b", "#1f77b4"),
        ("x}", "#1f77b4"),
        ("", "#1f77b4"),
        ("quote\n", "#ff7f0e"),
        ("opinion", "#2ca02c"),
    ]
    assert label_stylesheet(rows) == ".label-colour-opinion { --label: #2ca02c; }\n"


def test_the_stylesheet_of_no_labels_is_empty():
    assert label_stylesheet([]) == ""


def test_the_etag_is_a_quoted_prefix_of_the_stylesheets_sha256():
    css = ".label-colour-fact { --label: #1f77b4; }\n"
    assert stylesheet_etag(css) == '"' + hashlib.sha256(css.encode()).hexdigest()[:32] + '"'
    assert len(stylesheet_etag(css)) == 34
    assert stylesheet_etag(css) != stylesheet_etag(css + " ")
