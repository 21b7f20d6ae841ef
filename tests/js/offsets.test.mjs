// offsets.js as the workspace page uses it: selections in UTF-16 units,
// trimmed of white space and snapped to what a reader sees as one character.
//
// Expected offsets never come from offsets.js or from Intl.Segmenter: texts
// are assembled from pieces that are one grapheme cluster each, with the
// UTF-16 units of every piece counted by hand from its code points (an
// astral code point takes two), so every boundary is known in advance.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { segmentText, snapToGraphemes, trimSpan } from "../../annotate/static/annotate/js/offsets.js";

// ---- the oracle ----------------------------------------------------------------

const piece = (text, units) => ({ text, units });

const LETTER = piece("a", 1);
const SPACE = piece(" ", 1);
const E_PRECOMPOSED = piece("\u00E9", 1); // é as one code point (NFC)
const E_COMBINING = piece("e\u0301", 2); // e + combining acute
const A_TWO_MARKS = piece("a\u0323\u0302", 3); // a + dot below + circumflex: ậ
const HANGUL_LVT = piece("\u1100\u1161\u11A8", 3); // conjoining jamo: 각
const KEYCAP_ONE = piece("1\uFE0F\u20E3", 3); // 1 + VS16 + combining keycap: 1️⃣
const GRINNING = piece("\u{1F600}", 2); // 😀, one surrogate pair
const HAN_ASTRAL = piece("\u{20BB7}", 2); // 𠮷, outside the BMP but not an emoji
const G_CLEF = piece("\u{1D11E}", 2); // 𝄞
const THUMBS_UP_MEDIUM = piece("\u{1F44D}\u{1F3FD}", 4); // 👍🏽, emoji + skin tone
// 👨‍👩‍👧‍👦: four emoji (2 units each) joined by three ZWJ (1 unit each).
const FAMILY = piece("\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}", 11);
// 🏳️‍🌈: white flag (2), VS16 (1), ZWJ (1), rainbow (2).
const RAINBOW_FLAG = piece("\u{1F3F3}\uFE0F\u200D\u{1F308}", 6);
const FLAG_FR = piece("\u{1F1EB}\u{1F1F7}", 4); // 🇫🇷, two regional indicators
const FLAG_DE = piece("\u{1F1E9}\u{1F1EA}", 4); // 🇩🇪
// 🏴󠁧󠁢󠁥󠁮󠁧󠁿: black flag (2) and six tag characters (2 each).
const FLAG_ENGLAND = piece("\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}", 14);

const letters = (count) => Array.from({ length: count }, () => LETTER);

/** The text of `pieces` and every piece's [from, to) in UTF-16 units. */
function assemble(pieces) {
  let at = 0;
  const spans = pieces.map((p) => {
    // Guards the hand counts above, not offsets.js.
    assert.equal(p.text.length, p.units, `hand count for ${JSON.stringify(p.text)}`);
    const span = { from: at, to: at + p.units };
    at += p.units;
    return span;
  });
  return { text: pieces.map((p) => p.text).join(""), spans };
}

/** Every offset inside a piece moves a start back to the piece's start and
 * an end forward to its end; an offset on a boundary stays where it is. */
function assertSnapsToPieces(pieces) {
  const { text, spans } = assemble(pieces);
  for (const { from, to } of spans) {
    for (let offset = from; offset <= to; offset += 1) {
      const inside = offset > from && offset < to;
      const start = snapToGraphemes(text, offset, text.length).start;
      const end = snapToGraphemes(text, 0, offset).end;
      assert.equal(start, inside ? from : offset, `start at ${offset}, piece [${from}, ${to})`);
      assert.equal(end, inside ? to : offset, `end at ${offset}, piece [${from}, ${to})`);
    }
  }
}

const EVERY_KIND = [
  LETTER, E_COMBINING, SPACE, GRINNING, SPACE, FAMILY, FLAG_FR, FLAG_DE, A_TWO_MARKS, THUMBS_UP_MEDIUM,
  HAN_ASTRAL, SPACE, RAINBOW_FLAG, KEYCAP_ONE, FLAG_ENGLAND, HANGUL_LVT, E_PRECOMPOSED, G_CLEF, LETTER,
];

// ---- snapToGraphemes -------------------------------------------------------------

