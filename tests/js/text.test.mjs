// excerpt: the one way the page shortens a quote, a note or a history value.
import assert from "node:assert/strict";
import { test } from "node:test";

import { excerpt } from "../../annotate/static/annotate/js/text.js";

test("leaves text of at most the limit alone", () => {
  assert.equal(excerpt("", 5), "");
  assert.equal(excerpt("four", 5), "four");
  assert.equal(excerpt("five!", 5), "five!");
});

test("cuts longer text to the limit, the ellipsis included", () => {
  assert.equal(excerpt("six ch", 5), "six …");
  assert.equal(excerpt("Sanctions were applied", 10), "Sanctions…");
});

test("counts an astral character as one and never splits it", () => {
  // Ten emoji are 20 UTF-16 units but 10 code points.
  const emoji = "\u{1F600}".repeat(10);
  assert.equal(excerpt(emoji, 10), emoji);
  assert.equal(excerpt(emoji, 5), "\u{1F600}\u{1F600}\u{1F600}\u{1F600}…");
  // "a😀b𠮷c": five code points.
  assert.equal(excerpt("a\u{1F600}b\u{20BB7}c", 5), "a\u{1F600}b\u{20BB7}c");
  assert.equal(excerpt("a\u{1F600}b\u{20BB7}c", 3), "a\u{1F600}…");
  assert.equal(excerpt("\u{20BB7}bc", 2), "\u{20BB7}…");
});

test("counts a combining mark as a code point of its own", () => {
  // "cafe\u0301s" is six code points.
  assert.equal(excerpt("cafe\u0301s", 6), "cafe\u0301s");
  assert.equal(excerpt("cafe\u0301s", 5), "cafe…");
});
