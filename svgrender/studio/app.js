// svgrender studio: gallery, upload report, layers, live preview, naming, browser comparison and
// ready-to-paste requests. Only the public API; no build step, no third-party code.
import { api, ApiError, apiKey, clearApiKey, preview, setApiKey } from "./api.js";
import { compareWithBrowser } from "./compare.js";
import { describeUnnamed, elementAt, suggestName, templatePoint } from "./elements.js";
import { fieldsFor, flagMissingFonts, updateBoxFields } from "./fields.js";
import { EditHistory } from "./history.js";
import { snippet } from "./snippets.js";
import { TextBoxEditor } from "./textbox.js";
import { rowsFromText, stressRows, VariantsSheet } from "./variants.js";
import { SetsPanel } from "./sets.js";

const $ = (id) => document.getElementById(id);
const state = { detail: null, params: {}, selected: null, seq: 0, timer: null, tab: "curl",
                last: null, link: null };
const THUMB_WIDTH = 400;
let boxEditor = null; // the selected text layer's box over the preview (textbox.js)
let sheet = null; // the variants grid (variants.js)
let setsPanel = null; // the open template's sets, side by side (sets.js)
let edits = null; // undo/redo of this session's edits (history.js)

function status(text, error = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", error);
}

function show(view) {
  for (const id of ["keyForm", "gallery", "editor"]) $(id).hidden = id !== view;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name in node && name !== "list") node[name] = value;
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

async function guarded(action) {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      clearApiKey();
      show("keyForm");
      status(apiKey() === null && error.body.message ? error.body.message : "API key needed", true);
      $("keyInput").focus();
      return undefined;
    }
    const where = error.body && (error.body.layer || error.body.field);
    status(`${error.message}${where ? ` (${where})` : ""}`, true);
    return undefined;
  }
}

// --- gallery and upload ------------------------------------------------------------------

/** "1 layer", "2 layers" */
function counted(n, noun) {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

async function loadFonts() {
  const fonts = await api("/v1/fonts").catch(() => null);
  if (!fonts) return;
  $("fontFamilies").replaceChildren(...fonts.families.map((f) => el("option", { value: f })));
  flagMissingFonts();
}

async function openGallery({ push = true } = {}) {
  if (push && location.pathname !== "/studio/") window.history.pushState(null, "", "/studio/");
  const templates = await guarded(() => api("/templates"));
  if (!templates) return;
  show("gallery");
  status(counted(templates.length, "template"));
  const list = $("templates");
  for (const old of list.querySelectorAll("img[src^='blob:']")) URL.revokeObjectURL(old.src);
  const thumbs = [];
  list.replaceChildren(...templates.map((t) => {
    // A placeholder of the template's proportions until its unstored preview arrives: no
    // broken-image text, no layout shift.
    const frame = el("span", { class: "thumb", style: `aspect-ratio:${t.width}/${t.height}` });
    if (t.valid) thumbs.push([t, frame]);
    return el("li", {}, el("button", { type: "button", onclick: () => openTemplate(t.id),
                                       "data-template": t.id },
      frame, el("strong", {}, t.name || t.id),
      el("div", { class: "meta" }, `${t.id} · ${Math.round(t.width)}×${Math.round(t.height)} · `
                                   + counted(t.layerCount, "layer")),
      t.valid ? null : el("div", { class: "invalid" }, t.error)));
  }));
  loadThumbnails(thumbs);
}

async function loadThumbnails(queue, parallel = 2) {
  const next = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const [t, frame] = item;
      try {
        const shot = await preview(t.id, { format: "png" }, THUMB_WIDTH);
        const img = el("img", { alt: `${t.name || t.id} thumbnail`, src: shot.url });
        frame.replaceChildren(img);
      } catch { frame.classList.add("failed"); }
    }
  };
  await Promise.all(Array.from({ length: parallel }, next));
}

