// The inspector: a layer's properties (the `properties` of GET /templates/{id}) grouped as a
// design tool groups them, labelled in words with units, each showing the template's own value
// (`current`) until the designer changes it.
const GROUPS = [
  ["Text", ["text", "fontFamily", "fontSize", "fontWeight", "fontStyle", "letterSpacing",
            "lineHeight", "textAlign", "verticalAlign", "textTransform"]],
  ["Fill and border", ["color", "backgroundColor", "borderColor", "borderWidth", "borderRadius",
                       "opacity"]],
  ["Layout", ["box", "imageUrl", "imagePosition", "imageFocus", "imageAlignH", "imageAlignV",
              "hidden"]],
  ["Fit", ["autoFit", "maxLines", "minFontSize", "wrap"]],
  ["Layer kinds", ["qrCode", "qrErrorCorrection", "qrColor", "qrBackground", "qrQuietZone",
                   "barcode", "rating", "ratingMax", "ratingShape", "ratingColor",
                   "ratingEmptyColor", "chart", "imageEffect"]],
];
// label, unit, step, what an unset value means
const NUMBERS = {
  fontSize: ["Font size", "px", 1], letterSpacing: ["Letter spacing", "px", 0.1, "0"],
  lineHeight: ["Line height", "× font size", 0.05, "the font's own"],
  borderWidth: ["Border width", "px", 1, "0"], borderRadius: ["Corner radius", "px", 1, "0"],
  opacity: ["Opacity", "0–1", 0.05, "1"], maxLines: ["Maximum lines", "lines", 1, "no limit"],
  minFontSize: ["Smallest font size", "px", 1, "no shrinking"],
  rating: ["Rating", "stars", 0.1], ratingMax: ["Rating out of", "stars", 1, "5"],
};
const CHOICES = {
  fontWeight: ["Weight", [["300", "light"], ["400", "regular"], ["500", "medium"],
                          ["600", "semibold"], ["700", "bold"], ["800", "extra bold"]]],
  fontStyle: ["Style", [["normal", "upright"], ["italic", "italic"]]],
  textAlign: ["Alignment", [["left", "left"], ["center", "centre"], ["right", "right"],
                            ["justify", "justified"]]],
  verticalAlign: ["Vertical alignment", [["top", "top"], ["middle", "middle"],
                                         ["bottom", "bottom"]]],
  textTransform: ["Letter case", [["none", "as typed"], ["uppercase", "UPPER"],
                                  ["lowercase", "lower"], ["capitalize", "Title"]]],
  imagePosition: ["Image fit", [["cover", "cover"], ["contain", "contain"], ["fill", "stretch"],
                                ["align", "align"], ["face", "cover, on faces"],
                                ["attention", "cover, on the subject"]]],
  imageAlignH: ["Image horizontal", [["left", "left"], ["center", "centre"], ["right", "right"]]],
  imageAlignV: ["Image vertical", [["top", "top"], ["middle", "middle"], ["bottom", "bottom"]]],
  wrap: ["Wrap at", [["word", "words"], ["char", "any letter"], ["none", "never"]]],
  qrErrorCorrection: ["QR error correction", [["L", "7 %"], ["M", "15 %"], ["Q", "25 %"],
                                              ["H", "30 %"]]],
  ratingShape: ["Rating shape", [["star", "star"], ["heart", "heart"], ["circle", "circle"]]],
};
const COLORS = { color: "Colour", backgroundColor: "Background colour",
                 borderColor: "Border colour", qrColor: "QR colour",
                 qrBackground: "QR background", ratingColor: "Rating colour",
                 ratingEmptyColor: "Empty rating colour" };
const FLAGS = { autoFit: "Shrink to fit", hidden: "Hidden", qrQuietZone: "QR quiet zone" };
// Free text (layer kinds): label and the form it takes.
const TEXTS = { qrCode: ["QR code", "https://…"], imageEffect: ["Photo effect", "grayscale blur:4"],
                barcode: ["Barcode", "ean13:5901234123457"],
                imageFocus: ["Image focus (x,y 0–1)", "0.5,0.3"] };
// JSON objects (layer kinds): label and an example; as in CSV columns and render links.
const JSONS = { chart: ["Chart (JSON)", '{"type": "bar", "values": [3, 5, 2], "labels": ["a", "b", "c"]}'] };
const ANCHOR_ALIGN = { start: "left", middle: "center", end: "right" };

function node(tag, props = {}, ...children) {
  const out = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "class") out.className = value;
    else if (name.startsWith("on")) out.addEventListener(name.slice(2), value);
    else if (name in out && !name.startsWith("data-") && name !== "list") out[name] = value;
    else out.setAttribute(name, value);
  }
  out.append(...children.filter((c) => c !== null && c !== undefined));
  return out;
}

