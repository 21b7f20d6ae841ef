// The New article page: while any of the lead's fetches is queued or
// fetching, ask the API how each is doing and update its row, until every
// one is done or failed. The rows, their API addresses and the article
// page's address come from the server's HTML (data- attributes).
import { fetchView, isRunning, nextDelay } from "./fetch-status.js";

const table = document.getElementById("fetches");
if (table) follow(table);

function follow(table) {
  const template = table.dataset.articleHref;
  let polls = 0;

  async function poll() {
    const running = [...table.querySelectorAll("tr[data-fetch]")].filter((row) => isRunning(row.dataset.status));
    if (running.length === 0) {
      table.dataset.running = "false";
      return;
    }
    await Promise.all(running.map((row) => refresh(row, template)));
    polls += 1;
    setTimeout(poll, nextDelay(polls));
  }

  setTimeout(poll, nextDelay(0));
}

async function refresh(row, template) {
  let response;
  try {
    response = await fetch(row.dataset.fetch, { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    return; // offline for a moment: the next round asks again
  }
  if (!response.ok) return;
  render(row, fetchView(await response.json(), template));
}

function render(row, view) {
  row.dataset.status = view.status;
  const pill = row.querySelector('[data-field="status"]');
  pill.className = `status-pill status-${view.status}`;
  pill.textContent = view.label;
  const outcome = row.querySelector('[data-field="outcome"]');
  outcome.textContent = view.outcome;
  if (view.href) {
    const link = document.createElement("a");
    link.href = view.href;
    link.textContent = "Open the article";
    outcome.append(" ", link);
  }
}
