// Drawing the article text with its highlights, and the side list.
import { segmentText } from "./offsets.js";

const MAX_UNDERLINES = 4;

function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

/** Replace the container's content with the text, each covered piece in a
 * <mark> whose background is its innermost span's label and whose stacked
 * underlines show every span over it. The text content stays the text. */
export function renderText(container, text, annotations, labelsBySlug) {
  const byId = new Map(annotations.map((a) => [a.id, a]));
  const fragment = document.createDocumentFragment();
  for (const piece of segmentText(text.length, annotations)) {
    const chunk = text.slice(piece.from, piece.to);
    if (!piece.ids.length) {
      fragment.append(chunk);
      continue;
    }
    const colours = piece.ids.map((id) => labelsBySlug.get(byId.get(id).label).colour);
    const shadows = colours.slice(0, MAX_UNDERLINES).map((c, i) => `inset 0 -${(i + 1) * 3}px 0 ${c}`);
    const mark = el("mark", {
      class: "hl",
      style: `--hl:${colours[0]}33; box-shadow:${shadows.join(",")}`,
      dataset: { ids: piece.ids.join(" ") },
      text: chunk,
    });
    if (piece.ids.length > 1) mark.classList.add("hl-overlap");
    fragment.append(mark);
  }
  container.replaceChildren(fragment);
}

function excerpt(text, limit = 90) {
  // By code point, so an emoji is never cut in half.
  const chars = Array.from(text);
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join("")}…`;
}

/** The side list: one button per annotation, in text order. */
export function renderList(list, annotations, labelsBySlug, selectedId) {
  const items = [...annotations].sort((a, b) => a.start - b.start || a.end - b.end || a.id - b.id);
  list.replaceChildren(
    ...items.map((a) => {
      const label = labelsBySlug.get(a.label);
      const button = el("button", {
        type: "button",
        class: "entry",
        "aria-label": `${label.name}: ${excerpt(a.quote, 60)} (by ${a.reviewer})`,
        dataset: { id: String(a.id) },
      }, [
        el("span", { class: "chip", style: `--label:${label.colour}`, text: label.name }),
        el("span", { class: "quote", text: `“${excerpt(a.quote)}”` }),
        el("span", { class: "by", text: a.reviewer }),
        ...(a.note ? [el("span", { class: "note", text: excerpt(a.note, 140) })] : []),
      ]);
      if (a.id === selectedId) button.setAttribute("aria-current", "true");
      return el("li", {}, [button]);
    }),
  );
}
