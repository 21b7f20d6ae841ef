// Offset arithmetic for the browser. The DOM counts UTF-16 code units; the
// server stores code points. Everything here works in UTF-16 units on the
// article's text exactly as stored; the server converts (annotate/rules/offsets.py).

const segmenter = typeof Intl !== "undefined" && Intl.Segmenter
  ? new Intl.Segmenter(undefined, { granularity: "grapheme" })
  : null;

const isHighSurrogate = (code) => code >= 0xd800 && code <= 0xdbff;

// Characters between two of which a grapheme boundary always falls, whatever
// came before: ASCII but CR (which joins a following LF), and letters of
// Grapheme_Cluster_Break "Other" with no emoji, Hangul-jamo or Indic
// conjunct role. No rule of UAX #29 but GB999 (break) applies to such a
// pair, so segmenting from or up to one gives the whole text's boundaries.
// annotate/rules/offsets.py keeps the same list.
const PLAIN =
  /[\t\n\x20-\x7E\u00A0\u00C0-\u024F\u0391-\u03C9\u0400-\u0482\u048A-\u04FF\u05D0-\u05EA\u0620-\u064A\u3041-\u3096\u30A1-\u30FA\u4E00-\u9FFF\uAC00-\uD7A3]/;

/** Whether the whole text certainly has a grapheme boundary at `i`, judging
 * by the two units around it alone: the text's ends, just after a line feed
 * (GB4), or between two plain characters. */
function isSureBoundary(text, i) {
  if (i <= 0 || i >= text.length) return true;
  const before = text[i - 1];
  return before === "\n" || (PLAIN.test(before) && PLAIN.test(text[i]));
}

/** Grapheme boundaries (UTF-16 offsets) around `offset`: those of the
 * stretch from the sure boundary at or before it to the one at or after it.
 * A fixed window is not enough: a cluster can be any length (a letter with
 * a hundred accents, a long ZWJ sequence), and regional indicators pair
 * into flags counting from the start of their run, so a window starting
 * inside a run of flags pairs every indicator after it with the wrong
 * partner. In running text the stretch is a few units; it is only as long
 * as the clusters and runs of flags around the offset. */
function boundariesNear(text, offset) {
  let from = offset;
  while (!isSureBoundary(text, from)) from -= 1;
  let to = offset;
  while (!isSureBoundary(text, to)) to += 1;
  const result = [from];
  if (segmenter) {
    for (const { index } of segmenter.segment(text.slice(from, to))) result.push(from + index);
  } else {
    for (let i = from; i <= to; i += 1) {
      if (!isHighSurrogate(text.charCodeAt(i - 1))) result.push(i); // never inside a surrogate pair
    }
  }
  result.push(to);
  return result;
}

/** Move start back and end forward to the nearest grapheme boundaries, so a
 * selection never splits what the reader sees as one character. */
export function snapToGraphemes(text, start, end) {
  const startBoundaries = boundariesNear(text, start);
  let snappedStart = 0;
  for (const b of startBoundaries) if (b <= start && b > snappedStart) snappedStart = b;
  const endBoundaries = boundariesNear(text, end);
  let snappedEnd = text.length;
  for (const b of endBoundaries) if (b >= end && b < snappedEnd) snappedEnd = b;
  return { start: snappedStart, end: snappedEnd };
}

// Unicode's White_Space, not JavaScript's \s, which also counts U+FEFF:
// inside a text that is a zero-width no-break space, a character of the
// text like any other (only a leading one is a byte order mark, and the
// import strips that).
const SPACE = /\p{White_Space}/u;

/** Shrink [start, end) past leading and trailing white space. */
export function trimSpan(text, start, end) {
  while (start < end && SPACE.test(text[start])) start += 1;
  while (end > start && SPACE.test(text[end - 1])) end -= 1;
  return { start, end };
}

/** The UTF-16 offset of a DOM point inside `container`, whose text content
 * is the article text. Counting the text of a range from the container's
 * start is exact whatever elements the highlights add. */
export function offsetOfPoint(container, node, offset) {
  const range = document.createRange();
  range.setStart(container, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

/** Split [0, length) at every span boundary. Each piece lists the ids of the
 * spans covering it, innermost (shortest) first. One sweep: O(n log n). */
export function segmentText(length, spans) {
  const points = new Set([0, length]);
  for (const s of spans) { points.add(s.start16); points.add(s.end16); }
  const cuts = [...points].filter((p) => p >= 0 && p <= length).sort((a, b) => a - b);
  const starts = new Map();
  for (const s of spans) {
    if (!starts.has(s.start16)) starts.set(s.start16, []);
    starts.get(s.start16).push(s);
  }
  const active = new Set();
  const pieces = [];
  for (let i = 0; i < cuts.length - 1; i += 1) {
    const from = cuts[i];
    const to = cuts[i + 1];
    for (const s of starts.get(from) || []) active.add(s);
    for (const s of [...active]) if (s.end16 <= from) active.delete(s);
    const covering = [...active]
      .filter((s) => s.start16 <= from && s.end16 >= to)
      .sort((a, b) => (a.end16 - a.start16) - (b.end16 - b.start16) || a.id - b.id);
    pieces.push({ from, to, ids: covering.map((s) => s.id) });
  }
  return pieces;
}
