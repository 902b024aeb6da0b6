// The current params as something to paste: curl, the JSON body, Python, a signed render link.
export function snippet(kind, origin, templateId, body, link) {
  const json = JSON.stringify(body, null, 2);
  const url = `${origin}/designs/${templateId}`;
  if (kind === "json") return json;
  if (kind === "python") {
    return [
      "import httpx",
      "",
      `answer = httpx.post("${url}",`,
      '                    headers={"Authorization": "Bearer YOUR_API_KEY"},',
      `                    json=${JSON.stringify(body)})`,
      "answer.raise_for_status()",
      'print(answer.json()["imageUrl"])',
    ].join("\n");
  }
  if (kind === "link") {
    return link || "Making a signed link…";
  }
  const quoted = JSON.stringify(body).replaceAll("'", "'\\''");
  return `curl -X POST '${url}' \\\n  -H 'Authorization: Bearer YOUR_API_KEY' \\\n`
    + `  -H 'Content-Type: application/json' \\\n  -d '${quoted}'`;
}
