// fetch-status.js: what the New article page shows for a fetch the API
// describes, and how often it asks again.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  NO_WORKER_AFTER_MS,
  articleHref,
  fetchView,
  isRunning,
  nextDelay,
} from "../../annotate/static/annotate/js/fetch-status.js";

const MADE = "2026-03-05T10:00:00Z";
const AT = Date.parse(MADE);
const fetchOf = (fields) => ({ status: "queued", outcome: "", article: null, created_at: MADE, ...fields });

describe("isRunning", () => {
  test("queued and fetching are running; done and failed are over", () => {
    assert.deepEqual(["queued", "fetching", "done", "failed"].map(isRunning), [true, true, false, false]);
  });
});

describe("articleHref", () => {
  test("puts the id where the template has 0", () => {
    assert.equal(articleHref("/articles/0/", 42), "/articles/42/");
    assert.equal(articleHref("/sourcemark/articles/0/", 7), "/sourcemark/articles/7/");
  });
  test("only the last 0 segment is the id", () => {
    assert.equal(articleHref("/0/articles/0/", 10), "/0/articles/10/");
  });
  test("no article, no link", () => {
    assert.equal(articleHref("/articles/0/", null), null);
    assert.equal(articleHref("/articles/0/", undefined), null);
  });
});

describe("fetchView", () => {
  test("a done fetch shows its outcome and links its article", () => {
    const view = fetchView(fetchOf({ status: "done", outcome: "Imported as a new article.", article: 5 }), "/articles/0/", AT);
    assert.deepEqual(view, { status: "done", label: "Done", outcome: "Imported as a new article.", href: "/articles/5/" });
  });
  test("a failed fetch shows why, with no link", () => {
    const view = fetchView(fetchOf({ status: "failed", outcome: "http://x/: the server answered 404 Not Found" }), "/articles/0/", AT);
    assert.deepEqual(view, {
      status: "failed", label: "Failed", outcome: "http://x/: the server answered 404 Not Found", href: null,
    });
  });
  test("a fetch queued for long says a worker may be missing", () => {
    const soon = fetchView(fetchOf({}), "/articles/0/", AT + NO_WORKER_AFTER_MS);
    const late = fetchView(fetchOf({}), "/articles/0/", AT + NO_WORKER_AFTER_MS + 1);
    assert.equal(soon.outcome, "");
    assert.equal(late.outcome, "Still waiting for a worker: is `manage.py db_worker` running?");
    assert.equal(fetchView(fetchOf({ status: "fetching" }), "/articles/0/", AT + 10 * NO_WORKER_AFTER_MS).outcome, "");
  });
  test("a status it does not know is shown as queued, never as a class it has no style for", () => {
    assert.equal(fetchView(fetchOf({ status: "<b>" }), "/articles/0/", AT).status, "queued");
  });
});

describe("nextDelay", () => {
  test("soon at first, then less often, never more than 10 s", () => {
    assert.deepEqual([0, 1, 2, 3].map(nextDelay), [1000, 1500, 2250, 3375]);
    assert.equal(nextDelay(20), 10_000);
    assert.equal(nextDelay(-3), 1000);
  });
});
