// JSON requests to the workspace endpoints, CSRF-protected, with the
// server's error message surfaced as an Error.

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export class ApiError extends Error {
  constructor(message, status, field) {
    super(message);
    this.status = status;
    this.field = field;
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
    throw new ApiError("The server could not be reached; nothing was saved.", 0);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    throw new ApiError(error.message || `The server answered ${response.status}.`, response.status, error.field);
  }
  return data;
}

export const createAnnotation = (articleId, body) => request("POST", `/articles/${articleId}/annotations/`, body);
export const changeAnnotation = (id, body) => request("PATCH", `/annotations/${id}/`, body);
export const deleteAnnotation = (id) => request("DELETE", `/annotations/${id}/`);
export const annotationHistory = (id) => request("GET", `/annotations/${id}/history/`);
