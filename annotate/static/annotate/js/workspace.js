// The review workspace: select text, press a label's key (or click it), and
// the span is saved and drawn. Undo/redo cover the reviewer's own actions.
import * as api from "./api.js";
import { offsetOfPoint, snapToGraphemes, trimSpan } from "./offsets.js";
import { renderList, renderText } from "./render.js";
import { excerpt } from "./text.js";
import { UndoHistory } from "./undo.js";

const data = JSON.parse(document.getElementById("workspace-data").textContent);
const textBox = document.getElementById("article-text");
const text = textBox.textContent; // exactly the stored text
const list = document.getElementById("annotation-list");
const details = document.getElementById("details");
const status = document.getElementById("status");
const countBadge = document.getElementById("annotation-count");
const reloadButton = document.getElementById("reload-spans");
const labelsBySlug = new Map(data.labels.map((l) => [l.slug, l]));
const labelsByKey = new Map(data.labels.filter((l) => l.shortcut).map((l) => [l.shortcut.toLowerCase(), l]));

let annotations = data.annotations;
let selectedId = null;

function say(message, kind = "info") {
  status.textContent = message;
  status.dataset.kind = kind;
  reloadButton.hidden = true;
}

// Someone (a lead in another tab, or this reviewer in a second one) changed
// the span since this page read it; the server refused to overwrite that.
function sayChangedSince(error) {
  const { changed_by: who, changed_at: when } = error.details;
  const time = when ? new Date(when).toLocaleTimeString() : "an earlier moment";
  say(`This span was changed by ${who || "someone"} at ${time} — reload to see the current version.`, "error");
  reloadButton.hidden = false;
}

// ``existing``: the request was about a span the page shows (a change,
// deletion, undo or redo), so a 404 means someone deleted it meanwhile.
function sayError(error, existing = false) {
  if (error.status === 409 && error.details && error.details.reason === "changed") return sayChangedSince(error);
  if (existing && error.status === 404) {
    say("This span is gone: it was deleted elsewhere. Reload to see the current spans.", "error");
    reloadButton.hidden = false;
    return;
  }
  say(error.message, "error");
}

// Fetch the spans this page shows again, as they are on the server now
// (same view switches as the page), and redraw them.
async function reloadSpans() {
  try {
    const fresh = await api.articleAnnotations(data.article, window.location.search);
    annotations = fresh.annotations;
    redraw();
    if (selectedId !== null) showDetails(selectedId);
    say("Reloaded: you see the current version of every span.");
  } catch (error) {
    sayError(error);
  }
}

function redraw() {
  renderText(textBox, text, annotations, labelsBySlug);
  renderList(list, annotations, labelsBySlug, selectedId);
  markSelected();
  countBadge.textContent = String(annotations.length);
  document.getElementById("undo").disabled = !undoHistory.canUndo;
  document.getElementById("redo").disabled = !undoHistory.canRedo;
}

function upsert(annotation) {
  annotations = annotations.filter((a) => a.id !== annotation.id).concat([annotation]);
}

function remove(id) {
  annotations = annotations.filter((a) => a.id !== id);
  if (selectedId === id) closeDetails();
}

// ---- selection → span ------------------------------------------------------

function currentSpan() {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
    return { error: "Select some text in the article first." };
  }
  const range = selection.getRangeAt(0);
  if (!textBox.contains(range.startContainer) || !textBox.contains(range.endContainer)) {
    return { error: "The selection must stay inside the article text." };
  }
  let start = offsetOfPoint(textBox, range.startContainer, range.startOffset);
  let end = offsetOfPoint(textBox, range.endContainer, range.endOffset);
  ({ start, end } = trimSpan(text, start, end));
  if (start >= end) return { error: "The selection is only white space." };
  ({ start, end } = snapToGraphemes(text, start, end));
  return { start, end };
}

// Leads in the consensus view add to the consensus layer; everyone else to
// their own reviewer layer.
const consensusMode = data.layer === "consensus";

function spanBody(annotation) {
  const body = {
    label: annotation.label, start16: annotation.start16, end16: annotation.end16, quote: annotation.quote,
    note: annotation.note || "", speaker: annotation.speaker || "", evidence_url: annotation.evidence_url || "",
  };
  if (annotation.layer === "consensus") {
    body.layer = "consensus";
    body.decision_reason = annotation.decision_reason || "";
  }
  return body;
}

async function markSelection(label) {
  if (!data.can_annotate) return say("You cannot annotate this article.", "error");
  const span = currentSpan();
  if (span.error) return say(span.error, "error");
  const body = { label: label.slug, start16: span.start, end16: span.end, quote: text.slice(span.start, span.end) };
  if (consensusMode) body.layer = "consensus";
  try {
    const created = await api.createAnnotation(data.article, body);
    upsert(created);
    const ref = { id: created.id, snapshot: created };
    undoHistory.record({ type: "create", ref });
    window.getSelection().removeAllRanges();
    redraw();
    say(`Marked “${excerpt(created.quote, 50)}” as ${label.name}.`);
  } catch (error) {
    sayError(error);
  }
}

