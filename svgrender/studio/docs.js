// The API reference, drawn from /openapi.json by this page itself (no CDN, no framework).
const main = document.getElementById("reference");

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function schemaText(schema, components, depth = 0) {
  if (!schema) return "";
  if (schema.$ref) {
    const name = schema.$ref.split("/").pop();
    return depth > 1 ? name : `${name} ${schemaText(components[name], components, depth + 1)}`;
  }
  if (schema.anyOf) return schema.anyOf.map((s) => schemaText(s, components, depth)).join(" | ");
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.type === "array") return `[${schemaText(schema.items, components, depth)}]`;
  if (schema.type === "object" && schema.properties) {
    const fields = Object.entries(schema.properties)
      .map(([k, v]) => `${k}: ${schemaText(v, components, depth + 1)}`);
    return `{ ${fields.join(", ")} }`;
  }
  return schema.type || "";
}

async function draw() {
  const spec = await (await fetch("/openapi.json")).json();
  const components = (spec.components || {}).schemas || {};
  document.getElementById("status").textContent = `${spec.info.title} ${spec.info.version}`;
  main.append(el("h1", "API reference"), el("p", spec.info.description || ""));
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === "parameters") continue;
      const section = el("section", undefined, "operation");
      section.id = op.operationId || `${method}-${path}`;
      section.append(el("h2", `${method.toUpperCase()} ${path}`));
      if (op.description) section.append(el("p", op.description));
      const params = [...(item.parameters || []), ...(op.parameters || [])];
      if (params.length) {
        const list = el("ul");
        for (const p of params) {
          list.append(el("li", `${p.name} (${p.in}${p.required ? ", required" : ""}): `
                                + schemaText(p.schema, components)));
        }
        section.append(el("h3", "Parameters"), list);
      }
      const body = op.requestBody && op.requestBody.content;
      if (body) {
        section.append(el("h3", "Body"));
        for (const [type, media] of Object.entries(body)) {
          section.append(el("pre", `${type}: ${schemaText(media.schema, components)}`));
        }
      }
      const answers = el("ul");
      for (const [code, answer] of Object.entries(op.responses || {})) {
        answers.append(el("li", `${code} ${answer.description || ""}`));
      }
      section.append(el("h3", "Answers"), answers);
      main.append(section);
    }
  }
}

draw().catch((error) => {
  document.getElementById("status").textContent = `Could not read /openapi.json: ${error.message}`;
});