// Any CSS colour (`white`, `rgb(…)`, `#abc`) as #rrggbb for a colour input; null if not one.
const probe = document.createElement("canvas").getContext("2d");
export function toHex(color) {
  if (!color || /gradient|pattern|^url\(/i.test(color)) return null;
  probe.fillStyle = "#010203";
  probe.fillStyle = color;
  const out = probe.fillStyle;
  if (out === "#010203" && color.toLowerCase() !== "#010203") return null;
  if (out.startsWith("#")) return out;
  const m = out.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/);
  return m ? `#${m.slice(1, 4).map((v) => Math.round(+v).toString(16).padStart(2, "0")).join("")}`
    : null;
}

function row(prop, name, control, unit, current) {
  return node("label", { class: "field", "data-prop": prop },
    node("span", { class: "name" }, name), control,
    unit ? node("span", { class: "unit" }, unit) : null,
    current !== undefined && current !== null && current !== ""
      ? node("span", { class: "current", title: "the template's own value" },
             `template: ${current}${unit && typeof current === "number" ? ` ${unit}` : ""}`)
      : null);
}

function colorField(prop, layer, value, change) {
  const current = (layer.current || {})[prop] ?? (prop === "color" ? layer.color : undefined);
  const shown = value ?? current;
  const hex = toHex(shown);
  const swatch = node("input", { type: "color", value: hex || "#000000", name: `${prop}Swatch`,
                                 "aria-label": `${COLORS[prop]} picker` });
  swatch.dataset.current = toHex(current) || "";
  const gradient = !hex && /gradient|pattern/.test(shown || "");
  swatch.classList.toggle("gradient", gradient);
  swatch.classList.toggle("none", !hex && !gradient);
  const text = node("input", { type: "text", value: value ?? "", name: prop,
                               placeholder: current || "none" });
  swatch.addEventListener("input", () => { text.value = swatch.value; change(prop, swatch.value); });
  text.addEventListener("input", () => {
    const typed = text.value.trim();
    const asHex = toHex(typed || current);
    if (asHex) swatch.value = asHex;
    change(prop, typed);
  });
  // A gradient is shown as one (a colour input cannot); picking a colour replaces it.
  const shownSwatch = gradient ? node("button", { type: "button", class: `swatch ${shown}`,
    title: shown, "aria-label": `${COLORS[prop]}: ${shown}; choose a colour instead`,
    onclick: () => { shownSwatch.replaceWith(swatch); swatch.click(); } }) : swatch;
  return row(prop, COLORS[prop], node("span", { class: "pair" }, shownSwatch, text), "",
             gradient ? current : null);
}

function boxFields(layer, box, onBox) {
  const out = node("fieldset", { class: "box-fields" },
    node("legend", {}, "Text box (saved into the template)"));
  const inputs = {};
  for (const [key, label] of [["x", "Left"], ["y", "Top"], ["width", "Width"],
                              ["height", "Height"]]) {
    const input = node("input", { type: "number", step: 1, name: `box.${key}`,
                                  value: Math.round(box[key]) });
    input.addEventListener("input", () => {
      if (input.value === "") return;
      onBox({ ...boxFields.current, [key]: Number(input.value) });
    });
    inputs[key] = input;
    out.append(row(`box.${key}`, label, input, "px"));
  }
  out.append(node("p", { class: "hint" }, `Anchored ${{ start: "left", middle: "centre",
    end: "right" }[layer.anchor] || layer.anchor}; a longer text grows ${layer.grows || "down"}.`
    + ` Box from: ${layer.boxSource}.`));
  boxFields.current = { ...box };
  boxFields.update = (next) => {
    boxFields.current = { ...next };
    for (const key of Object.keys(inputs)) {
      if (document.activeElement !== inputs[key]) inputs[key].value = Math.round(next[key]);
    }
  };
  return out;
}

export function updateBoxFields(box) {
  if (boxFields.update) boxFields.update(box);
}

