// The current params as something to paste: curl, the JSON body, Python, a signed render link,
// or a batch CSV (a `layer.property` header, as jobs/rows.py reads it, and this row).

function csvCell(value) {
  const text = value && typeof value === "object"
    ? (["x", "y", "width", "height"].every((k) => k in value) // a box: "x,y,width,height"
      ? [value.x, value.y, value.width, value.height].join(",") : JSON.stringify(value))
    : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Header and one row: the properties set now, else every text layer's text as it reads. */
export function batchCsv(params, layers, origin, templateId) {
  let cells = params.flatMap(({ name, ...props }) => Object.entries(props)
    .map(([prop, value]) => [`${name}.${prop}`, value]));
  if (!cells.length) {
    cells = layers.filter((l) => l.type === "text")
      .map((l) => [`${l.name}.text`, (l.current && l.current.text) || l.text || ""]);
  }
  return [cells.map(([column]) => csvCell(column)).join(","),
          cells.map(([, value]) => csvCell(value)).join(","),
          "",
          `# curl -X POST '${origin}/batches/${templateId}' -H 'Content-Type: text/csv' --data-binary @rows.csv`,
  ].join("\n");
}

export function snippet(kind, origin, templateId, body, link, layers = []) {
  if (kind === "csv") return batchCsv(body.params, layers, origin, templateId);
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