// ---- undo / redo -----------------------------------------------------------

async function recreate(ref) {
  const created = await api.createAnnotation(data.article, spanBody(ref.snapshot));
  ref.id = created.id;
  ref.snapshot = created;
  upsert(created);
}

async function destroy(ref) {
  await api.deleteAnnotation(ref.id, ref.snapshot.version);
  remove(ref.id);
}

async function applyChange(ref, values) {
  const changed = await api.changeAnnotation(ref.id, values, ref.snapshot.version);
  ref.snapshot = changed;
  upsert(changed);
}

const undoHistory = new UndoHistory({ recreate, destroy, applyChange });

async function step(direction) {
  let name;
  try {
    name = await undoHistory.step(direction);
  } catch (error) {
    return sayError(error, true);
  }
  if (name === null) return say(`Nothing to ${direction}.`);
  redraw();
  if (selectedId !== null && annotations.some((a) => a.id === selectedId)) showDetails(selectedId);
  say(`${direction === "undo" ? "Undid" : "Redid"} the ${name}.`);
}

// ---- details ---------------------------------------------------------------

function closeDetails() {
  selectedId = null;
  details.hidden = true;
  markSelected();
}

function showDetails(id, overlapping = []) {
  const annotation = annotations.find((a) => a.id === id);
  if (!annotation) return closeDetails();
  selectedId = id;
  const label = labelsBySlug.get(annotation.label);
  const form = details.querySelector("form");
  details.hidden = false;
  details.querySelector("[data-field=label]").textContent = label.name;
  details.querySelector("[data-field=label]").style.setProperty("--label", label.colour);
  details.querySelector("[data-field=quote]").textContent = annotation.quote;
  details.querySelector("[data-field=reviewer]").textContent = annotation.reviewer;
  details.querySelector("[data-field=offsets]").textContent = `[${annotation.start}, ${annotation.end})`;
  details.querySelector("[data-field=created]").textContent = new Date(annotation.created_at).toLocaleString();
  details.querySelector("[data-field=updated]").textContent = new Date(annotation.updated_at).toLocaleString();
  form.elements.label.value = annotation.label;
  form.elements.note.value = annotation.note;
  form.elements.speaker.value = annotation.speaker;
  form.elements.evidence_url.value = annotation.evidence_url;
  const isConsensus = annotation.layer === "consensus";
  form.elements.decision_reason.value = annotation.decision_reason || "";
  form.querySelector(".consensus-only").hidden = !isConsensus;
  for (const control of form.elements) control.disabled = !annotation.can_change;
  form.querySelector(".owner-actions").hidden = !annotation.can_change;
  const readOnly = details.querySelector(".read-only-note");
  readOnly.hidden = annotation.can_change;
  readOnly.textContent = isConsensus
    ? "The consensus is closed (adjudicated) or only a lead may change it."
    : "Only the reviewer who made this span can change it.";
  resetHistory();
  const chooser = details.querySelector(".overlaps");
  chooser.replaceChildren(
    ...overlapping.filter((a) => a.id !== id).map((a) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.id = String(a.id);
      button.textContent = `${labelsBySlug.get(a.label).name}: “${excerpt(a.quote, 50)}”`;
      return button;
    }),
  );
  chooser.parentElement.hidden = chooser.children.length === 0;
  renderList(list, annotations, labelsBySlug, selectedId);
  markSelected();
}

function markSelected() {
  for (const mark of textBox.querySelectorAll("mark.hl")) {
    mark.classList.toggle("selected", mark.dataset.ids.split(" ").includes(String(selectedId)));
  }
}

function flash(id) {
  const marks = [...textBox.querySelectorAll("mark.hl")].filter((m) => m.dataset.ids.split(" ").includes(String(id)));
  if (!marks.length) return;
  marks[0].scrollIntoView({ block: "center", behavior: "smooth" });
  for (const m of marks) {
    m.classList.remove("flash");
    void m.offsetWidth; // restart the animation
    m.classList.add("flash");
  }
}

async function saveDetails(event) {
  event.preventDefault();
  const annotation = annotations.find((a) => a.id === selectedId);
  if (!annotation) return;
  const form = event.target;
  const after = {
    label: form.elements.label.value, note: form.elements.note.value,
    speaker: form.elements.speaker.value, evidence_url: form.elements.evidence_url.value,
  };
  const before = { label: annotation.label, note: annotation.note, speaker: annotation.speaker,
    evidence_url: annotation.evidence_url };
  if (annotation.layer === "consensus") {
    after.decision_reason = form.elements.decision_reason.value;
    before.decision_reason = annotation.decision_reason || "";
  }
  const ref = undoHistory.refFor(annotation);
  ref.snapshot = annotation; // the version this form shows is the one to change
  try {
    await applyChange(ref, after);
    undoHistory.record({ type: "change", ref, before, after });
    redraw();
    showDetails(ref.id);
    say("Saved.");
  } catch (error) {
    sayError(error, true);
  }
}

