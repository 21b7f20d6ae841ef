"""Whether a new version of an article says that it changed: a correction,
clarification, update or editor's note that the previous version did not
have. Outlets that mark their changes are more reliable than those that
rewrite silently, and reports count which do.

The wordings are the ones newsrooms use: a line that starts "Correction:",
"CORRECTION (March 3, 2023):", "Clarification:", "Update, 5 March:",
"Updated at 3:15 p.m. ET", "Editor's note:" (straight or curly
apostrophe), the wire services' "UPDATE 2-", "REFILE-" and bracketed
trashlines "(Corrects spelling of name in paragraph 3)", "(Updates with
comment in paragraph 5)", "(Refiles to fix typo)", and
sentences anywhere: "An earlier (or previous) version of this article
misstated...", "This story has been corrected / amended / updated /
clarified / refiled", the Guardian's "This article was amended on 3 March
2023", AP's "This version corrects...", "A correction was made on...".
A line that merely starts with the word ("Updated figures show...",
"Correction of the error took weeks", "Update on the talks") is not a
note: after a label comes a colon, a bracket, a dash, a comma, a date or a
time.
"""

from dataclasses import dataclass

import regex

CORRECTION, CLARIFICATION, UPDATE, EDITORS_NOTE = "correction", "clarification", "update", "editors_note"

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# What follows a note's label at the start of its line: a colon, a
# bracket, a dash or a comma, or a date or a time ("on 3 March", "March 3",
# "at 3:15 p.m.").
_LABEL_END = rf"(?=\s*(?:[:(\[,—–-]|\d|(?:on\s+)?{_MONTH}\s+\d|on\s+\d|at\s+\d))"
_DOCUMENT = r"(?:article|story|report|post|piece|column|item|headline|blog|page)"
# A label opens its line, perhaps after a bullet, a bracket or an asterisk.
_LINE_START = r"(?:^|(?<=\n))[\s•*(\[]*"
# Reuters' trashlines are in brackets: "(Corrects ...)", "(Updates with ...)".
_TRASHLINE = r"(?:^|(?<=\n))\s*\K[(\[]\s*"

_PATTERNS = [
    (CORRECTION, rf"{_LINE_START}\Kcorrect(?:ion|ed)\b{_LABEL_END}"),
    (CORRECTION, rf"{_TRASHLINE}correct(?:s|ing)\b"),
    (CLARIFICATION, rf"{_LINE_START}\Kclarification\b{_LABEL_END}"),
    (UPDATE, rf"{_LINE_START}\K(?:update[ds]?|refiled?)\b{_LABEL_END}"),
    (UPDATE, rf"{_TRASHLINE}(?:updates|updating|refiles|refiling)\b"),
    (EDITORS_NOTE, rf"{_LINE_START}\Keditor[’']?s[’']? note\b"),
    (CORRECTION, rf"\b(?:an?|the) (?:earlier|previous|prior|original) version of this {_DOCUMENT}\b"),
    (CORRECTION, rf"\bthis {_DOCUMENT} (?:has been|was|is being) (?:corrected|amended)\b"),
    (CORRECTION, r"\bthis version corrects\b"),
    (CORRECTION, r"\ba correction (?:was|has been) (?:made|appended)\b"),
    (CLARIFICATION, rf"\bthis {_DOCUMENT} (?:has been|was) clarified\b"),
    (UPDATE, rf"\bthis {_DOCUMENT} (?:has been|was) (?:updated|refiled)\b"),
]
_NOTE = regex.compile(
    "|".join(f"(?P<{kind}{index}>{pattern})" for index, (kind, pattern) in enumerate(_PATTERNS)),
    regex.IGNORECASE | regex.VERSION1,
)


@dataclass(frozen=True)
class ChangeNote:
    """A note in a text: its kind (``correction``, ``clarification``,
    ``update`` or ``editors_note``), its text, from its first word to the
    end of its line, and where that is, ``[start, end)`` in code points."""

    kind: str
    text: str
    start: int
    end: int


def change_notes(text: str) -> list[ChangeNote]:
    """Every note in ``text``, in order; one per line, of the kind of the
    first wording found on it ("Correction: An earlier version of this
    article..." is one correction)."""
    notes: list[ChangeNote] = []
    for match in _NOTE.finditer(text):
        if notes and notes[-1].end >= match.start():
            continue
        line_end = text.find("\n", match.start())
        end = len(text) if line_end == -1 else line_end
        note = text[match.start() : end].rstrip()
        kind = match.lastgroup.rstrip("0123456789")
        notes.append(ChangeNote(kind, note, match.start(), match.start() + len(note)))
    return notes


def new_change_note(old_text: str, new_text: str) -> ChangeNote | None:
    """The first note in ``new_text`` whose words ``old_text`` does not
    already hold, or None when the new version marks no change."""
    return next((note for note in change_notes(new_text) if note.text not in old_text), None)