function showReport(name, detail) {
  const report = $("report");
  const removed = detail.removed || [];
  report.replaceChildren(
    el("h3", {}, `Uploaded ${name} as “${detail.id}”: ${counted(detail.layers.length, "layer")}`),
    removed.length ? el("p", {}, `The sanitiser removed: ${removed.join(", ")}.`)
                   : el("p", {}, "Nothing had to be removed."),
    ...detail.findings.map((f) => el("div", { class: "finding", "data-code": f.code },
      el("code", {}, f.code), " ", f.message, el("br"), el("em", {}, `Fix: ${f.fix}`))),
    el("button", { type: "button", onclick: () => openTemplate(detail.id) }, "Open it"));
  report.hidden = false;
}

async function upload(file) {
  const name = file.name.replace(/\.svgz?$/i, "");
  status(`Uploading ${file.name}…`);
  const detail = await guarded(() => api(`/templates?name=${encodeURIComponent(name)}`, {
    method: "POST", body: file, contentType: "image/svg+xml" }));
  if (!detail) return;
  status(`Uploaded ${file.name}`);
  await openGallery();
  showReport(file.name, detail);
}

// --- the template view -------------------------------------------------------------------

async function openTemplate(id, { layer = null, push = true, params = {} } = {}) {
  // The first preview is asked for together with the template, not after it (the stage's width
  // is guessed from the window's; the server draws its nearest size).
  const guess = Math.ceil(Math.min(window.innerWidth, 1400) * 0.7 * (window.devicePixelRatio || 1));
  const early = preview(id, { format: "png", params: paramsList(params) }, guess)
    .catch(() => null); // asked again below, with its error shown
  const detail = await guarded(() => api(`/templates/${encodeURIComponent(id)}`));
  if (!detail) {
    early.then((shot) => shot && URL.revokeObjectURL(shot.url));
    return;
  }
  const url = pageUrl(detail.id, layer, params);
  if (push && location.pathname + location.search !== url) window.history.pushState(null, "", url);
  if (!state.detail || state.detail.id !== detail.id) { // another template: its own rows, steps
    sheet.clear();
    edits.clear();
  }
  setsPanel.open(detail.id);
  Object.assign(state, { detail, params, selected: null, link: null });
  show("editor");
  $("templateTitle").textContent = detail.name || detail.id;
  $("templateMeta").textContent = `${detail.id} · ${Math.round(detail.width)}×`
    + `${Math.round(detail.height)} · version ${detail.version}`;
  drawLayers();
  drawFindings();
  $("layerForm").hidden = true;
  $("picked").hidden = true;
  boxEditor.hide();
  $("boxBar").hidden = true;
  if (!$("fontFamilies").children.length) loadFonts();
  if (layer && detail.layers.some((l) => l.name === layer)) select(layer);
  else if (layer) status(`This template has no layer “${layer}”`, true);
  await renderNow(early);
}

function boxStyle(item) {
  const { width, height } = state.detail;
  return `left:${(100 * item.x) / width}%;top:${(100 * item.y) / height}%;`
    + `width:${(100 * item.width) / width}%;height:${(100 * item.height) / height}%`;
}

function drawLayers() {
  const { layers, unnamed } = state.detail;
  $("boxes").replaceChildren(
    ...layers.map((l) => el("div", { style: boxStyle(l), "data-box": l.name })),
    ...unnamed.map((u) => el("div", { style: boxStyle(u), class: "unnamed", "data-box": u.path })));
  $("layers").replaceChildren(...layers.map((layer) => el("li", {}, el("button", {
    type: "button", "data-layer": layer.name, onclick: () => select(layer.name),
    onmouseenter: () => hover(layer.name, true), onmouseleave: () => hover(layer.name, false),
    onfocus: () => hover(layer.name, true), onblur: () => hover(layer.name, false),
  }, el("span", {}, layer.name), el("span", { class: "kind" }, layer.type)))));
  // Unnamed elements in words; hovering or focusing one outlines it on the preview, and its
  // path (what the API calls it) is only a tooltip.
  $("unnamed").replaceChildren(...unnamed.slice(0, 60).map((item) => el("li", {},
    el("button", { type: "button", "data-path": item.path, title: item.path,
                   onclick: () => pick(item),
                   onmouseenter: () => hover(item.path, true),
                   onmouseleave: () => hover(item.path, false),
                   onfocus: () => hover(item.path, true), onblur: () => hover(item.path, false) },
       el("span", {}, describeUnnamed(item)), el("span", { class: "kind" }, "name it")))));
  $("unnamedCount").textContent = unnamed.length ? ` (${unnamed.length})` : " (none)";
}

