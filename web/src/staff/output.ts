/**
 * A run's output as the interviewer sees it in the replay: verdict, compiler output,
 * stdout, stderr and every test. Staff are shown what the API gives staff, hidden tests'
 * inputs included (marked hidden: the candidate saw only their name and verdict).
 */
import { el } from "../dom";
import { verdict } from "../panels/output";
import type { ExecutionResult, TestResult } from "../protocol";
import { formatMs, runTone } from "./timeline";

export function renderExecution(node: HTMLElement, result: ExecutionResult, tMs: number): void {
  const mode = result.mode === "submit" ? "Submission" : "Run";
  const counts = result.total ? ` — ${result.passed}/${result.total} tests passed` : "";
  const summary = el("p", { class: `run-summary ${runTone(result.status)}`, "data-status": result.status ?? "" }, `${mode} at ${formatMs(tMs)}: ${verdict(result.status)}${counts}`);
  const streams: Node[] = [];
  if (result.compile?.output) streams.push(stream("compiler", result.compile.output));
  if (result.run?.stdout) streams.push(stream("stdout", result.run.stdout));
  if (result.run?.stderr) streams.push(stream("stderr", result.run.stderr));
  if (result.run) streams.push(el("div", { class: "stream meta" }, `exit code ${result.run.exit_code ?? "—"} · ${Math.round(result.run.time_ms)} ms · ${result.language} ${result.language_version}`));
  if (!streams.length) streams.push(el("div", { class: "stream meta" }, "No output."));
  node.replaceChildren(summary, el("div", { class: "console" }, ...streams), tests(result.tests));
}

export function renderNoRun(node: HTMLElement, text: string): void {
  node.replaceChildren(el("p", { class: "muted" }, text));
}

function stream(label: string, text: string): HTMLElement {
  return el("div", { class: `stream ${label}` }, el("span", { class: "stream-label" }, label), text);
}

function tests(list: TestResult[]): HTMLElement {
  if (!list.length) return el("p", { class: "muted" }, "No tests in this run.");
  const head = el("thead", {}, el("tr", {}, ...["Test", "Verdict", "Input", "Expected", "Got"].map((h) => el("th", { scope: "col" }, h))));
  const body = el("tbody");
  for (const test of list) {
    body.append(
      el(
        "tr",
        { class: test.status === "accepted" ? "pass" : "fail", "data-status": test.status },
        el("td", {}, test.name, ...(test.hidden ? [" ", el("span", { class: "badge hidden" }, "hidden")] : [])),
        el("td", { class: "verdict" }, verdict(test.status)),
        cell(test.input),
        cell(test.expected),
        // a judged answer is a value (null too, when the function returned nothing); any
        // other verdict (an error, a time limit) has no value, only what went wrong
        cell(JUDGED.has(test.status) ? test.actual : (test.message ?? test.stderr)),
      ),
    );
  }
  return el("table", { class: "tests" }, head, body);
}

/** Verdicts that compared a returned value with the expected one. */
const JUDGED = new Set(["accepted", "wrong_answer"]);

function cell(value: unknown): HTMLTableCellElement {
  // a value the program gave is shown as JSON, null included; no value at all is blank
  const text = value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  return el("td", { class: "mono" }, text.length > 400 ? `${text.slice(0, 400)}…` : text);
}