async function deleteSelected() {
  const annotation = annotations.find((a) => a.id === selectedId);
  if (!annotation) return;
  const ref = undoHistory.refFor(annotation);
  ref.snapshot = annotation;
  try {
    await destroy(ref);
    undoHistory.record({ type: "delete", ref });
    closeDetails();
    redraw();
    say("Deleted. Press Ctrl+Z (or Undo) to bring it back.");
  } catch (error) {
    sayError(error, true);
  }
}

// ---- history (leads) -------------------------------------------------------

const historyBox = details.querySelector("[data-history]");

function resetHistory() {
  if (!historyBox) return;
  historyBox.open = false;
  historyBox.querySelector(".history-list").replaceChildren();
}

function describeChange(change) {
  const shown = (value) => (value === null || value === "" ? "—" : `“${excerpt(String(value), 60)}”`);
  return change.old === null ? `${change.field} ${shown(change.new)}` : `${change.field} ${shown(change.old)} → ${shown(change.new)}`;
}

async function loadHistory() {
  if (!historyBox.open || selectedId === null) return;
  const list = historyBox.querySelector(".history-list");
  try {
    const { history } = await api.annotationHistory(selectedId);
    list.replaceChildren(...history.map((entry) => {
      const item = document.createElement("li");
      const head = document.createElement("strong");
      head.textContent = `${entry.kind} by ${entry.who ?? "someone"}, ${new Date(entry.when).toLocaleString()}`;
      item.append(head);
      // Why, where the write said: "article version 2" for a move by a new text.
      if (entry.reason) item.append(Object.assign(document.createElement("div"), { className: "history-reason", textContent: entry.reason }));
      for (const change of entry.changes) {
        const line = document.createElement("div");
        line.className = "history-change";
        line.textContent = describeChange(change);
        item.append(line);
      }
      return item;
    }));
  } catch (error) {
    list.replaceChildren(Object.assign(document.createElement("li"), { textContent: error.message }));
  }
}

if (historyBox) historyBox.addEventListener("toggle", loadHistory);

// ---- events ----------------------------------------------------------------

function isTyping(target) {
  return target instanceof HTMLElement && target.closest("input, textarea, select, [data-typing]") !== null;
}

document.addEventListener("keydown", (event) => {
  if (isTyping(event.target)) return;
  const key = event.key.toLowerCase();
  if ((event.ctrlKey || event.metaKey) && key === "z") {
    event.preventDefault();
    step(event.shiftKey ? "redo" : "undo");
    return;
  }
  if ((event.ctrlKey || event.metaKey) && key === "y") {
    event.preventDefault();
    step("redo");
    return;
  }
  if (event.key === "Escape") {
    closeDetails();
    renderList(list, annotations, labelsBySlug, selectedId);
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const label = labelsByKey.get(key);
  if (label && textBox.contains(window.getSelection()?.anchorNode ?? null)) {
    event.preventDefault();
    markSelection(label);
  }
});

// The text is contenteditable only so that a caret and Shift+arrow selection
// work from the keyboard; nothing may change it.
for (const type of ["beforeinput", "paste", "drop", "cut"]) {
  textBox.addEventListener(type, (event) => event.preventDefault());
}

textBox.addEventListener("click", (event) => {
  const mark = event.target.closest("mark.hl");
  if (!mark || !window.getSelection().isCollapsed) return;
  const ids = mark.dataset.ids.split(" ").map(Number);
  const overlapping = ids.map((id) => annotations.find((a) => a.id === id)).filter(Boolean);
  showDetails(ids[0], overlapping);
});

document.getElementById("label-bar").addEventListener("mousedown", (event) => {
  // Keep the text selection when a label button is clicked.
  if (event.target.closest("button[data-label]")) event.preventDefault();
});
document.getElementById("label-bar").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-label]");
  if (button) markSelection(labelsBySlug.get(button.dataset.label));
});
document.getElementById("undo").addEventListener("click", () => step("undo"));
document.getElementById("redo").addEventListener("click", () => step("redo"));
reloadButton.addEventListener("click", reloadSpans);

list.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-id]");
  if (!button) return;
  const id = Number(button.dataset.id);
  showDetails(id);
  flash(id);
});
details.querySelector(".overlaps").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-id]");
  if (button) showDetails(Number(button.dataset.id));
});
details.querySelector("form").addEventListener("submit", saveDetails);
details.querySelector("[data-action=delete]").addEventListener("click", deleteSelected);
details.querySelector("[data-action=close]").addEventListener("click", () => {
  closeDetails();
  renderList(list, annotations, labelsBySlug, selectedId);
});

redraw();
// A link to one span (from the reports' strip): #span-<id> opens and shows it.
const wanted = /^#span-(\d+)$/.exec(window.location.hash);
if (wanted && annotations.some((a) => a.id === Number(wanted[1]))) {
  showDetails(Number(wanted[1]));
  flash(Number(wanted[1]));
}
textBox.dataset.ready = "true";
