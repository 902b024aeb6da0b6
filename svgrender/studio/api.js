// The public API, with the key from this tab's session storage (never in a URL).
const KEY = "svgrender-api-key";

export const apiKey = () => sessionStorage.getItem(KEY);
export const setApiKey = (value) => sessionStorage.setItem(KEY, value);
export const clearApiKey = () => sessionStorage.removeItem(KEY);

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

export async function api(path, { method = "GET", json, body, contentType } = {}) {
  const headers = {};
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  let payload = body;
  if (json !== undefined) {
    payload = JSON.stringify(json);
    headers["Content-Type"] = "application/json";
  } else if (contentType) {
    headers["Content-Type"] = contentType;
  }
  const answer = await fetch(path, { method, headers, body: payload });
  const text = await answer.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { message: text.slice(0, 200) }; }
  if (!answer.ok) throw new ApiError(answer.status, data);
  return data;
}

// A render that is never stored (POST /designs/{id}/preview): an object URL of the image, and
// the fit report and warnings from the answer's headers. The caller revokes the URL.
export async function preview(templateId, json, width) {
  const headers = { "Content-Type": "application/json" };
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  const query = width ? `?width=${Math.max(1, Math.round(width))}` : "";
  const answer = await fetch(`/designs/${encodeURIComponent(templateId)}/preview${query}`,
                             { method: "POST", headers, body: JSON.stringify(json) });
  if (!answer.ok) {
    const text = await answer.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = { message: text.slice(0, 200) }; }
    throw new ApiError(answer.status, data);
  }
  let layout = {};
  try { layout = JSON.parse(answer.headers.get("X-Svgrender-Layout") || "{}"); } catch { /* none */ }
  const warned = answer.headers.get("X-Svgrender-Warnings");
  return { url: URL.createObjectURL(await answer.blob()), layout,
           // The header is ASCII, with \uXXXX escapes for the rest ("\u2026"): shown as written.
           warnings: warned ? warned.replace(/\\u([0-9a-fA-F]{4})/g,
             (_, hex) => String.fromCharCode(parseInt(hex, 16))).split("; ") : [],
           cached: answer.headers.get("X-Svgrender-Cache") === "hit" };
}
