"""annotate/rules/change_notes.py: finding the correction or update note an
outlet added to a new version. No database.

The notes below follow the forms newsrooms print: the New York Times and
Washington Post ("Correction: ... An earlier version of this article
misstated ..."), the Guardian ("This article was amended on ..."), the BBC
("Correction 3 March 2023: ..."), AP ("This story has been corrected to
show ...", "This version corrects ..."), Reuters' bracketed trashlines
("(Corrects spelling of name in paragraph 3)", "UPDATE 2-", "REFILE-"),
CNN ("This story has been updated with additional information."), and
editor's notes with a straight or a curly apostrophe.
"""

import pytest

from annotate.rules.change_notes import (
    CLARIFICATION,
    CORRECTION,
    EDITORS_NOTE,
    UPDATE,
    ChangeNote,
    change_notes,
    new_change_note,
)
from tests.rules.seed_versions import seed_versions

BODY = "Belarus and China pledged to deepen defense ties.\n\n"


@pytest.mark.parametrize(
    ("note", "kind"),
    [
        ("Correction: An earlier version of this article misstated the date of the talks.", CORRECTION),
        ("CORRECTION (March 3, 2023): The talks were held in Beijing, not Shanghai.", CORRECTION),
        ("Correction, March 3, 2023: A previous version of this story misspelled Lukashenko.", CORRECTION),
        ("Correction 3 March 2023: This story has been amended to correct the date.", CORRECTION),
        ("An earlier version of this article incorrectly said the visit was his first.", CORRECTION),
        ("A previous version of this story gave the wrong title for Xi Jinping.", CORRECTION),
        ("• This article was amended on 3 March 2023 to correct the spelling of a name.", CORRECTION),
        ("This story has been corrected to show that the statement was adopted on March 1.", CORRECTION),
        ("This version corrects the date of the talks in the second paragraph.", CORRECTION),
        ("A correction was made on March 3, 2023: the talks lasted two days.", CORRECTION),
        ("(Corrects spelling of name in paragraph 3)", CORRECTION),
        ("CORRECTED-Belarus and China sign defense pact", CORRECTION),
        ("Clarification: This article has been clarified to say the pact is not a treaty.", CLARIFICATION),
        ("This story has been clarified to reflect the ministry's statement.", CLARIFICATION),
        ("Update: The ministry declined to comment.", UPDATE),
        ("UPDATE 2-Belarus and China sign defense pact", UPDATE),
        ("Updated at 3:15 p.m. ET", UPDATE),
        ("Updated March 3, 2023", UPDATE),
        ("Update, 5 March: the ministry replied.", UPDATE),
        ("Updated on 3 March 2023 with comment from Minsk.", UPDATE),
        ("Updated on March 3, 2023, with comment from Minsk.", UPDATE),
        ("(Updates with comment from the ministry in paragraph 5)", UPDATE),
        ("(Refiles to fix typo in headline)", UPDATE),
        ("REFILE-Belarus and China sign defense pact", UPDATE),
        ("This story has been updated with additional information.", UPDATE),
        ("This article was updated to include the Kremlin's response.", UPDATE),
        ("Editor's note: This story was reported from Minsk.", EDITORS_NOTE),
        ("Editor’s Note: The author is a former diplomat.", EDITORS_NOTE),
        ("Editors' note: Names have been changed.", EDITORS_NOTE),
    ],
)
def test_a_note_in_a_form_newsrooms_use_is_found_with_its_kind(note, kind):
    text = BODY + note + "\n\nMore text."
    # From the note's first word: a bullet before it is not part of it.
    words = note.removeprefix("• ")
    start = len(BODY) + len(note) - len(words)
    assert change_notes(text) == [ChangeNote(kind, words, start, start + len(words))]


@pytest.mark.parametrize(
    "line",
    [
        "Updated figures show growth in trade.",
        "Update on the talks in Minsk came late.",
        "Updates may follow.",
        "Correction of the error took weeks.",
        "Corrected figures were published later.",
        "Correcting the record, the minister said the talks went well.",
        "The editor noted the change.",
        "He said the earlier version of the plan was dropped.",
        "The ministry has updated its guidance.",
    ],
)
def test_ordinary_sentences_that_use_the_words_are_not_notes(line):
    assert change_notes(BODY + line + "\n\nMore text.") == []


def test_a_note_inside_a_paragraph_runs_from_its_first_word_to_the_end_of_the_line():
    text = "The talks ended on Friday. This story has been updated with comment.\nNext."
    assert change_notes(text) == [ChangeNote(UPDATE, "This story has been updated with comment.", 27, 68)]


def test_a_line_holds_one_note_of_the_kind_found_first():
    text = "Clarification (March 3): we said X. An earlier version of this article said Y."
    assert [note.kind for note in change_notes(text)] == [CLARIFICATION]


def test_a_note_at_the_very_start_or_end_of_the_text_is_found():
    assert change_notes("Update: talks resumed.") == [ChangeNote(UPDATE, "Update: talks resumed.", 0, 22)]
    assert change_notes("Body.\nEditor's note: none.  ") == [ChangeNote(EDITORS_NOTE, "Editor's note: none.", 6, 26)]


def test_every_note_is_listed_in_order():
    text = "Update: talks resumed.\nBody.\nCorrection: the date was wrong."
    assert [(note.kind, note.start) for note in change_notes(text)] == [(UPDATE, 0), (CORRECTION, 29)]


def test_the_seed_articles_new_version_marks_its_correction():
    old, new = seed_versions()
    note = new_change_note(old, new)
    words = "Correction: An earlier version of this article misstated the date of the talks."
    assert note == ChangeNote(CORRECTION, words, new.index(words), new.index(words) + len(words))
    assert new[note.start : note.end] == note.text


def test_a_note_the_old_version_already_had_does_not_count():
    old = BODY + "Update: talks resumed."
    assert new_change_note(old, old + "\n\nMore text.") is None
    newer = old + "\nCorrection: the date was wrong."
    assert new_change_note(old, newer) == ChangeNote(
        CORRECTION, "Correction: the date was wrong.", len(old) + 1, len(newer)
    )


def test_a_silent_rewrite_marks_no_change():
    old, new = seed_versions()
    assert new_change_note(old, new.replace("Correction: An earlier version", "An update: an earlier plan")) is None
