// Template sets in the studio: the sets the open template belongs to (GET /sets), and a set's
// members drawn side by side as unstored previews with the editor's current params. A layer a
// member lacks is left out for it and named under its picture, as POST /sets/{id}/images does.
import { api, preview } from "./api.js";

const WIDTH = 320; // each member's preview width (px): small, several side by side

export class SetsPanel {
  /** `currentParams()`: the editor's params, as a render body's `params`. */
  constructor(section, currentParams) {
    this.section = section;
    this.currentParams = currentParams;
    this.choice = section.querySelector("#setChoice");
    this.grid = section.querySelector("#setGrid");
    this.summary = section.querySelector("#setSummary");
    this.sets = null; // GET /sets, once per page
    this.layers = new Map(); // template id -> its layer names
    this.urls = []; // object URLs of the shown previews (revoked on the next show)
    this.seq = 0;
    section.querySelector("#setRun").addEventListener("click", () => this.show());
  }

  /** Show the panel only when the template is in a set; list those sets. */
  async open(templateId) {
    if (this.sets === null) {
      try { this.sets = await api("/sets"); } catch { this.sets = []; }
    }
    const mine = this.sets.filter((set) => set.templates.includes(templateId));
    this.section.hidden = mine.length === 0;
    this.choice.replaceChildren(...mine.map((set) => {
      const option = document.createElement("option");
      option.value = set.id;
      option.textContent = `${set.id} (${set.templates.join(", ")})`;
      return option;
    }));
    this.clear();
  }

  clear() {
    this.seq++;
    for (const url of this.urls) URL.revokeObjectURL(url);
    this.urls = [];
    this.grid.replaceChildren();
    this.summary.textContent = "";
    delete this.summary.dataset.done;
  }

  async layersOf(templateId) {
    if (!this.layers.has(templateId)) {
      const detail = await api(`/templates/${encodeURIComponent(templateId)}`);
      this.layers.set(templateId, new Set(detail.layers.map((layer) => layer.name)));
    }
    return this.layers.get(templateId);
  }

  /** Every member of the chosen set with the editor's params, side by side. */
  async show() {
    const set = (this.sets || []).find((s) => s.id === this.choice.value);
    if (!set) return;
    this.clear();
    const mine = this.seq;
    const params = this.currentParams();
    let done = 0;
    await Promise.all(set.templates.map(async (member) => {
      const figure = document.createElement("figure");
      figure.dataset.member = member;
      const img = document.createElement("img");
      img.alt = `${member} with the editor's params`;
      const caption = document.createElement("figcaption");
      caption.textContent = `${member}: drawing…`;
      figure.append(img, caption);
      this.grid.append(figure);
      try {
        const layers = await this.layersOf(member);
        const skipped = params.filter((p) => !layers.has(p.name)).map((p) => p.name);
        const shot = await preview(member, {
          format: "png", params: params.filter((p) => layers.has(p.name)) }, WIDTH);
        if (mine !== this.seq) { URL.revokeObjectURL(shot.url); return; }
        this.urls.push(shot.url);
        img.src = shot.url;
        caption.textContent = member + (skipped.length ? ` · skips ${skipped.join(", ")}` : "");
        figure.dataset.skipped = skipped.join(" ");
      } catch (error) {
        caption.textContent = `${member}: ${error.message}`;
        figure.dataset.error = "1";
      }
      done++;
    }));
    if (mine !== this.seq) return;
    this.summary.textContent = `${done} of ${set.templates.length} members of ${set.id} drawn`;
    this.summary.dataset.done = String(done);
  }
}