function field(prop, layer, given, change, onBox) {
  const value = given[prop];
  const current = { ...(layer.current || {}) };
  if (prop === "textAlign" && current.textAlign === undefined && layer.anchor) {
    current.textAlign = ANCHOR_ALIGN[layer.anchor];
  }
  if (prop === "text") {
    const area = node("textarea", { value: value ?? layer.text ?? "", name: prop });
    area.addEventListener("input", () => change(prop, area.value));
    return row(prop, "Text", area);
  }
  if (prop === "box") return layer.box && onBox ? boxFields(layer, layer.box, onBox) : null;
  if (prop in COLORS) return colorField(prop, layer, value, change);
  if (prop === "imageUrl") {
    const url = node("input", { type: "url", value: value ?? "", name: prop,
                                placeholder: layer.imageUrl || "https://… (the template's image)" });
    url.addEventListener("change", () => change(prop, url.value.trim()));
    return row(prop, "Image URL", url);
  }
  if (prop in FLAGS) {
    const box = node("input", { type: "checkbox", checked: value ?? !!current[prop], name: prop });
    box.addEventListener("change", () => change(prop, box.checked === !!current[prop] ? null
                                                                        : box.checked));
    return row(prop, FLAGS[prop], box, "", current[prop] === undefined ? null
                                                                       : current[prop] ? "on" : "off");
  }
  if (prop in NUMBERS) {
    const [label, unit, step, unset] = NUMBERS[prop];
    const shown = current[prop] ?? unset;
    const number = node("input", { type: "number", value: value ?? "", step, name: prop,
                                   placeholder: shown ?? "" });
    number.addEventListener("input", () => change(prop, number.value === "" ? null
                                                          : Number(number.value)));
    return row(prop, label, number, unit, shown);
  }
  if (prop in CHOICES) {
    const [label, choices] = CHOICES[prop];
    const own = current[prop] === undefined ? undefined : String(current[prop]);
    const group = node("span", { class: "segmented", role: "group", "aria-label": label });
    for (const [choice, words] of choices) {
      const button = node("button", { type: "button", "data-choice": choice },
                          words);
      button.setAttribute("aria-pressed", String(value !== undefined && String(value) === choice));
      if (own === choice) button.classList.add("current");
      button.addEventListener("click", () => {
        const on = button.getAttribute("aria-pressed") !== "true";
        for (const b of group.children) b.setAttribute("aria-pressed", "false");
        button.setAttribute("aria-pressed", String(on));
        change(prop, on ? (prop === "fontWeight" ? Number(choice) : choice) : null);
      });
      group.append(button);
    }
    const words = own === undefined ? null : (choices.find(([c]) => c === own) || [own, own])[1];
    return node("div", { class: "field", "data-prop": prop },
      node("span", { class: "name" }, label), group,
      words ? node("span", { class: "current" }, `template: ${words}`) : null);
  }
  if (prop in TEXTS) {
    const [label, form] = TEXTS[prop];
    const shown = prop === "barcode" && value ? `${value.type}:${value.value}` : value;
    const text = node("input", { type: "text", value: shown ?? "", placeholder: form,
                                 name: prop });
    text.addEventListener("change", () => {
      const words = text.value.trim();
      if (prop !== "barcode" || !words) return change(prop, words || null);
      const at = words.indexOf(":");  // type:value, as in CSV columns and render links
      change(prop, at > 0 ? { type: words.slice(0, at).toLowerCase(), value: words.slice(at + 1) }
                          : { type: "code128", value: words });
    });
    return row(prop, label, text);
  }
  if (prop in JSONS) {
    const [label, form] = JSONS[prop];
    const area = node("textarea", { value: value ? JSON.stringify(value) : "", name: prop,
                                    placeholder: form, rows: 3 });
    area.addEventListener("change", () => {
      const words = area.value.trim();
      let parsed = null;
      try {
        parsed = words ? JSON.parse(words) : null;
      } catch {
        parsed = undefined;
      }
      const ok = parsed === null || (parsed !== undefined && typeof parsed === "object"
                                     && !Array.isArray(parsed));
      area.setCustomValidity(ok ? "" : "a JSON object, e.g. " + form);
      if (!ok) return area.reportValidity();
      change(prop, parsed);
    });
    return row(prop, label, area);
  }
  if (prop === "fontFamily") {
    const family = node("input", { type: "text", value: value ?? "", name: prop,
                                   placeholder: current.fontFamily || "the template's font",
                                   list: "fontFamilies" });
    family.addEventListener("change", () => {
      change(prop, family.value.trim());
      flagMissingFonts();
    });
    const field = row(prop, "Font", family, "", current.fontFamily);
    field.append(node("span", { class: "missing", hidden: true }));
    queueMicrotask(flagMissingFonts);
    return field;
  }
  return null;
}

/** Flags the font field when its family (typed, else the template's) is not on the server: the
 * server's families are the #fontFamilies list (GET /v1/fonts); nothing is flagged before it is
 * loaded. */
export function flagMissingFonts() {
  const field = document.querySelector("#fields [data-prop=fontFamily]");
  const known = [...document.querySelectorAll("#fontFamilies option")]
    .map((o) => o.value.toLowerCase());
  if (!field || !known.length) return;
  const input = field.querySelector("input");
  const wanted = (input.value.trim() || input.placeholder).split(",")[0].trim()
    .replace(/^["']|["']$/g, "");
  const flag = field.querySelector(".missing");
  const missing = wanted && wanted !== "the template's font" && !known.includes(wanted.toLowerCase());
  flag.hidden = !missing;
  flag.textContent = missing ? `“${wanted}” is not on the server: another font is drawn` : "";
  field.dataset.missing = String(!!missing);
}

export function fieldsFor(layer, given, change, onBox) {
  const out = [];
  for (const [title, props] of GROUPS) {
    const rows = props.filter((p) => layer.properties.includes(p) || (p === "box"
      && layer.box && onBox)).map((p) => field(p, layer, given, change, onBox)).filter(Boolean);
    if (rows.length) {
      out.push(node("fieldset", { class: "group", "data-group": title },
                    node("legend", {}, title), ...rows));
    }
  }
  return out;
}
