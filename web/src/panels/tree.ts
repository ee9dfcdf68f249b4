/**
 * The file tree: the workspace's files, sorted, with create / rename / delete. Every
 * change goes to the server as a `file-operation`; the tree itself changes only when
 * the stored event comes back, so every client shows the same tree.
 */
import { $, el } from "../dom";

export interface TreeHost {
  files(): string[];
  active(): string | null;
  open(path: string): void;
  create(path: string): void;
  rename(path: string, to: string): void;
  remove(path: string): void;
}

export class FileTree {
  private readonly list = $("#file-tree");

  constructor(private readonly host: TreeHost) {
    $("#new-file").addEventListener("click", () => {
      const name = window.prompt("New file name (e.g. helpers.py)");
      if (name && name.trim()) this.host.create(name.trim());
    });
  }

  render(): void {
    const active = this.host.active();
    const items = this.host.files().sort().map((path) => {
      const open = el("button", { class: "file-open", type: "button", title: path, "aria-current": String(path === active) }, el("span", { class: `file-icon ext-${path.split(".").pop() ?? ""}`, "aria-hidden": "true" }), path);
      open.addEventListener("click", () => this.host.open(path));
      const rename = el("button", { class: "file-action", type: "button", "aria-label": `Rename ${path}`, title: "Rename" }, "✎");
      rename.addEventListener("click", () => {
        const to = window.prompt(`Rename ${path} to`, path);
        if (to && to.trim() && to.trim() !== path) this.host.rename(path, to.trim());
      });
      const remove = el("button", { class: "file-action", type: "button", "aria-label": `Delete ${path}`, title: "Delete" }, "✕");
      remove.addEventListener("click", () => {
        if (window.confirm(`Delete ${path}?`)) this.host.remove(path);
      });
      return el("li", { class: path === active ? "active" : "" }, open, el("span", { class: "file-actions" }, rename, remove));
    });
    this.list.replaceChildren(...items);
  }
}
