// The selected text layer's box over the preview: where its anchor is, which way a longer text
// grows, and handles to move and resize it (pointer or arrow keys). Works in template pixels.
const HANDLES = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];
const MIN = 4;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

export class TextBoxEditor {
  // `host` is the #textbox element over the preview; `onchange(box)` gets each new draft.
  constructor(host, stage, onchange) {
    Object.assign(this, { host, stage, onchange, layer: null, box: null, size: null, drag: null });
    host.addEventListener("pointerdown", (e) => this.down(e));
    host.addEventListener("pointermove", (e) => this.move(e));
    host.addEventListener("pointerup", (e) => this.up(e));
    host.addEventListener("pointercancel", (e) => this.up(e));
    host.addEventListener("keydown", (e) => this.key(e));
  }

  show(layer, size, box = layer.box) {
    this.layer = layer;
    this.size = size;
    this.box = { ...box };
    const growth = { down: "↓", up: "↑", both: "↕" }[layer.grows] || "↓";
    const words = `${layer.name}: anchored ${{ start: "left", middle: "centre", end: "right" }[
      layer.anchor] || layer.anchor}, grows ${layer.grows || "down"} · box from ${
      layer.boxSource}`;
    this.host.replaceChildren(
      el("span", { class: "tb-label" }, words),
      el("span", { class: `tb-anchor tb-${layer.anchor || "start"} tb-grows-${
        layer.grows || "down"}`, title: "anchor" }),
      el("span", { class: `tb-growth tb-${layer.anchor || "start"} tb-grows-${
        layer.grows || "down"}`, "aria-hidden": "true" }, growth),
      ...HANDLES.map((h) => el("span", { class: `handle h-${h}`, "data-handle": h,
                                         role: "button", tabindex: "0",
                                         "aria-label": `resize the box (${h})` })));
    this.host.setAttribute("tabindex", "0");
    this.host.setAttribute("role", "group");
    this.host.setAttribute("aria-label", `${words}. Arrow keys move it; with Shift they resize.`);
    this.host.dataset.boxLayer = layer.name;
    this.host.hidden = false;
    this.place();
  }

  hide() {
    this.layer = null;
    this.host.hidden = true;
  }

  place() {
    const { width, height } = this.size;
    const b = this.box;
    this.host.style.left = `${(100 * b.x) / width}%`;
    this.host.style.top = `${(100 * b.y) / height}%`;
    this.host.style.width = `${(100 * b.width) / width}%`;
    this.host.style.height = `${(100 * b.height) / height}%`;
    // A box on the right half labels itself from its right edge: the label stays on the stage.
    const label = this.host.querySelector(".tb-label");
    if (label) label.classList.toggle("tb-label-end", b.x + b.width / 2 > width / 2);
  }

  set(box) {
    this.box = { ...box };
    this.place();
    this.onchange({ ...this.box });
  }

  scale() {
    const rect = this.stage.getBoundingClientRect();
    return this.size.width / rect.width;
  }

  down(event) {
    if (!this.layer || event.button !== 0) return;
    event.preventDefault();
    event.stopPropagation();
    this.host.setPointerCapture(event.pointerId);
    this.drag = { handle: event.target.dataset.handle || "move", x: event.clientX,
                  y: event.clientY, start: { ...this.box }, k: this.scale() };
  }

  move(event) {
    if (!this.drag) return;
    const { handle, start, k } = this.drag;
    const dx = (event.clientX - this.drag.x) * k;
    const dy = (event.clientY - this.drag.y) * k;
    this.set(this.moved(start, handle, dx, dy));
  }

  up(event) {
    if (!this.drag) return;
    this.host.releasePointerCapture(event.pointerId);
    this.drag = null;
  }

  moved(start, handle, dx, dy) {
    let { x, y, width, height } = start;
    if (handle === "move") return { x: x + dx, y: y + dy, width, height };
    if (handle.includes("w")) { const w = Math.max(MIN, width - dx); x += width - w; width = w; }
    if (handle.includes("e")) width = Math.max(MIN, width + dx);
    if (handle.includes("n")) { const h = Math.max(MIN, height - dy); y += height - h; height = h; }
    if (handle.includes("s")) height = Math.max(MIN, height + dy);
    return { x, y, width, height };
  }

  key(event) {
    const step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[
      event.key];
    if (!step || !this.layer) return;
    event.preventDefault();
    const n = event.altKey ? 1 : 10;
    const handle = event.target.dataset.handle || (event.shiftKey ? "se" : "move");
    this.set(this.moved(this.box, handle, step[0] * n, step[1] * n));
  }
}