function drawFindings() {
  const box = $("findings");
  const findings = state.detail.findings;
  box.hidden = !findings.length;
  box.replaceChildren(el("h3", {}, "Findings"), ...findings.map((f) => el("div", {
    class: "finding", "data-code": f.code }, el("code", {}, f.code), " ", f.message, el("br"),
    el("em", {}, `Fix: ${f.fix}`))));
}

function hover(name, on) {
  const box = [...$("boxes").children].find((b) => b.dataset.box === name);
  if (box) box.classList.toggle("hover", on);
}

function pageUrl(id, layer, params) {
  const query = new URLSearchParams();
  if (layer) query.set("layer", layer);
  const given = paramsList(params);
  if (given.length) query.set("params", JSON.stringify(given));
  const search = query.toString();
  return `/studio/t/${encodeURIComponent(id)}${search ? `?${search}` : ""}`;
}

/** The address bar follows the selection and the params: a link to send someone. */
function syncUrl() {
  if (!state.detail) return;
  const url = pageUrl(state.detail.id, state.selected, state.params);
  if (location.pathname + location.search !== url) window.history.replaceState(null, "", url);
}

function markSelected(key) {
  for (const b of $("boxes").children) b.classList.toggle("selected", b.dataset.box === key);
}

function select(name, { focus = true } = {}) {
  state.selected = name;
  $("picked").hidden = true;
  syncUrl();
  markSelected(name);
  for (const b of $("layers").querySelectorAll("button")) {
    b.classList.toggle("selected", b.dataset.layer === name);
    b.setAttribute("aria-pressed", String(b.dataset.layer === name));
  }
  const layer = state.detail.layers.find((l) => l.name === name);
  $("formTitle").textContent = `${layer.name} (${layer.type})`;
  $("fields").replaceChildren(...fieldsFor(layer, state.params[name] || {}, (prop, value) => {
    edits.record(state.params, `${name}.${prop}`);
    const given = (state.params[name] = state.params[name] || {});
    if (value === "" || value === null || value === undefined) delete given[prop];
    else given[prop] = value;
    scheduleRender();
  }, (box) => boxEditor.set(box)));
  $("layerForm").hidden = false;
  showTextBox(layer);
  // Keyboard users land on the control they came for: the text, else the first one.
  const first = $("fields").querySelector("textarea") || $("fields").querySelector("input, button");
  if (first && focus) first.focus();
}

/** An unnamed element picked on the preview or in the list: outlined, with a form to name it. */
function pick(item) {
  state.selected = null;
  syncUrl();
  markSelected(item.path);
  for (const b of $("layers").querySelectorAll("button")) {
    b.classList.remove("selected");
    b.setAttribute("aria-pressed", "false");
  }
  $("layerForm").hidden = true;
  boxEditor.hide();
  $("boxBar").hidden = true;
  $("pickedTitle").textContent = `Unnamed ${describeUnnamed(item)}`;
  $("picked").dataset.path = item.path;
  $("picked").hidden = false;
  const input = $("pickedName");
  input.value = suggestName(item, state.detail);
  input.focus();
  input.select();
}

