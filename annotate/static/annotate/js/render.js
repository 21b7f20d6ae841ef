// Drawing the article text with its highlights, and the side list.
import { segmentText } from "./offsets.js";
import { excerpt } from "./text.js";

const MAX_UNDERLINES = 4;

function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    // Through the CSSOM: the Content-Security-Policy refuses style attributes.
    else if (key === "style") for (const [name, v] of Object.entries(value)) node.style.setProperty(name, v);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

/** Make `parent`'s children the given keyed items, in order, touching only
 * the nodes whose key changed. A full replace of a 50,000-character text and
 * a 500-entry list made chromium lay out and paint everything again (about
 * 150 ms per mark); reusing unchanged nodes keeps a mark to the few pieces
 * around the new span. Nodes without a key (the server-rendered text) go. */
export function patchChildren(parent, items) {
  const existing = new Map();
  for (const node of [...parent.childNodes]) {
    if (node.sourcemarkKey === undefined) node.remove();
    else existing.set(node.sourcemarkKey, node);
  }
  const wanted = new Set(items.map((item) => item.key));
  for (const [key, node] of existing) {
    if (!wanted.has(key)) {
      node.remove();
      existing.delete(key);
    }
  }
  let cursor = parent.firstChild;
  for (const item of items) {
    let node = existing.get(item.key);
    if (!node) {
      node = item.make();
      node.sourcemarkKey = item.key;
    }
    if (node === cursor) cursor = cursor.nextSibling;
    else parent.insertBefore(node, cursor);
  }
}

/** Draw the text with each covered piece in a <mark> whose background is its
 * innermost span's label and whose stacked underlines show every span over
 * it. The container's text content stays exactly the text. */
export function renderText(container, text, annotations, labelsBySlug) {
  const byId = new Map(annotations.map((a) => [a.id, a]));
  const items = segmentText(text.length, annotations).map((piece) => {
    const chunk = text.slice(piece.from, piece.to);
    if (!piece.ids.length) return { key: `${piece.from}:${piece.to}`, make: () => document.createTextNode(chunk) };
    const slugs = piece.ids.map((id) => byId.get(id).label);
    return {
      key: `${piece.from}:${piece.to}:${piece.ids.join(" ")}:${slugs.join(" ")}`,
      make: () => {
        const colours = slugs.map((slug) => labelsBySlug.get(slug).colour);
        const shadows = colours.slice(0, MAX_UNDERLINES).map((c, i) => `inset 0 -${(i + 1) * 3}px 0 ${c}`);
        const mark = el("mark", {
          class: piece.ids.length > 1 ? "hl hl-overlap" : "hl",
          style: { "--hl": `${colours[0]}33`, "box-shadow": shadows.join(",") },
          dataset: { ids: piece.ids.join(" ") },
          text: chunk,
        });
        return mark;
      },
    };
  });
  patchChildren(container, items);
}

/** The side list: one button per annotation, in text order. */
export function renderList(list, annotations, labelsBySlug, selectedId) {
  const items = [...annotations].sort((a, b) => a.start - b.start || a.end - b.end || a.id - b.id);
  patchChildren(
    list,
    items.map((a) => ({
      key: JSON.stringify([a.id, a.label, a.note, a.reviewer, a.quote.length, a.anchor_state, a.id === selectedId]),
      make: () => listEntry(a, labelsBySlug.get(a.label), a.id === selectedId),
    })),
  );
}

function listEntry(a, label, selected) {
  const button = el("button", {
    type: "button",
    class: "entry",
    "aria-label": `${label.name}: ${excerpt(a.quote, 60)} (by ${a.reviewer})`,
    dataset: { id: String(a.id) },
  }, [
    el("span", { class: `chip label-colour-${label.slug}`, text: label.name }),
    el("span", { class: "quote", text: `“${excerpt(a.quote, 90)}”` }),
    el("span", { class: "by", text: a.reviewer }),
    ...(a.note ? [el("span", { class: "note", text: excerpt(a.note, 140) })] : []),
    // A new version of the article moved it onto edited words: someone confirms it under "To settle".
    ...(a.anchor_state === "fuzzy" ? [el("span", { class: "anchor-fuzzy", text: "Moved onto edited words by a new version: to confirm" })] : []),
  ]);
  if (selected) button.setAttribute("aria-current", "true");
  return el("li", {}, [button]);
}
