// Undo and redo for this session's edits: snapshots of the params (what a request would send).
// Keystrokes in one field within a short pause are one step, as in a text editor.
const MERGE_MS = 800;
const LIMIT = 200;

export class EditHistory {
  constructor(onchange) {
    Object.assign(this, { onchange, past: [], future: [], lastKey: null, lastAt: 0 });
  }

  /** Call before changing the params: `key` names what changes ("title.text"). */
  record(params, key) {
    const now = Date.now();
    if (key !== this.lastKey || now - this.lastAt > MERGE_MS || !this.past.length) {
      this.past.push(JSON.stringify(params));
      if (this.past.length > LIMIT) this.past.shift();
    }
    Object.assign(this, { lastKey: key, lastAt: now, future: [] });
    this.onchange();
  }

  clear() {
    Object.assign(this, { past: [], future: [], lastKey: null });
    this.onchange();
  }

  /** The params before the last step (null if none); `current` goes on the redo stack. */
  undo(current) {
    return this.step(this.past, this.future, current);
  }

  redo(current) {
    return this.step(this.future, this.past, current);
  }

  step(from, to, current) {
    if (!from.length) return null;
    to.push(JSON.stringify(current));
    this.lastKey = null;
    const params = JSON.parse(from.pop());
    this.onchange();
    return params;
  }

  get canUndo() { return this.past.length > 0; }

  get canRedo() { return this.future.length > 0; }
}