async function namePicked(event) {
  event.preventDefault();
  const path = $("picked").dataset.path;
  const name = $("pickedName").value.trim();
  const saved = await guarded(() => api(
    `/templates/${encodeURIComponent(state.detail.id)}/layers`,
    { method: "POST", json: { path, name } }));
  if (!saved) return;
  status(`“${name}” is now a layer`);
  await openTemplate(state.detail.id, { layer: name, push: false, params: state.params });
}

// --- the text box: shown, dragged, saved into the template --------------------------------

function showTextBox(layer) {
  state.boxDraft = null;
  $("boxBar").hidden = true;
  if (layer.type === "text" && layer.box) boxEditor.show(layer, state.detail);
  else boxEditor.hide();
}

function boxChanged(box) {
  state.boxDraft = box;
  updateBoxFields(box);
  const r = (v) => Math.round(v);
  $("boxReadout").textContent = `Box: x ${r(box.x)}, y ${r(box.y)}, ${r(box.width)} × `
    + `${r(box.height)} px (not saved)`;
  $("boxBar").hidden = false;
}

async function saveBox() {
  const name = state.selected;
  const box = state.boxDraft;
  if (!box || !name) return;
  const detail = await guarded(() => api(`/templates/${encodeURIComponent(state.detail.id)}`
    + `/layers/${encodeURIComponent(name)}/box`, { method: "PUT", json: box }));
  if (!detail) return;
  state.detail = detail;
  $("templateMeta").textContent = `${detail.id} · ${Math.round(detail.width)}×`
    + `${Math.round(detail.height)} · version ${detail.version}`;
  drawLayers();
  select(name);
  await renderNow();
  status(`Box of “${name}” saved (version ${detail.version})`);
}

function revertBox() {
  const layer = state.detail.layers.find((l) => l.name === state.selected);
  if (layer) showTextBox(layer);
}


// --- the variants sheet ---------------------------------------------------------------------

function showVariants(rows) {
  if (rows) sheet.show(state.detail, rows);
}

function variantsFromInput() {
  try {
    return rowsFromText($("variantsInput").value, state.detail.layers.map((l) => l.name));
  } catch (error) {
    sheet.clear();
    $("variantsSummary").textContent = `Cannot read the rows: ${error.message}`;
    return null;
  }
}

/** A row of the sheet in the editor: its params in the form, its layer selected. */
function openRow(row) {
  edits.record(state.params, "row");
  state.params = {};
  for (const { name, ...props } of row.params) state.params[name] = { ...props };
  const layer = row.focus || (row.params[0] && row.params[0].name);
  if (layer && state.detail.layers.some((l) => l.name === layer)) select(layer);
  $("stage").scrollIntoView({ block: "nearest" });
  status(`Opened ${row.label}`);
  renderNow();
}

// --- rendering -----------------------------------------------------------------------------

function paramsList(params) {
  return Object.entries(params).filter(([, p]) => Object.keys(p).length)
    .map(([name, p]) => ({ name, ...p }));
}

function body(format = "png") {
  return { format, params: paramsList(state.params) };
}

function scheduleRender() {
  clearTimeout(state.timer);
  state.timer = setTimeout(renderNow, 180);
}

function previewWidth() {
  const shown = $("stage").clientWidth || state.detail.width;
  return Math.min(state.detail.width, Math.ceil(shown * (window.devicePixelRatio || 1)));
}

async function renderNow(early = null) {
  const mine = ++state.seq;
  status("Rendering…");
  const started = performance.now();
  // A preview: drawn, never stored (storing is the "Render and store" button's job).
  const shot = (early && await early)
    || await guarded(() => preview(state.detail.id, body(), previewWidth()));
  if (!shot) return;
  if (mine !== state.seq) { URL.revokeObjectURL(shot.url); return; } // a newer one was asked for
  if (state.last) URL.revokeObjectURL(state.last.url);
  state.last = shot;
  state.link = null;
  syncUrl();
  $("preview").src = shot.url;
  const warnings = shot.warnings.length ? ` — ${shot.warnings.join("; ")}` : "";
  status(`Rendered in ${Math.round(performance.now() - started)} ms${warnings}`);
  showFit(shot.layout);
  $("downloads").replaceChildren(el("button", { type: "button", id: "store", onclick: storeRender },
                                    "Render and store"));
  showSnippet();
}