describe("snapToGraphemes", () => {
  test("leaves plain ASCII selections alone", () => {
    assertSnapsToPieces(letters(20));
    assert.deepEqual(snapToGraphemes("Hello, world", 3, 9), { start: 3, end: 9 });
  });

  test("never splits a surrogate pair", () => {
    // "x😀y": the emoji is units 1 and 2.
    assert.deepEqual(snapToGraphemes("x\u{1F600}y", 2, 3), { start: 1, end: 3 });
    assert.deepEqual(snapToGraphemes("x\u{1F600}y", 0, 2), { start: 0, end: 3 });
    assertSnapsToPieces([LETTER, GRINNING, HAN_ASTRAL, G_CLEF, LETTER]);
  });

  test("keeps a letter with its combining marks", () => {
    // "cafe\u0301 noir": e + accent are units 3 and 4.
    assert.deepEqual(snapToGraphemes("cafe\u0301 noir", 0, 4), { start: 0, end: 5 });
    assert.deepEqual(snapToGraphemes("cafe\u0301 noir", 4, 10), { start: 3, end: 10 });
    assertSnapsToPieces([LETTER, E_COMBINING, A_TWO_MARKS, KEYCAP_ONE, HANGUL_LVT, E_PRECOMPOSED, LETTER]);
  });

  test("keeps a ZWJ family and a skin tone whole", () => {
    // "I ❤ " is 4 units, then the family's 11.
    const text = `I \u2764 ${FAMILY.text}!`;
    assert.deepEqual(snapToGraphemes(text, 6, 16), { start: 4, end: 16 });
    assert.deepEqual(snapToGraphemes(text, 0, 9), { start: 0, end: 15 });
    assertSnapsToPieces([LETTER, FAMILY, THUMBS_UP_MEDIUM, RAINBOW_FLAG, FAMILY, LETTER]);
  });

  test("keeps each flag whole and lets two flags be told apart", () => {
    // "Paris 🇫🇷 fête": the flag is units 6 to 10, the ê is one code point.
    const paris = `Paris ${FLAG_FR.text} f\u00EAte`;
    assert.deepEqual(snapToGraphemes(paris, 8, 12), { start: 6, end: 12 });
    assert.deepEqual(snapToGraphemes(paris, 0, 8), { start: 0, end: 10 });
    // 🇫🇷🇩🇪: unit 4 is the boundary between the two flags.
    const pair = FLAG_FR.text + FLAG_DE.text;
    assert.deepEqual(snapToGraphemes(pair, 4, 6), { start: 4, end: 8 });
    assert.deepEqual(snapToGraphemes(pair, 2, 4), { start: 0, end: 4 });
    assertSnapsToPieces([FLAG_FR, FLAG_DE, FLAG_FR, LETTER, FLAG_ENGLAND, FLAG_DE]);
  });

  test("keeps every flag whole in a run of more than 16 flags", () => {
    // Two regional indicators make a flag, counted from the start of their
    // run: 16 flags are 64 units, as far as a fixed window once looked back.
    const flags = (count) => Array.from({ length: count }, (_, i) => (i % 2 ? FLAG_DE : FLAG_FR));
    assertSnapsToPieces(flags(40));
    assertSnapsToPieces([LETTER, ...flags(17), SPACE, ...flags(33), LETTER]);
    // "a" then 17 flags: the 17th is units 65 to 69.
    const text = `a${FLAG_FR.text.repeat(17)}`;
    assert.deepEqual(snapToGraphemes(text, 67, 67), { start: 65, end: 69 });
  });

  test("keeps a cluster longer than 64 units whole", () => {
    // A letter with 100 accents is one character of 101 units, and so is a
    // ZWJ sequence of 30 people (30 × 2 + 29 units).
    const accented = piece(`a${"\u0301".repeat(100)}`, 101);
    const crowd = piece(Array.from({ length: 30 }, () => "\u{1F469}").join("\u200D"), 89);
    assertSnapsToPieces([LETTER, accented, SPACE, crowd, LETTER, accented, crowd]);
    const text = `x${accented.text}y`;
    assert.deepEqual(snapToGraphemes(text, 80, 90), { start: 1, end: 102 });
  });

  test("handles every kind of cluster side by side", () => {
    assertSnapsToPieces(EVERY_KIND);
  });

  test("finds the same boundaries far from the start of a long text", () => {
    // The search segments only a stretch of text around each offset.
    assertSnapsToPieces([...letters(150), ...EVERY_KIND, ...letters(150), ...EVERY_KIND, ...letters(3)]);
  });

  test("snaps a selection at the very start of the text", () => {
    const text = `${FLAG_FR.text}abc`;
    assert.deepEqual(snapToGraphemes(text, 0, 2), { start: 0, end: 4 });
    assert.deepEqual(snapToGraphemes(text, 2, 5), { start: 0, end: 5 });
    assert.deepEqual(snapToGraphemes(`${E_COMBINING.text}z`, 1, 3), { start: 0, end: 3 });
  });

  test("snaps a selection at the very end of the text", () => {
    const text = `abc${FAMILY.text}`; // 14 units
    assert.deepEqual(snapToGraphemes(text, 1, 8), { start: 1, end: 14 });
    assert.deepEqual(snapToGraphemes(text, 5, 14), { start: 3, end: 14 });
    assert.deepEqual(snapToGraphemes(`z${GRINNING.text}`, 0, 2), { start: 0, end: 3 });
  });

  test("keeps a selection of the whole text", () => {
    const { text } = assemble(EVERY_KIND);
    assert.deepEqual(snapToGraphemes(text, 0, text.length), { start: 0, end: 66 });
  });
});

