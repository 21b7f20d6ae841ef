// offsets.js against random texts: snapping agrees with segmenting the whole
// text, and trimming removes white space and nothing else, however the
// awkward characters fall.
//
// The texts come from a small seeded generator (no npm packages), so a
// failure names its seed and case and can be replayed:
// OFFSETS_SEED=123 node --test tests/js/offsets-properties.test.mjs
// The oracle for snapping is Intl.Segmenter over the whole text, which
// offsets.js never does: it segments a stretch around each offset, and this
// is the test that the stretch is always wide enough.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { snapToGraphemes, trimSpan } from "../../annotate/static/annotate/js/offsets.js";

const SEED = Number(process.env.OFFSETS_SEED ?? 19);
const CASES = Number(process.env.OFFSETS_CASES ?? 400);

/** mulberry32: a tiny seeded generator, good enough to spread test cases. */
function generator(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (low, high) => low + Math.floor(next() * (high - low + 1)); // both ends included
  const pick = (items) => items[int(0, items.length - 1)];
  return { next, int, pick };
}

const regionalIndicator = (letter) => String.fromCodePoint(0x1f1e6 + letter);
const SKIN_TONES = ["\u{1F3FB}", "\u{1F3FC}", "\u{1F3FD}", "\u{1F3FE}", "\u{1F3FF}"];
const PEOPLE = ["\u{1F468}", "\u{1F469}", "\u{1F467}", "\u{1F466}", "\u{1F9D1}"];
const MARKS = ["\u0301", "\u0300", "\u0323", "\u0302", "\u0308", "\u20DD", "\uFE0F"];

// Each maker returns some text; several are runs that pair up or join only
// as a whole, so where one ends and the next begins matters.
const MAKERS = {
  word: (g) => Array.from({ length: g.int(1, 8) }, () => String.fromCharCode(g.int(97, 122))).join(""),
  longWord: (g) => "x".repeat(g.int(60, 140)),
  space: (g) => g.pick([" ", " ", "\n", "\n\n", "\t", "\u00A0", "\u3000", "\u2003", "\u0085", "\u2028"]),
  crlf: () => "\r\n",
  cyrillic: () => "Минск ",
  han: () => "习近平",
  // A run of up to 40 flags, or an odd number of regional indicators, which
  // leaves one unpaired at the end.
  flags: (g) => Array.from({ length: 2 * g.int(1, 40) }, () => regionalIndicator(g.int(0, 25))).join(""),
  oddIndicators: (g) => Array.from({ length: 2 * g.int(0, 20) + 1 }, () => regionalIndicator(g.int(0, 25))).join(""),
  englandFlag: () => "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
  skinTone: (g) => `\u{1F44D}${g.pick(SKIN_TONES)}`,
  // ZWJ families of 2 to 12 people, some with skin tones: up to about 60 units.
  family: (g) =>
    Array.from({ length: g.int(2, 12) }, () => g.pick(PEOPLE) + (g.next() < 0.3 ? g.pick(SKIN_TONES) : "")).join(
      "\u200D",
    ),
  // Longer than the 64 units offsets.js first looks at: one cluster each.
  longFamily: (g) => Array.from({ length: g.int(20, 40) }, () => g.pick(PEOPLE)).join("\u200D"),
  longCombining: (g) => `a${Array.from({ length: g.int(60, 150) }, () => g.pick(MARKS)).join("")}`,
  combining: (g) => g.pick(["e", "a", "q", "\u0915"]) + Array.from({ length: g.int(1, 4) }, () => g.pick(MARKS)).join(""),
  // A mark with nothing before it but a zero-width character or the text's start.
  strayMark: (g) => g.pick(MARKS),
  keycap: () => "1\uFE0F\u20E3",
  rainbow: () => "\u{1F3F3}\uFE0F\u200D\u{1F308}",
  hangul: () => "\u1100\u1161\u11A8",
  conjunct: () => "\u0915\u094D\u0937",
  astral: (g) => g.pick(["\u{1F600}", "\u{20BB7}", "\u{1D11E}"]),
  zeroWidth: (g) => g.pick(["\u200B", "\uFEFF", "\u200D", "\u200C"]),
};
const KINDS = Object.keys(MAKERS);

