// offsets.js in a browser without Intl.Segmenter (Firefox before 125): it
// cannot see grapheme clusters, but it still never splits a surrogate pair,
// which the server would refuse as an offset inside a character.
//
// node --test runs each file in its own process, so removing Intl.Segmenter
// here leaves the other test files alone; the query string makes this a
// fresh instance of the module, which reads Intl.Segmenter when it loads.
import assert from "node:assert/strict";
import { test } from "node:test";

delete Intl.Segmenter;
const { snapToGraphemes } = await import("../../annotate/static/annotate/js/offsets.js?without-segmenter");

test("Intl.Segmenter is really gone", () => {
  assert.equal(typeof Intl.Segmenter, "undefined");
});

test("moves offsets out of a surrogate pair", () => {
  // "x😀y𠮷z": the emoji is units 1 and 2, the Han character 4 and 5.
  const text = "x\u{1F600}y\u{20BB7}z";
  assert.deepEqual(snapToGraphemes(text, 2, 5), { start: 1, end: 6 });
  assert.deepEqual(snapToGraphemes(text, 0, 7), { start: 0, end: 7 });
});

test("leaves offsets between code points where they are", () => {
  // Without a segmenter a combining mark or a second regional indicator
  // may be split off: only code points are known.
  assert.deepEqual(snapToGraphemes("cafe\u0301", 0, 4), { start: 0, end: 4 });
  assert.deepEqual(snapToGraphemes("\u{1F1EB}\u{1F1F7}", 2, 4), { start: 2, end: 4 });
});

test("moves offsets out of a surrogate pair far into a long text", () => {
  // 100 letters, then the emoji at units 100 and 101.
  const text = `${"a".repeat(100)}\u{1F600}${"b".repeat(100)}`;
  assert.deepEqual(snapToGraphemes(text, 101, 101), { start: 100, end: 102 });
});
