// What is drawn where: the template's element map from GET /templates/{id} (each layer's and each
// unnamed element's box, in template pixels) hit-tested at a point of the preview. The smallest
// box under the pointer wins (a label over its card, a badge over its photo); on a tie the one
// later in the document, which is drawn on top. The canvas is the last resort.

const KIND_WORDS = { shape: "Shape", group: "Group", text: "Text", image: "Image" };

function area(item) {
  return item.width * item.height;
}

function contains(item, x, y) {
  return x >= item.x && x <= item.x + item.width && y >= item.y && y <= item.y + item.height;
}

/** {kind: "layer", item} or {kind: "unnamed", item} drawn at template point (x, y), or null. */
export function elementAt(detail, x, y) {
  const candidates = [
    ...detail.layers.filter((l) => l.type !== "canvas").map((item, order) => ({ kind: "layer",
      item, order })),
    ...detail.unnamed.map((item, order) => ({ kind: "unnamed", item,
      order: detail.layers.length + order })),
  ].filter((c) => c.item.width > 0 && c.item.height > 0 && contains(c.item, x, y));
  // A group as big as the canvas is a wrapper, not what anyone clicks on.
  const full = area(detail) * 0.98;
  const useful = candidates.filter((c) => c.kind === "layer" || area(c.item) < full);
  const pool = useful.length ? useful : candidates;
  pool.sort((a, b) => area(a.item) - area(b.item) || b.order - a.order);
  if (pool.length) return pool[0];
  const canvas = detail.layers.find((l) => l.type === "canvas");
  return canvas ? { kind: "layer", item: canvas } : null;
}

/** The template point under a pointer event on the preview image. */
export function templatePoint(event, image, detail) {
  const rect = image.getBoundingClientRect();
  return [((event.clientX - rect.left) / rect.width) * detail.width,
          ((event.clientY - rect.top) / rect.height) * detail.height];
}

/** "Shape, 56 × 93 px at 12, 40": an unnamed element in words (its path is only a tooltip). */
export function describeUnnamed(item) {
  const r = Math.round;
  return `${KIND_WORDS[item.type] || item.type}, ${r(item.width)} × ${r(item.height)} px `
    + `at ${r(item.x)}, ${r(item.y)}`;
}

/** A layer name suggested for an unnamed element: its kind and a free number. */
export function suggestName(item, detail) {
  const taken = new Set(detail.layers.map((l) => l.name));
  const base = (item.type || "element").replace(/[^A-Za-z0-9_]/g, "") || "element";
  for (let n = 1; ; n += 1) if (!taken.has(`${base}${n}`)) return `${base}${n}`;
}