function fitText(name, fit) {
  const parts = [`${fit.lines} line${fit.lines === 1 ? "" : "s"}`,
                 `${Math.round(fit.fontSize * 10) / 10} px`];
  if (fit.scale < 0.999) parts.push(`shrunk to ${Math.round(fit.scale * 100)}%`);
  if (fit.cut) parts.push("cut");
  if (fit.overlaps && fit.overlaps.length) parts.push(`overlaps ${fit.overlaps.join(", ")}`);
  return `${name}: ${parts.join(" · ")}`;
}

function showFit(layout) {
  const entries = Object.entries(layout || {});
  $("fit").hidden = !entries.length;
  $("fit").replaceChildren(...entries.map(([name, fit]) => el("li", {
    "data-fit": name, class: fit.cut ? "cut" : (fit.scale < 0.999 || (fit.overlaps || []).length
      ? "shrunk" : "ok") }, fitText(name, fit))));
}

async function storeRender() {
  const answer = await guarded(() => api(`/designs/${encodeURIComponent(state.detail.id)}`,
                                         { method: "POST", json: body() }));
  if (!answer) return;
  status(`Stored as ${answer.id}`);
  $("downloads").replaceChildren("Download: ",
    ...[["image", answer.imageUrl], ["thumbnail", answer.thumbnailUrl],
        ["retina thumbnail", answer.retinaThumbnailUrl]].flatMap(([label, url], i) => [
      i ? " · " : "", el("a", { href: url, download: "" }, label)]));
}

async function showSnippet() {
  if (state.tab === "link" && state.link === null) {
    state.link = await api(`/links/${encodeURIComponent(state.detail.id)}`, {
      method: "POST", json: body() }).then((l) => l.url).catch((e) => `# ${e.message}`);
  }
  $("snippet").textContent = snippet(state.tab, location.origin, state.detail.id, body(),
                                     state.link, state.detail.layers);
}

// --- wiring --------------------------------------------------------------------------------