function randomText(g) {
  const parts = [];
  const count = g.int(1, 30);
  for (let i = 0; i < count; i += 1) parts.push(MAKERS[g.pick(KINDS)](g));
  return parts.join("");
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Every grapheme boundary of the whole text, both ends included. */
function wholeTextBoundaries(text) {
  const boundaries = [...segmenter.segment(text)].map((s) => s.index);
  boundaries.push(text.length);
  return boundaries;
}

const boundaryAtOrBefore = (boundaries, offset) => boundaries.filter((b) => b <= offset).at(-1);
const boundaryAtOrAfter = (boundaries, offset) => boundaries.find((b) => b >= offset);

/** Offsets to try in `text`: every one for short texts, else a sample that
 * always includes both ends and the units on either side of a zero-width
 * character. */
function offsetsToTry(g, text) {
  if (text.length <= 200) return Array.from({ length: text.length + 1 }, (_, i) => i);
  const chosen = new Set([0, text.length]);
  for (let i = 0; i < text.length; i += 1) if (/[\u200B\uFEFF]/u.test(text[i])) chosen.add(i).add(i + 1);
  while (chosen.size < 200) chosen.add(g.int(0, text.length));
  return [...chosen];
}

function forEachCase(check) {
  const g = generator(SEED);
  for (let number = 0; number < CASES; number += 1) {
    const text = randomText(g);
    try {
      check(g, text);
    } catch (error) {
      error.message = `seed ${SEED}, case ${number}, text ${JSON.stringify(text)}:\n${error.message}`;
      throw error;
    }
  }
}

describe("snapToGraphemes on random texts", () => {
  test("moves each offset to the whole text's nearest grapheme boundary", () => {
    forEachCase((g, text) => {
      const boundaries = wholeTextBoundaries(text);
      for (const offset of offsetsToTry(g, text)) {
        assert.equal(snapToGraphemes(text, offset, text.length).start, boundaryAtOrBefore(boundaries, offset), `start ${offset}`);
        assert.equal(snapToGraphemes(text, 0, offset).end, boundaryAtOrAfter(boundaries, offset), `end ${offset}`);
      }
    });
  });

  test("gives a selection whose both ends are boundaries and that covers the original", () => {
    forEachCase((g, text) => {
      const boundaries = new Set(wholeTextBoundaries(text));
      for (let i = 0; i < 20; i += 1) {
        const start = g.int(0, text.length);
        const end = g.int(start, text.length);
        const snapped = snapToGraphemes(text, start, end);
        assert.ok(boundaries.has(snapped.start) && boundaries.has(snapped.end), `[${start}, ${end})`);
        assert.ok(snapped.start <= start && snapped.end >= end, `[${start}, ${end})`);
      }
    });
  });

  test("leaves a zero-width space or no-break space at a span's edge where it is", () => {
    // Both are characters of their own (grapheme control characters): a
    // boundary on each side, so an offset next to one never moves.
    forEachCase((g, text) => {
      const boundaries = wholeTextBoundaries(text);
      for (let i = 0; i < text.length; i += 1) {
        if (text[i] !== "\u200B" && text[i] !== "\uFEFF") continue;
        for (const offset of [i, i + 1]) {
          assert.ok(boundaries.includes(offset));
          assert.equal(snapToGraphemes(text, offset, text.length).start, offset);
          assert.equal(snapToGraphemes(text, 0, offset).end, offset);
        }
      }
    });
  });
});

// Unicode's White_Space property, listed here rather than asked of a
// regular expression: JavaScript's \s differs from it (it has U+FEFF, and
// lacks U+0085).
const WHITE_SPACE = new Set([
  "\t", "\n", "\u000B", "\f", "\r", " ", "\u0085", "\u00A0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003",
  "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200A", "\u2028", "\u2029", "\u202F", "\u205F",
  "\u3000",
]);

describe("trimSpan on random texts", () => {
  test("removes white space from both ends and nothing else", () => {
    forEachCase((g, text) => {
      for (let i = 0; i < 20; i += 1) {
        const start = g.int(0, text.length);
        const end = g.int(start, text.length);
        const trimmed = trimSpan(text, start, end);
        let expectedStart = start;
        while (expectedStart < end && WHITE_SPACE.has(text[expectedStart])) expectedStart += 1;
        let expectedEnd = end;
        while (expectedEnd > expectedStart && WHITE_SPACE.has(text[expectedEnd - 1])) expectedEnd -= 1;
        if (expectedStart === expectedEnd) assert.equal(trimmed.start, trimmed.end, `[${start}, ${end})`);
        else assert.deepEqual(trimmed, { start: expectedStart, end: expectedEnd }, `[${start}, ${end})`);
      }
    });
  });

  test("keeps a zero-width space or no-break space at a span's edge", () => {
    for (const zeroWidth of ["\u200B", "\uFEFF", "\u200D"]) {
      const text = ` ${zeroWidth}word${zeroWidth} `;
      assert.deepEqual(trimSpan(text, 0, text.length), { start: 1, end: 7 }, JSON.stringify(zeroWidth));
    }
  });
});
