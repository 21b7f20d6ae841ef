// Undo and redo of the reviewer's own creates, changes and deletes. No DOM
// and no requests: the workspace passes in the three operations that talk
// to the server, and says what happened.
//
// An entry is { type, ref } (plus before/after values for a change). A ref
// is { id, snapshot }, shared by every entry about the same span: undoing a
// deletion makes the span again under a new id, and the ref's id follows,
// so older entries about that span still reach it.

const KINDS = {
  create: { undo: (ops, e) => ops.destroy(e.ref), redo: (ops, e) => ops.recreate(e.ref), name: "marking" },
  delete: { undo: (ops, e) => ops.recreate(e.ref), redo: (ops, e) => ops.destroy(e.ref), name: "deletion" },
  change: {
    undo: (ops, e) => ops.applyChange(e.ref, e.before),
    redo: (ops, e) => ops.applyChange(e.ref, e.after),
    name: "change",
  },
};

export class UndoHistory {
  /** `operations`: async recreate(ref), destroy(ref) and applyChange(ref, values). */
  constructor(operations) {
    this.operations = operations;
    this.undoStack = [];
    this.redoStack = [];
    this.refs = new Map(); // annotation id → shared ref, so undo entries follow re-creations
  }

  get canUndo() {
    return this.undoStack.length > 0;
  }

  get canRedo() {
    return this.redoStack.length > 0;
  }

  /** Remember an action the reviewer just did; what was undone can no longer be redone. */
  record(entry) {
    this.undoStack.push(entry);
    this.redoStack.length = 0;
  }

  /** The ref to record an action on `annotation` with. */
  refFor(annotation) {
    for (const entry of this.undoStack.concat(this.redoStack)) if (entry.ref.id === annotation.id) return entry.ref;
    if (!this.refs.has(annotation.id)) this.refs.set(annotation.id, { id: annotation.id, snapshot: annotation });
    return this.refs.get(annotation.id);
  }

  /** Undo (direction "undo") or redo ("redo") the latest entry. Returns what
   * the entry was ("marking", "deletion" or "change"), or null when there
   * was nothing to. When the operation fails the entry goes back where it
   * was, to be tried again, and the error is thrown on. */
  async step(direction) {
    const [from, to] = direction === "undo" ? [this.undoStack, this.redoStack] : [this.redoStack, this.undoStack];
    const entry = from.pop();
    if (!entry) return null;
    try {
      await KINDS[entry.type][direction](this.operations, entry);
    } catch (error) {
      from.push(entry);
      throw error;
    }
    to.push(entry);
    return KINDS[entry.type].name;
  }
}
