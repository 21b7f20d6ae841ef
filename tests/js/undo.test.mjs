// undo.js with a fake server: the operations log what they were asked to
// do, and a re-creation gets a new id, as the real server gives one.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { UndoHistory } from "../../annotate/static/annotate/js/undo.js";

function fakeServer({ firstNewId = 100 } = {}) {
  const calls = [];
  let nextId = firstNewId;
  const operations = {
    async recreate(ref) {
      calls.push(["recreate", ref.id]);
      ref.id = nextId;
      nextId += 1;
    },
    async destroy(ref) {
      calls.push(["destroy", ref.id]);
    },
    async applyChange(ref, values) {
      calls.push(["applyChange", ref.id, values]);
    },
  };
  return { calls, operations };
}

const refOf = (id) => ({ id, snapshot: { id, version: 1 } });

describe("UndoHistory", () => {
  test("has nothing to undo or redo at first", async () => {
    const { calls, operations } = fakeServer();
    const history = new UndoHistory(operations);
    assert.equal(history.canUndo, false);
    assert.equal(history.canRedo, false);
    assert.equal(await history.step("undo"), null);
    assert.equal(await history.step("redo"), null);
    assert.deepEqual(calls, []);
  });

  test("undoes a marking by deleting the span and redoes it by making it again", async () => {
    const { calls, operations } = fakeServer();
    const history = new UndoHistory(operations);
    const ref = refOf(7);
    history.record({ type: "create", ref });
    assert.equal(history.canUndo, true);

    assert.equal(await history.step("undo"), "marking");
    assert.deepEqual([history.canUndo, history.canRedo], [false, true]);
    assert.equal(await history.step("redo"), "marking");
    assert.deepEqual([history.canUndo, history.canRedo], [true, false]);
    // The span made again has the server's new id, and undoing again deletes that one.
    assert.equal(await history.step("undo"), "marking");
    assert.deepEqual(calls, [["destroy", 7], ["recreate", 7], ["destroy", 100]]);
  });

  test("undoes a deletion by making the span again and redoes it by deleting it", async () => {
    const { calls, operations } = fakeServer();
    const history = new UndoHistory(operations);
    history.record({ type: "delete", ref: refOf(3) });

    assert.equal(await history.step("undo"), "deletion");
    assert.equal(await history.step("redo"), "deletion");
    assert.deepEqual(calls, [["recreate", 3], ["destroy", 100]]);
  });

  test("undoes a change with the values before it and redoes it with those after", async () => {
    const { calls, operations } = fakeServer();
    const history = new UndoHistory(operations);
    const before = { label: "fact", note: "" };
    const after = { label: "opinion", note: "loaded" };
    history.record({ type: "change", ref: refOf(5), before, after });

    assert.equal(await history.step("undo"), "change");
    assert.equal(await history.step("redo"), "change");
    assert.deepEqual(calls, [["applyChange", 5, before], ["applyChange", 5, after]]);
  });

  test("undoes the latest action first and redoes in the order undone", async () => {
    const { calls, operations } = fakeServer();
    const history = new UndoHistory(operations);
    history.record({ type: "create", ref: refOf(1) });
    history.record({ type: "create", ref: refOf(2) });
    history.record({ type: "delete", ref: refOf(3) });

    for (let i = 0; i < 3; i += 1) await history.step("undo");
    assert.equal(await history.step("undo"), null);
    for (let i = 0; i < 3; i += 1) await history.step("redo");
    assert.equal(await history.step("redo"), null);
    assert.deepEqual(calls, [
      ["recreate", 3], ["destroy", 2], ["destroy", 1],
      ["recreate", 1], ["recreate", 2], ["destroy", 100],
    ]);
  });

  test("forgets what was undone once something new is done", async () => {
    const { operations } = fakeServer();
    const history = new UndoHistory(operations);
    history.record({ type: "create", ref: refOf(1) });
    await history.step("undo");
    assert.equal(history.canRedo, true);

    history.record({ type: "create", ref: refOf(2) });
    assert.equal(history.canRedo, false);
    assert.equal(await history.step("redo"), null);
  });

  test("keeps an entry where it was when the server refuses it", async () => {
    const { calls, operations } = fakeServer();
    const gone = new Error("This span is gone");
    let refuse = true;
    const history = new UndoHistory({
      ...operations,
      async destroy(ref) {
        if (refuse) throw gone;
        return operations.destroy(ref);
      },
    });
    history.record({ type: "create", ref: refOf(9) });

    await assert.rejects(history.step("undo"), (error) => error === gone);
    assert.deepEqual([history.canUndo, history.canRedo], [true, false]);

    refuse = false;
    assert.equal(await history.step("undo"), "marking");
    assert.deepEqual(calls, [["destroy", 9]]);
  });

  test("gives two undos started together two different entries", async () => {
    // Ctrl+Z pressed twice before the first answer arrives.
    const { calls, operations } = fakeServer();
    const history = new UndoHistory(operations);
    history.record({ type: "create", ref: refOf(1) });
    history.record({ type: "create", ref: refOf(2) });

    const names = await Promise.all([history.step("undo"), history.step("undo")]);
    assert.deepEqual(names, ["marking", "marking"]);
    assert.deepEqual(calls, [["destroy", 2], ["destroy", 1]]);
    assert.equal(history.canUndo, false);
  });
});

describe("UndoHistory.refFor", () => {
  test("gives the same ref for the same span every time", () => {
    const history = new UndoHistory(fakeServer().operations);
    const span = { id: 4, version: 1 };
    const ref = history.refFor(span);
    assert.deepEqual(ref, { id: 4, snapshot: span });
    assert.equal(history.refFor({ id: 4, version: 2 }), ref);
    assert.notEqual(history.refFor({ id: 5, version: 1 }), ref);
  });

  test("finds the ref of a span made again by an undo under its new id", async () => {
    const { calls, operations } = fakeServer({ firstNewId: 40 });
    const history = new UndoHistory(operations);
    const ref = history.refFor({ id: 4, version: 1 });
    history.record({ type: "change", ref, before: { note: "" }, after: { note: "x" } });
    history.record({ type: "delete", ref });

    await history.step("undo"); // the span is made again, as id 40
    const remade = history.refFor({ id: 40, version: 1 });
    assert.equal(remade, ref);
    // So the change made before the deletion is undone on the span as it is now.
    await history.step("undo");
    assert.deepEqual(calls, [["recreate", 4], ["applyChange", 40, { note: "" }]]);
  });
});
