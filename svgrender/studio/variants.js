// The variants sheet: many rows of params (CSV or JSON, as a batch takes them, or generated worst
// cases) drawn as unstored previews in a grid, each with its fit report; click one to edit it.
import { preview } from "./api.js";

const PARALLEL = 4; // previews in flight at once (the server renders on a few cores)
const MAX_ROWS = 200; // a sheet to look at, not a batch: more rows belong in POST /batches
const ROW_FIELDS = ["format", "scale", "metadata", "fileName"]; // as batches take them
const TEXT_PROPS = new Set(["text", "fontFamily", "color", "backgroundColor", "borderColor",
                            "imageUrl", "href", "textAlign", "textTransform", "wrap", "fontStyle"]);

// A small hand-written CSV reader instead of a library: the studio has no build step and no
// third-party code, and all a sheet needs is RFC 4180 (the rules of Python's csv module, which
// parses batches on the server): quoted fields with "" for a quote, commas and line breaks inside
// quotes, CRLF or LF line ends, a UTF-8 BOM from spreadsheets.
export function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false, i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += c;
  }
  if (quoted) throw new Error("a quoted CSV field is not closed");
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// A cell's text as JSON would give it (as params_from_pairs does on the server): numbers and
// true/false from text, a box from "x,y,width,height"; text-like properties stay text.
function typed(prop, value) {
  if (TEXT_PROPS.has(prop)) return value;
  if (prop === "box") {
    const [x, y, width, height] = value.split(",").map(Number);
    return { x, y, width, height };
  }
  if (value === "true" || value === "false") return value === "true";
  if (/^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return value;
}

/** Flat {"title.text": "…"} pairs as a render body's params. */
function paramsFromPairs(pairs) {
  const grouped = new Map();
  for (const [key, value] of pairs) {
    if (ROW_FIELDS.includes(key) || value === "" || value === null || value === undefined) continue;
    const dot = key.lastIndexOf(".");
    const name = key.slice(0, dot), prop = key.slice(dot + 1);
    if (!grouped.has(name)) grouped.set(name, { name });
    grouped.get(name)[prop] = typeof value === "string" ? typed(prop, value) : value;
  }
  return [...grouped.values()];
}

/** CSV (a `layer.property` header) or JSON (render bodies, {"rows": […]}, or flat objects) as
 * [{label, params}]; throws an Error whose message says what is wrong, in words. */
export function rowsFromText(text, layerNames) {
  const trimmed = text.trim();
  if (!trimmed) throw new Error("paste CSV or JSON rows first, or press Stress test");
  let rows;
  if (trimmed[0] === "[" || trimmed[0] === "{") {
    let value;
    try { value = JSON.parse(trimmed); } catch (e) { throw new Error(`not JSON: ${e.message}`); }
    const list = Array.isArray(value) ? value : value.rows;
    if (!Array.isArray(list)) throw new Error("JSON rows are a list, or {\"rows\": […]}");
    rows = list.map((item, n) => {
      const label = (item && item.fileName) || `row ${n + 1}`;
      if (item && Array.isArray(item.params)) return { label, params: item.params };
      if (item && typeof item === "object") {
        return { label, params: paramsFromPairs(Object.entries(item)) };
      }
      throw new Error(`row ${n + 1} is not an object`);
    });
  } else {
    const [header, ...data] = parseCsv(trimmed);
    const columns = header.map((c) => c.trim());
    for (const column of columns) {
      if (ROW_FIELDS.includes(column)) continue;
      if (!column.includes(".")) {
        throw new Error(`CSV column “${column}” is not layer.property (e.g. title.text)`);
      }
    }
    rows = data.filter((cells) => cells.some((c) => c.trim())).map((cells, n) => {
      const pairs = columns.map((c, j) => [c, cells[j] ?? ""]);
      const name = cells[columns.indexOf("fileName")];
      return { label: name || `row ${n + 1}`, params: paramsFromPairs(pairs) };
    });
  }
  for (const row of rows) {
    for (const p of row.params) {
      if (!layerNames.includes(p.name)) throw new Error(`the template has no layer “${p.name}”`);
    }
  }
  if (!rows.length) throw new Error("no rows under the header");
  if (rows.length > MAX_ROWS) throw new Error(`more than ${MAX_ROWS} rows: run a batch instead`);
  return rows;
}

// Worst cases for one text: ≈3× as long (its own words repeated), one long word, CJK, Arabic,
// emoji and nothing at all.
const LONG_WORD = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz";
const CJK = "東京・京都・大阪を巡る十日間の旅、温泉と紅葉と古い寺院をゆっくり楽しむ";
const ARABIC = "استكشف نيوزيلندا: عشرة أيام من المضايق والأنهار الجليدية والينابيع الساخنة";

export function stressRows(detail) {
  const rows = [];
  for (const layer of detail.layers.filter((l) => l.type === "text")) {
    const own = (layer.text || layer.name).trim() || layer.name;
    let longest = own;
    while (longest.length < own.length * 3) longest += ` ${own}`;
    const cases = [["3× longer", longest], ["one long word", LONG_WORD],
                   ["CJK", CJK.slice(0, Math.max(8, Math.min(CJK.length, own.length * 2)))],
                   ["Arabic", ARABIC], ["emoji", `${own} 🎉🏔️✈️👩‍👩‍👧`], ["empty", ""]];
    for (const [what, text] of cases) {
      rows.push({ label: `${layer.name}: ${what}`, params: [{ name: layer.name, text }],
                  focus: layer.name });
    }
  }
  return rows;
}

/** What is wrong with a row's fit: [["cut", ["title"]], ["shrunk", […]], ["overlaps", […]]]. */
export function problems(layout) {
  const found = { cut: [], shrunk: [], overlaps: [] };
  for (const [name, fit] of Object.entries(layout || {})) {
    if (fit.cut) found.cut.push(name);
    if (fit.scale < 0.999) found.shrunk.push(name);
    if ((fit.overlaps || []).length) found.overlaps.push(name);
  }
  return Object.entries(found).filter(([, names]) => names.length);
}

const WORDS = { cut: "Cut", shrunk: "Shrunk", overlaps: "Overlaps" };

/** Draws rows into `grid` (a <ul>), at most PARALLEL previews in flight; `open(row)` on click.
 * Resolves when every row is drawn; a newer call (or clear) makes an older one stop. */
export class VariantsSheet {
  constructor(grid, summary, { el, fitText, open }) {
    Object.assign(this, { grid, summary, el, fitText, open, run: 0 });
  }

  clear() {
    this.run++;
    for (const img of this.grid.querySelectorAll("img[src^='blob:']")) URL.revokeObjectURL(img.src);
    this.grid.replaceChildren();
    this.summary.textContent = "";
    delete this.summary.dataset.done;
  }

  async show(detail, rows) {
    this.clear();
    const mine = this.run;
    const { el } = this;
    const started = performance.now();
    const ratio = `aspect-ratio:${detail.width}/${detail.height}`;
    const cells = rows.map((row, n) => {
      // The placeholder has the template's proportions and the report a reserved height, so the
      // grid does not move as thumbnails arrive.
      const frame = el("span", { class: "thumb", style: ratio });
      const report = el("div", { class: "variant-report" }, "Rendering…");
      const values = row.params.flatMap(({ name, ...props }) => Object.entries(props)
        .map(([prop, value]) => `${name}.${prop}: ${JSON.stringify(value)}`)).join("\n");
      const button = el("button", { type: "button", "data-row": String(n), "aria-busy": "true",
                                    title: values || "the template as it is",
                                    onclick: () => this.open(row) },
                        frame, el("strong", {}, row.label), report);
      return { row, frame, report, button, index: n, li: el("li", {}, button) };
    });
    this.grid.replaceChildren(...cells.map((c) => c.li));
    this.summary.textContent = `Rendering ${rows.length} rows…`;
    const flagged = [];
    const queue = [...cells];
    const next = async () => {
      for (let cell = queue.shift(); cell; cell = queue.shift()) {
        if (mine !== this.run) return;
        let shot;
        try {
          shot = await preview(detail.id, { format: "png", params: cell.row.params }, 400);
        } catch (error) {
          if (mine !== this.run) return;
          cell.frame.classList.add("failed");
          cell.button.classList.add("flagged");
          cell.button.dataset.flags = "error";
          cell.button.removeAttribute("aria-busy");
          cell.report.replaceChildren(el("p", { class: "flag" }, `Error: ${error.message}`));
          flagged.push(cell);
          continue;
        }
        if (mine !== this.run) { URL.revokeObjectURL(shot.url); return; }
        this.fill(cell, shot, flagged);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, next));
    if (mine !== this.run) return;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const names = flagged.sort((a, b) => a.index - b.index).map((c) => c.row.label);
    const listed = names.length > 12 ? `${names.slice(0, 12).join(", ")}…` : names.join(", ");
    this.summary.textContent = `${rows.length} rows in ${seconds} s · `
      + (names.length ? `${names.length} flagged: ${listed}` : "every text fits");
    this.summary.dataset.done = String(rows.length);
  }

  fill(cell, shot, flagged) {
    const { el } = this;
    const found = problems(shot.layout);
    const flags = found.map(([kind]) => kind);
    cell.frame.replaceChildren(el("img", { src: shot.url, alt: `${cell.row.label}: preview` }));
    cell.button.removeAttribute("aria-busy");
    cell.button.dataset.flags = flags.join(" ");
    cell.button.classList.toggle("flagged", flags.length > 0);
    for (const kind of flags) cell.button.classList.add(`is-${kind}`);
    // The flag in words too (not only a colour): "⚠ Cut: title".
    const words = found.map(([kind, names]) => `${WORDS[kind]}: ${names.join(", ")}`);
    cell.report.replaceChildren(
      words.length ? el("p", { class: "flag" }, `⚠ ${words.join(" · ")}`)
                   : el("p", { class: "ok" }, Object.keys(shot.layout || {}).length
                       ? "✓ Fits" : "No text changed"),
      el("ul", { class: "variant-fit" }, ...Object.entries(shot.layout || {}).map(
        ([name, fit]) => el("li", { "data-fit": name }, this.fitText(name, fit)))),
      ...shot.warnings.map((w) => el("p", { class: "warning", title: w }, w)));
    if (flags.length) flagged.push(cell);
    // Opening a flagged row selects the first layer in trouble.
    if (found.length && !cell.row.focus) cell.row.focus = found[0][1][0];
  }
}
