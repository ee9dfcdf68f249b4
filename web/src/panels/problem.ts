/** The problem statement: Markdown (sanitised), then the examples as input/expected. */
import { el } from "../dom";
import { renderMarkdown } from "../markdown";

export type Problem = {
  id: string;
  title: string;
  description: string;
  difficulty: string | number | null;
  tags: string[];
  entry_point: string | null;
  languages: string[];
  starter: Record<string, string>;
  examples: { name: string; input: unknown[]; expected: unknown }[];
  part: { number: number; label: string; file: string; has_next: boolean; minutes: number | null } | null;
};

function show(value: unknown): string {
  return JSON.stringify(value);
}

export function renderProblem(target: HTMLElement, problem: Problem): void {
  const header = el("header", { class: "problem-head" }, el("h1", {}, problem.title));
  const meta = el("div", { class: "problem-meta" });
  if (problem.difficulty !== null && problem.difficulty !== undefined) {
    meta.append(el("span", { class: `badge badge-${String(problem.difficulty).toLowerCase()}` }, String(problem.difficulty)));
  }
  for (const tag of problem.tags ?? []) meta.append(el("span", { class: "tag" }, tag));
  header.append(meta);
  const body = el("div", { class: "markdown" });
  body.innerHTML = renderMarkdown(problem.description);
  const examples = el("section", { class: "examples", "aria-label": "Examples" });
  (problem.examples ?? []).forEach((example, index) => {
    const call = problem.entry_point ? `${problem.entry_point}(${example.input.map(show).join(", ")})` : show(example.input);
    examples.append(
      el(
        "div",
        { class: "example" },
        el("h3", {}, `Example ${index + 1}`),
        el("pre", {}, el("span", { class: "label" }, "Input:  "), call, "\n", el("span", { class: "label" }, "Output: "), show(example.expected)),
      ),
    );
  });
  target.replaceChildren(header, body, examples);
}