function wire() {
  boxEditor = new TextBoxEditor($("textbox"), $("stage"), boxChanged);
  sheet = new VariantsSheet($("variantsGrid"), $("variantsSummary"),
                            { el, fitText, open: openRow });
  setsPanel = new SetsPanel($("sets"), () => body().params);
  $("variantsRun").addEventListener("click", () => showVariants(variantsFromInput()));
  $("stressTest").addEventListener("click", () => showVariants(stressRows(state.detail)));
  $("variantsUpload").addEventListener("keydown", (e) => { // the file picker from the keyboard
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("variantsFile").click(); }
  });
  $("variantsFile").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    $("variantsInput").value = await file.text();
    e.target.value = "";
    showVariants(variantsFromInput());
  });
  $("saveBox").addEventListener("click", saveBox);
  $("revertBox").addEventListener("click", revertBox);
  $("home").addEventListener("click", (e) => { e.preventDefault(); openGallery(); });
  $("home").setAttribute("href", "/studio/");
  $("keyEntry").addEventListener("submit", (e) => {
    e.preventDefault();
    setApiKey($("keyInput").value.trim());
    $("keyInput").value = "";
    route();
  });
  $("upload").addEventListener("change", (e) => e.target.files[0] && upload(e.target.files[0]));
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]);
  });
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter") $("upload").click(); });
  const hit = (e) => elementAt(state.detail, ...templatePoint(e, $("preview"), state.detail));
  $("preview").addEventListener("click", (e) => {
    const found = hit(e);
    if (found && found.kind === "layer") select(found.item.name);
    else if (found) pick(found.item);
  });
  $("preview").addEventListener("mousemove", (e) => {
    const found = hit(e);
    const key = found && (found.kind === "layer" ? found.item.name : found.item.path);
    for (const b of $("boxes").children) b.classList.toggle("hover", b.dataset.box === key);
  });
  $("pickedForm").addEventListener("submit", namePicked);
  edits = new EditHistory(() => {
    $("undo").disabled = !edits.canUndo;
    $("redo").disabled = !edits.canRedo;
  });
  $("undo").addEventListener("click", () => undoRedo("undo"));
  $("redo").addEventListener("click", () => undoRedo("redo"));
  document.addEventListener("keydown", (e) => {
    if (!(e.ctrlKey || e.metaKey) || $("editor").hidden) return;
    const key = e.key.toLowerCase();
    if (key === "z" || key === "y") {
      e.preventDefault(); // the session's steps, not one field's own undo
      undoRedo(key === "y" || e.shiftKey ? "redo" : "undo");
    }
  });
  $("preview").addEventListener("mouseleave", () => {
    for (const b of $("boxes").children) b.classList.remove("hover");
  });
  $("resetLayer").addEventListener("click", () => {
    edits.record(state.params, "reset");
    delete state.params[state.selected];
    select(state.selected);
    scheduleRender();
  });
  for (const tab of document.querySelectorAll("[data-tab]")) {
    tab.addEventListener("click", () => {
      state.tab = tab.dataset.tab;
      for (const t of document.querySelectorAll("[data-tab]")) {
        t.setAttribute("aria-selected", String(t === tab));
      }
      showSnippet();
    });
  }
  $("copy").addEventListener("click", () => navigator.clipboard?.writeText($("snippet").textContent)
    .then(() => status("Copied"), () => status("Select the text and copy it", true)));
  $("compareButton").addEventListener("click", async () => {
    const full = state.detail.width;
    const [svg, png] = await Promise.all([
      guarded(() => preview(state.detail.id, body("svg"), full)),
      guarded(() => preview(state.detail.id, body("png"), full))]);
    if (!svg || !png) return;
    $("compareResult").textContent = "Comparing…";
    const mean = await compareWithBrowser(svg.url, png.url,
      state.detail, $("browserCanvas"), $("serviceCanvas"), $("diffCanvas"));
    URL.revokeObjectURL(svg.url);
    URL.revokeObjectURL(png.url);
    $("compareResult").textContent = `Mean difference: ${mean.toFixed(2)} of 255 per channel`
      + (mean < 3 ? " — drawn as your browser draws it" : " — look at the bright areas");
    $("compareResult").dataset.mean = mean.toFixed(3);
  });
}

function undoRedo(which) {
  const params = edits[which](state.params);
  if (!params) return;
  state.params = params;
  if (state.selected) select(state.selected, { focus: false });
  status(which === "undo" ? "Undone" : "Redone");
  scheduleRender();
}

/** ?params=[{"name":…}] from a shared link, as the editor keeps them; bad input is ignored. */
function paramsFromUrl(query) {
  const out = {};
  try {
    for (const { name, ...props } of JSON.parse(query.get("params") || "[]")) {
      if (typeof name === "string") out[name] = props;
    }
  } catch {
    status("The link's params could not be read; opened without them", true);
  }
  return out;
}

// /studio/ is the gallery; /studio/t/{id}?layer=name&params=[…] opens a template with a layer
// selected and the params someone shared.
function route() {
  const match = location.pathname.match(/^\/studio\/t\/([^/]+)\/?$/);
  if (!match) return openGallery({ push: false });
  const query = new URLSearchParams(location.search);
  return openTemplate(decodeURIComponent(match[1]), { layer: query.get("layer"), push: false,
                                                       params: paramsFromUrl(query) });
}

wire();
window.addEventListener("popstate", route);
route();
