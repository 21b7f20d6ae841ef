// What the New article page shows for one URL fetch, from the API's answer
// (GET /api/article-fetches/<id>/), and how often it asks again. No DOM:
// new-article.js puts the result on the page.

const LABELS = { queued: "Queued", fetching: "Fetching", done: "Done", failed: "Failed" };
const RUNNING = new Set(["queued", "fetching"]);

// A fetch still queued this long after it was made has probably found no
// worker to run it; the page says how to start one.
export const NO_WORKER_AFTER_MS = 60_000;

export function isRunning(status) {
  return RUNNING.has(status);
}

/** The article page's address: ``template`` is the page's address for
 *  article 0 (from the server's URL table), with the id put in its place. */
export function articleHref(template, id) {
  if (id === null || id === undefined) return null;
  return template.replace(/\/0\/$/, `/${encodeURIComponent(id)}/`);
}

/** { status, label, outcome, href } for a fetch as the API gives it, at
 *  ``now`` (milliseconds since the epoch). */
export function fetchView(fetch, template, now = Date.now()) {
  const status = Object.hasOwn(LABELS, fetch.status) ? fetch.status : "queued";
  let outcome = fetch.outcome || "";
  const waited = now - Date.parse(fetch.created_at);
  if (status === "queued" && !outcome && waited > NO_WORKER_AFTER_MS) {
    outcome = "Still waiting for a worker: is `manage.py db_worker` running?";
  }
  return { status, label: LABELS[status], outcome, href: articleHref(template, fetch.article) };
}

/** Milliseconds to wait before asking again after ``polls`` rounds: soon at
 *  first (a fetch takes a second or two), then less often, at most every 10 s. */
export function nextDelay(polls) {
  return Math.min(10_000, Math.round(1000 * 1.5 ** Math.max(0, polls)));
}
