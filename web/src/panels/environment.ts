/**
 * The "Environment" disclosure next to the language picker: what the current language may
 * use without an import (LeetCode's environment, issue 16), from `GET /api/v1/languages`.
 * A candidate used to LeetCode writes `Map<Integer, Integer>` or `defaultdict(list)`
 * without imports; this says, before the first run, that the judge accepts it too.
 *
 * A native <details>: Enter/Space on its summary opens and closes it; Escape closes it and
 * gives the focus back to the summary, as does a click elsewhere on the page.
 */
import { $, el } from "../dom";

export type Environment = {
  version: string;
  standard: string;
  preloaded: string[];
  notes: string[];
  starter_note: string;
};

export type Language = {
  name: string;
  title: string;
  version: string;
  extensions: string[];
  /** The file a problem's solution lives in (`Solution.java`; the server's, for every part). */
  solution_file?: string;
  environment?: Environment;
};

/** What the panel says about `language`, or null when there is nothing to say. */
export type EnvironmentView = {
  heading: string;
  standard: string;
  preloaded: string[];
  notes: string[];
  footer: string;
};

export function environmentView(language: Language | undefined): EnvironmentView | null {
  const environment = language?.environment;
  if (!language || !environment) return null;
  if (!environment.standard && !environment.preloaded.length && !environment.notes.length) return null;
  const toolchain = language.version ? `${language.title} (${language.version})` : language.title;
  return {
    heading: toolchain,
    standard: environment.standard,
    preloaded: environment.preloaded,
    notes: environment.notes,
    footer: `Environment version ${environment.version}`,
  };
}

/** `"Your own \`ListNode\` wins"` -> text and <code> nodes (backticks mark code; no HTML). */
export function splitCode(text: string): { text: string; code: boolean }[] {
  return text
    .split("`")
    .map((piece, index) => ({ text: piece, code: index % 2 === 1 }))
    .filter((piece) => piece.text !== "");
}

function codeSpans(text: string): (Node | string)[] {
  return splitCode(text).map((piece) => (piece.code ? el("code", {}, piece.text) : piece.text));
}

export class EnvironmentPanel {
  private readonly details = $("#environment") as HTMLDetailsElement;
  private readonly body = $("#environment-panel");

  constructor() {
    this.details.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !this.details.open) return;
      event.preventDefault();
      this.close();
    });
    document.addEventListener("click", (event) => {
      if (this.details.open && event.target instanceof Node && !this.details.contains(event.target)) {
        this.details.open = false;
      }
    });
  }

  /** Show the environment of `language` (hides the disclosure when there is none). */
  show(language: Language | undefined): void {
    const view = environmentView(language);
    this.details.hidden = view === null;
    if (!view) {
      this.details.open = false;
      this.body.replaceChildren();
      return;
    }
    const parts: HTMLElement[] = [el("h2", { class: "environment-title" }, view.heading)];
    if (view.standard) parts.push(el("p", { class: "environment-standard" }, `Runs as ${view.standard}.`));
    if (view.preloaded.length) {
      parts.push(
        el("p", { class: "environment-label", id: "environment-preloaded-label" }, "Available without imports"),
        el(
          "ul",
          { class: "environment-preloaded", "data-testid": "environment-preloaded", "aria-labelledby": "environment-preloaded-label" },
          ...view.preloaded.map((item) => el("li", {}, el("code", {}, item))),
        ),
      );
    }
    if (view.notes.length) {
      parts.push(
        el("p", { class: "environment-label", id: "environment-notes-label" }, "Good to know"),
        el("ul", { class: "environment-notes", "aria-labelledby": "environment-notes-label" }, ...view.notes.map((note) => el("li", {}, ...codeSpans(note)))),
      );
    }
    parts.push(el("p", { class: "environment-footer muted" }, view.footer));
    this.body.replaceChildren(...parts);
  }

  private close(): void {
    this.details.open = false;
    (this.details.querySelector("summary") as HTMLElement).focus();
  }
}
