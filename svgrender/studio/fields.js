// The right control for each property a layer accepts (the `properties` of GET /templates/{id}).
const NUMBERS = { fontSize: 1, maxLines: 1, minFontSize: 1, letterSpacing: 0.1, lineHeight: 0.05,
                  borderWidth: 1, borderRadius: 1, opacity: 0.05, fontWeight: 100,
                  rating: 0.1, ratingMax: 1 };
const CHOICES = {
  textAlign: ["left", "center", "right", "justify"], verticalAlign: ["top", "middle", "bottom"],
  fontStyle: ["normal", "italic"], textTransform: ["none", "uppercase", "lowercase", "capitalize"],
  imagePosition: ["cover", "contain", "fill", "align"], wrap: ["word", "char", "none"],
  imageAlignH: ["left", "center", "right"], imageAlignV: ["top", "middle", "bottom"],
  qrErrorCorrection: ["L", "M", "Q", "H"], ratingShape: ["star", "heart", "circle"],
};
const COLORS = new Set(["color", "backgroundColor", "borderColor", "qrColor", "qrBackground",
                        "ratingColor", "ratingEmptyColor"]);
const FLAGS = new Set(["autoFit", "hidden", "qrQuietZone"]);
// Free text (layer kinds): placeholder shows the form.
const TEXTS = { qrCode: "https://…", imageEffect: "grayscale blur:4", barcode: "ean13:5901234123457" };

function label(text, ...controls) {
  const node = document.createElement("label");
  node.append(text, ...controls);
  return node;
}

function input(type, props) {
  const node = document.createElement(type === "textarea" ? "textarea" : "input");
  if (type !== "textarea") node.type = type;
  Object.assign(node, props);
  return node;
}

function hex(color) {
  return /^#[0-9a-f]{6}$/i.test(color || "") ? color : "#000000";
}

export function fieldsFor(layer, given, change) {
  const out = [];
  for (const prop of layer.properties) {
    const value = given[prop];
    if (prop === "text") {
      const area = input("textarea", { value: value ?? layer.text ?? "", name: prop });
      area.addEventListener("input", () => change(prop, area.value));
      out.push(label("Text", area));
    } else if (COLORS.has(prop)) {
      const text = input("text", { value: value ?? "", placeholder: layer.color || "#rrggbb",
                                   name: prop });
      const picker = input("color", { value: hex(value || layer.color), "aria-label": `${prop} picker` });
      picker.setAttribute("aria-label", `${prop} picker`);
      picker.addEventListener("input", () => { text.value = picker.value; change(prop, picker.value); });
      text.addEventListener("input", () => change(prop, text.value.trim()));
      const pair = document.createElement("div");
      pair.className = "pair";
      pair.append(picker, text);
      out.push(label(prop, pair));
    } else if (prop === "imageUrl") {
      const url = input("url", { value: value ?? layer.imageUrl ?? "", placeholder: "https://…",
                                 name: prop });
      url.addEventListener("change", () => change(prop, url.value.trim()));
      out.push(label("Image URL", url));
    } else if (FLAGS.has(prop)) {
      const box = input("checkbox", { checked: !!value, name: prop });
      box.addEventListener("change", () => change(prop, box.checked || null));
      out.push(label(`${prop} `, box));
    } else if (prop in NUMBERS) {
      const number = input("number", { value: value ?? "", step: NUMBERS[prop], name: prop });
      number.addEventListener("input", () => change(prop, number.value === "" ? null
                                                            : Number(number.value)));
      out.push(label(prop, number));
    } else if (prop in CHOICES) {
      const group = document.createElement("div");
      group.className = "segmented";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", prop);
      for (const choice of CHOICES[prop]) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = choice;
        button.setAttribute("aria-pressed", String(value === choice));
        button.addEventListener("click", () => {
          const on = button.getAttribute("aria-pressed") !== "true";
          for (const b of group.children) b.setAttribute("aria-pressed", "false");
          button.setAttribute("aria-pressed", String(on));
          change(prop, on ? choice : null);
        });
        group.append(button);
      }
      const caption = document.createElement("span");
      caption.textContent = prop;
      out.push(caption, group);
    } else if (prop in TEXTS) {
      const shown = prop === "barcode" && value ? `${value.type}:${value.value}` : value;
      const field = input("text", { value: shown ?? "", placeholder: TEXTS[prop], name: prop });
      field.addEventListener("change", () => {
        const text = field.value.trim();
        if (prop !== "barcode" || !text) return change(prop, text || null);
        const at = text.indexOf(":");  // type:value, as in CSV columns and render links
        change(prop, at > 0 ? { type: text.slice(0, at).toLowerCase(), value: text.slice(at + 1) }
                            : { type: "code128", value: text });
      });
      out.push(label(prop, field));
    } else if (prop === "fontFamily") {
      const family = input("text", { value: value ?? "", placeholder: "Inter", name: prop });
      family.addEventListener("change", () => change(prop, family.value.trim()));
      out.push(label("fontFamily", family));
    }
  }
  return out;
}