// ---- trimSpan ----------------------------------------------------------------------

describe("trimSpan", () => {
  test("drops spaces from both ends", () => {
    assert.deepEqual(trimSpan("  Paris  ", 0, 9), { start: 2, end: 7 });
  });

  test("drops tabs, newlines and Unicode spaces", () => {
    assert.deepEqual(trimSpan("\t\nword\n\t", 0, 8), { start: 2, end: 6 });
    // No-break space, ideographic space, em space.
    assert.deepEqual(trimSpan("\u00A0\u3000word\u2003", 0, 7), { start: 2, end: 6 });
  });

  test("keeps white space inside the selection", () => {
    assert.deepEqual(trimSpan("a b\tc", 0, 5), { start: 0, end: 5 });
  });

  test("looks only inside the selection", () => {
    // "ab  cd" selected as "b  ": the space after it is outside.
    assert.deepEqual(trimSpan("ab  cd", 1, 4), { start: 1, end: 2 });
    assert.deepEqual(trimSpan("ab  cd", 2, 5), { start: 4, end: 5 });
  });

  test("counts an astral character at the edge as two units", () => {
    // " 😀 ": the emoji is units 1 and 2.
    assert.deepEqual(trimSpan(" \u{1F600} ", 0, 4), { start: 1, end: 3 });
    assert.deepEqual(trimSpan(`\n${FAMILY.text}\n`, 0, 13), { start: 1, end: 12 });
  });

  test("does not count zero-width characters as white space", () => {
    // Zero-width space, ZWJ and the zero-width no-break space (U+FEFF) are
    // not white space here nor in Python.
    assert.deepEqual(trimSpan("\u200Bword\u200D", 0, 6), { start: 0, end: 6 });
    assert.deepEqual(trimSpan("\uFEFFword\uFEFF", 0, 6), { start: 0, end: 6 });
  });

  test("counts a next line (U+0085) as white space", () => {
    assert.deepEqual(trimSpan("\u0085word\u0085", 0, 6), { start: 1, end: 5 });
  });

  test("leaves an empty span when the selection is all white space", () => {
    assert.deepEqual(trimSpan("a \n\t b", 1, 5), { start: 5, end: 5 });
  });

  test("keeps a selection from the start to the end of the text", () => {
    assert.deepEqual(trimSpan("word", 0, 4), { start: 0, end: 4 });
    assert.deepEqual(trimSpan(" word", 0, 5), { start: 1, end: 5 });
    assert.deepEqual(trimSpan("word ", 0, 5), { start: 0, end: 4 });
  });
});

// ---- segmentText --------------------------------------------------------------------

describe("segmentText", () => {
  const span = (id, start16, end16) => ({ id, start16, end16 });

  test("gives one bare piece for a text without spans", () => {
    assert.deepEqual(segmentText(5, []), [{ from: 0, to: 5, ids: [] }]);
  });

  test("gives no pieces for an empty text", () => {
    assert.deepEqual(segmentText(0, []), []);
  });

  test("cuts around one span", () => {
    assert.deepEqual(segmentText(10, [span(1, 2, 5)]), [
      { from: 0, to: 2, ids: [] },
      { from: 2, to: 5, ids: [1] },
      { from: 5, to: 10, ids: [] },
    ]);
  });

  test("covers the text from its first to its last unit", () => {
    assert.deepEqual(segmentText(4, [span(7, 0, 4)]), [{ from: 0, to: 4, ids: [7] }]);
  });

  test("lists the innermost span first where spans nest", () => {
    assert.deepEqual(segmentText(10, [span(1, 0, 10), span(2, 3, 6)]), [
      { from: 0, to: 3, ids: [1] },
      { from: 3, to: 6, ids: [2, 1] },
      { from: 6, to: 10, ids: [1] },
    ]);
  });

  test("breaks a tie in length by id where spans overlap", () => {
    assert.deepEqual(segmentText(10, [span(2, 4, 10), span(1, 0, 6)]), [
      { from: 0, to: 4, ids: [1] },
      { from: 4, to: 6, ids: [1, 2] },
      { from: 6, to: 10, ids: [2] },
    ]);
    assert.deepEqual(segmentText(3, [span(5, 0, 3), span(3, 0, 3)]), [{ from: 0, to: 3, ids: [3, 5] }]);
  });

  test("gives spans that only touch a piece each", () => {
    assert.deepEqual(segmentText(6, [span(1, 0, 2), span(2, 2, 4)]), [
      { from: 0, to: 2, ids: [1] },
      { from: 2, to: 4, ids: [2] },
      { from: 4, to: 6, ids: [] },
    ]);
  });
});
