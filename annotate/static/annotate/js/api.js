// JSON requests to the workspace endpoints, CSRF-protected, with the
// server's error message surfaced as an Error.

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export class ApiError extends Error {
  // ``details`` is the server's whole error object: a 409 for a stale span
  // carries who changed it (changed_by, changed_at) and the span as it is now (current).
  constructor(message, status, field, details = {}) {
    super(message);
    this.status = status;
    this.field = field;
    this.details = details;
  }
}

async function request(method, url, body) {
  const options = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
  };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, options);
  } catch (error) {
    throw new ApiError("The server could not be reached; the change may not have been saved.", 0);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    throw new ApiError(error.message || `The server answered ${response.status}.`, response.status, error.field, error);
  }
  return data;
}

// A random (version 4) UUID naming a new span, so the server can tell a
// retry from a second span. crypto.randomUUID exists only in secure
// contexts (https, localhost); a plain-http LAN address gets the same from
// crypto.getRandomValues, which every context has.
export function newClientId() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const RETRIES = 2;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A new span is sent with its client id, and sent again (same id) if the
// answer is lost on the way or a proxy answers 502-504: the server answers
// a repeat with the span the first request made, so a retry never makes two.
export async function createAnnotation(articleId, body) {
  const named = { ...body, client_id: body.client_id || newClientId() };
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await request("POST", `/articles/${articleId}/annotations/`, named);
    } catch (error) {
      const transient = error.status === 0 || (error.status >= 502 && error.status <= 504);
      if (!transient || attempt >= RETRIES) throw error;
      await sleep(250 * 2 ** attempt);
    }
  }
}

// ``version`` is the span's version as the page shows it: the server
// refuses (409) a change or deletion of a span someone changed since.
export const changeAnnotation = (id, body, version) =>
  request("PATCH", `/annotations/${id}/`, version === undefined ? body : { ...body, version });
export const deleteAnnotation = (id, version) =>
  request("DELETE", `/annotations/${id}/${version === undefined ? "" : `?version=${encodeURIComponent(version)}`}`);
export const annotationHistory = (id) => request("GET", `/annotations/${id}/history/`);
// The spans the page shows, as it shows them (``query``: the page's own
// view switches, e.g. "?layer=consensus").
export const articleAnnotations = (articleId, query = "") =>
  request("GET", `/articles/${articleId}/annotations/${query}`);
