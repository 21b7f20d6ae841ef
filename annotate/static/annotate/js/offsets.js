// Offset arithmetic for the browser. The DOM counts UTF-16 code units; the
// server stores code points. Everything here works in UTF-16 units on the
// article's text exactly as stored; the server converts (annotate/offsets.py).

const segmenter = typeof Intl !== "undefined" && Intl.Segmenter
  ? new Intl.Segmenter(undefined, { granularity: "grapheme" })
  : null;

// Grapheme clusters are short (a flag is 4 units, a family emoji about 11),
// so boundaries near an offset can be found from a small window around it.
const WINDOW = 64;

const isHighSurrogate = (code) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code) => code >= 0xdc00 && code <= 0xdfff;

// U+1F1E6 to U+1F1FF, as UTF-16: one high surrogate, then DDE6 to DDFF.
const isRegionalIndicatorAt = (text, i) =>
  text.charCodeAt(i) === 0xd83c && text.charCodeAt(i + 1) >= 0xdde6 && text.charCodeAt(i + 1) <= 0xddff;

/** Where the window around `offset` starts, so that segmenting it finds
 * the boundaries segmenting the whole text would. Regional indicators pair
 * into flags counting from the start of their run, however long it is: a
 * window that starts one indicator (or half of one) into a run pairs every
 * indicator after it with the wrong partner, and puts a boundary inside
 * each flag. So the start steps back out of a surrogate pair, and by one
 * more indicator when an odd number of them precede it. */
function windowStart(text, offset) {
  let from = Math.max(0, offset - WINDOW);
  if (isLowSurrogate(text.charCodeAt(from)) && isHighSurrogate(text.charCodeAt(from - 1))) from -= 1;
  let indicators = 0;
  while (isRegionalIndicatorAt(text, from - 2 * (indicators + 1))) indicators += 1;
  return indicators % 2 ? from - 2 : from;
}

/** Grapheme boundaries (UTF-16 offsets) of text[from, to), plus both ends. */
function boundariesNear(text, offset) {
  const from = windowStart(text, offset);
  const to = Math.min(text.length, offset + WINDOW);
  const result = [from];
  if (segmenter) {
    for (const { index } of segmenter.segment(text.slice(from, to))) result.push(from + index);
  } else {
    for (let i = from; i <= to; i += 1) {
      const code = text.charCodeAt(i - 1);
      if (!(code >= 0xd800 && code <= 0xdbff)) result.push(i); // never inside a surrogate pair
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
  if (start - snappedStart > WINDOW) snappedStart = start;
  const endBoundaries = boundariesNear(text, end);
  let snappedEnd = text.length;
  for (const b of endBoundaries) if (b >= end && b < snappedEnd) snappedEnd = b;
  return { start: snappedStart, end: snappedEnd };
}

const SPACE = /\s/u;

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
