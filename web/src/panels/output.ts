/**
 * The output panel: the console (compiler output, stdout, stderr) and the per-test table.
 * Hidden tests show what the server sends for them: a name and a verdict.
 */
import { $, el } from "../dom";
import type { ExecutionResult, TestResult } from "../protocol";

const VERDICTS: Record<string, string> = {
  accepted: "Accepted",
  wrong_answer: "Wrong answer",
  time_limit_exceeded: "Time limit exceeded",
  memory_limit_exceeded: "Memory limit exceeded",
  output_limit_exceeded: "Output limit exceeded",
  runtime_error: "Runtime error",
  compilation_error: "Compilation error",
  internal_error: "Internal error",
};

export function verdict(status: string | null): string {
  return status ? (VERDICTS[status] ?? status) : "—";
}

export class OutputPanel {
  private readonly console = $("#console");
  private readonly table = $("#test-results");
  private readonly summary = $("#run-summary");

  progress(text: string): void {
    this.summary.className = "run-summary running";
    this.summary.textContent = text;
  }

  error(text: string): void {
    this.summary.className = "run-summary bad";
    this.summary.textContent = text;
  }

  show(result: ExecutionResult): void {
    const ok = result.status === "accepted";
    const mode = result.mode === "submit" ? "Submission" : "Run";
    const counts = result.total ? ` — ${result.passed}/${result.total} tests passed` : "";
    this.summary.className = `run-summary ${ok ? "good" : "bad"}`;
    this.summary.textContent = `${mode}: ${verdict(result.status)}${counts}`;
    this.console.replaceChildren(...this.consoleParts(result));
    this.renderTests(result.tests);
    const tab = result.tests.length ? "tests" : "console";
    document.querySelector<HTMLButtonElement>(`[data-output-tab="${tab}"]`)?.click();
  }

  private consoleParts(result: ExecutionResult): Node[] {
    const parts: Node[] = [];
    if (result.compile && result.compile.output) {
      parts.push(el("div", { class: "stream compile" }, el("span", { class: "stream-label" }, "compiler"), result.compile.output));
    }
    const run = result.run;
    if (run?.stdout) parts.push(el("div", { class: "stream stdout" }, el("span", { class: "stream-label" }, "stdout"), run.stdout));
    if (run?.stderr) parts.push(el("div", { class: "stream stderr" }, el("span", { class: "stream-label" }, "stderr"), run.stderr));
    if (run) parts.push(el("div", { class: "stream meta" }, `exit code ${run.exit_code ?? "—"} · ${Math.round(run.time_ms)} ms · ${result.language} ${result.language_version}`));
    if (!parts.length) parts.push(el("div", { class: "stream meta" }, "No output."));
    return parts;
  }

  private renderTests(tests: TestResult[]): void {
    const head = el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Test"), el("th", { scope: "col" }, "Verdict"), el("th", { scope: "col" }, "Input"), el("th", { scope: "col" }, "Expected"), el("th", { scope: "col" }, "Got")));
    const body = el("tbody");
    for (const test of tests) {
      const cells = test.hidden
        ? [el("td", { colspan: "3", class: "hidden-note" }, "hidden test")]
        : [cell(test.input), cell(test.expected), cell(test.actual ?? test.message ?? test.stderr)];
      body.append(
        el(
          "tr",
          { class: test.status === "accepted" ? "pass" : "fail", "data-status": test.status },
          el("td", {}, test.name),
          el("td", { class: "verdict" }, verdict(test.status)),
          ...cells,
        ),
      );
    }
    if (!tests.length) body.append(el("tr", {}, el("td", { colspan: "5", class: "hidden-note" }, "No tests in this run.")));
    this.table.replaceChildren(head, body);
  }
}

function cell(value: unknown): HTMLTableCellElement {
  const text = value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);
  return el("td", { class: "mono" }, text.length > 300 ? `${text.slice(0, 300)}…` : text);
}
