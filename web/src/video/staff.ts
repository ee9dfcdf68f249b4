/**
 * The interviewer's video pages (`/staff/video`, `/staff/video/{id}`): the list with its
 * filter, the new-interview form (question rows added and removed here, or filled from a
 * question template, posted as JSON to the API with the sign-in cookie and CSRF token),
 * and an interview's detail: a fresh
 * invite link, each question's answer with the analysis' progress, polled while any
 * answer is still being analysed.
 */
import { Channel } from "../channel";
import { el } from "../dom";
import { interviewPath, sendJson, staffApi, VIDEO_API } from "./client";
import { percent } from "./series";
import type { AnswerOut, InviteOut, Page, RecordOut, TemplateQuestion, VideoInterviewOut, VideoTemplate } from "./types";

const POLL_MS = 3_000;
const api = staffApi();

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing`);
  return found as T;
}

function showError(error: unknown, where = "video-error"): void {
  const node = byId(where);
  node.textContent = error instanceof Error ? error.message : String(error);
  node.hidden = false;
}

function when(iso: string): HTMLTimeElement {
  const time = el("time", { datetime: iso }, new Date(iso).toISOString().slice(0, 16).replace("T", " ") + " UTC");
  return time;
}

// ---- the list and the form ---------------------------------------------------------------------

async function loadList(query: URLSearchParams, append: boolean): Promise<void> {
  const body = await api.json<Page<VideoInterviewOut> | VideoInterviewOut[]>(`${VIDEO_API}/interviews?${query.toString()}`);
  const items = Array.isArray(body) ? body : body.items;
  const rows = byId("video-rows");
  const made = items.map((item) =>
    el(
      "tr",
      { "data-testid": "video-row", "data-interview-id": item.id },
      el("td", { class: "primary-cell" }, el("a", { href: `/staff/video/${encodeURIComponent(item.id)}` }, item.title)),
      el("td", {}, item.candidate_name ?? "", item.candidate_email ? el("div", { class: "muted" }, item.candidate_email) : ""),
      el("td", {}, el("span", { class: `badge status-${item.status}`, "data-testid": "video-row-status" }, item.status.replace("_", " "))),
      el("td", { class: "num" }, String(item.answer_count ?? item.answers?.length ?? 0), " / ", String(item.questions.length)),
      el("td", {}, when(item.created_at)),
    ),
  );
  if (!append) rows.replaceChildren(...(made.length ? made : [el("tr", {}, el("td", { colspan: "5", class: "empty" }, "No video interviews yet."))]));
  else rows.append(...made);
  const more = byId<HTMLButtonElement>("video-more");
  const next = Array.isArray(body) ? null : (body.next_page ?? body.next_cursor ?? null);
  more.hidden = next === null;
  more.onclick = () => {
    const following = new URLSearchParams(query);
    following.set(typeof next === "number" ? "page" : "cursor", String(next));
    void loadList(following, true).catch((e: unknown) => showError(e));
  };
}

function renumber(): void {
  const rows = [...document.querySelectorAll<HTMLFieldSetElement>("#video-questions .video-question")];
  rows.forEach((row, i) => {
    const number = row.querySelector("[data-question-number]");
    if (number) number.textContent = String(i + 1);
    const remove = row.querySelector<HTMLButtonElement>("[data-remove-question]");
    if (remove) remove.disabled = rows.length <= 1;
  });
  const max = Number(byId("video-list").dataset.maxQuestions ?? "20");
  byId<HTMLButtonElement>("add-question").disabled = rows.length >= max;
}

function newRow(): HTMLElement | undefined {
  const template = byId<HTMLTemplateElement>("video-question-template");
  return template.content.firstElementChild?.cloneNode(true) as HTMLElement | undefined;
}

function addQuestion(): void {
  const row = newRow();
  if (!row) return;
  byId("video-questions").append(row);
  renumber();
  row.querySelector<HTMLTextAreaElement>("textarea")?.focus();
}

function field(scope: ParentNode, name: string): string {
  return (scope.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name="${name}"]`)?.value ?? "").trim();
}

function setField(scope: ParentNode, name: string, value: string): void {
  const input = scope.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name="${name}"]`);
  if (input) input.value = value;
}

/** The question rows become the template's questions; they stay editable, and the
 * interview is created from the rows as they are when the form is sent. */
function fillQuestions(questions: readonly TemplateQuestion[]): void {
  const rows = questions.flatMap((question) => {
    const row = newRow();
    if (!row) return [];
    setField(row, "text", question.text);
    setField(row, "thinking_s", String(question.thinking_s));
    setField(row, "max_answer_s", String(question.max_answer_s));
    setField(row, "attempts", String(question.attempts));
    setField(row, "keywords", question.keywords.join(", "));
    return [row];
  });
  if (!rows.length) return;
  byId("video-questions").replaceChildren(...rows);
  renumber();
}

/** "Start from a template": the list is fetched once, when a template is first chosen. */
function templateChoice(form: HTMLFormElement, errors: HTMLElement): void {
  const choice = byId<HTMLSelectElement>("video-template");
  const description = byId("video-template-description");
  let templates: Promise<VideoTemplate[]> | null = null;
  choice.addEventListener("change", () => {
    const id = choice.value;
    description.hidden = true;
    if (!id) return;
    templates ??= api.json<VideoTemplate[]>(`${VIDEO_API}/templates`);
    void templates
      .then((all) => {
        if (choice.value !== id) return; // chosen again meanwhile: that choice wins
        const chosen = all.find((template) => template.id === id);
        if (!chosen) throw new Error(`The template ${id} is gone; reload the page.`);
        fillQuestions(chosen.questions);
        if (!field(form, "title")) setField(form, "title", chosen.title);
        description.textContent = chosen.description;
        description.hidden = !chosen.description;
        errors.hidden = true;
      })
      .catch((error: unknown) => {
        templates = null; // try again on the next choice
        errors.textContent = error instanceof Error ? error.message : String(error);
        errors.hidden = false;
      });
  });
}

/** The form as the API's body; problems a person can fix before it is sent. */
export function formBody(form: HTMLFormElement): { body: Record<string, unknown>; problems: string[] } {
  const problems: string[] = [];
  const title = field(form, "title");
  if (!title) problems.push("Give the interview a title.");
  const questions = [...form.querySelectorAll<HTMLElement>(".video-question")].map((row, i) => {
    const text = field(row, "text");
    if (!text) problems.push(`Question ${i + 1} has no text.`);
    const number = (name: string) => Number(field(row, name));
    return {
      text,
      thinking_s: number("thinking_s"),
      max_answer_s: number("max_answer_s"),
      attempts: number("attempts"),
      keywords: field(row, "keywords")
        .split(",")
        .map((k) => k.trim())
        .filter(Boolean),
    };
  });
  const body: Record<string, unknown> = { title, questions };
  const name = field(form, "candidate_name");
  const email = field(form, "candidate_email");
  if (name) body.candidate_name = name;
  if (email) body.candidate_email = email;
  return { body, problems };
}

function listPage(): void {
  const form = byId<HTMLFormElement>("new-video");
  const errors = byId("new-video-errors");
  byId("add-question").addEventListener("click", addQuestion);
  templateChoice(form, errors);
  byId("video-questions").addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest("[data-remove-question]");
    const row = button?.closest(".video-question");
    if (!row || document.querySelectorAll("#video-questions .video-question").length <= 1) return;
    const next = row.nextElementSibling ?? row.previousElementSibling;
    row.remove();
    renumber();
    next?.querySelector<HTMLTextAreaElement>("textarea")?.focus();
  });
  renumber();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { body, problems } = formBody(form);
    errors.hidden = !problems.length;
    errors.textContent = problems.join(" ");
    if (problems.length) return;
    void sendJson<VideoInterviewOut>(api, `${VIDEO_API}/interviews`, "POST", body)
      .then((made) => {
        window.location.href = `/staff/video/${encodeURIComponent(made.id)}?done=created`;
      })
      .catch((error: unknown) => {
        errors.textContent = error instanceof Error ? error.message : String(error);
        errors.hidden = false;
        errors.focus();
      });
  });
  const filter = byId<HTMLFormElement>("video-filter");
  const query = () => {
    const params = new URLSearchParams();
    for (const name of ["candidate_email", "status"]) {
      const value = field(filter, name) || (filter.querySelector<HTMLSelectElement>(`select[name="${name}"]`)?.value ?? "");
      if (value) params.set(name, value);
    }
    return params;
  };
  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    void loadList(query(), false).catch((e: unknown) => showError(e));
  });
  void loadList(query(), false).catch((e: unknown) => showError(e));
}

// ---- one interview -----------------------------------------------------------------------------

const STATUS_LABEL: Record<string, string> = { queued: "queued", processing: "analysing", analyzed: "analysed", failed: "failed" };

/** The answer that counts for each question: the latest completed attempt. */
export function latestAnswers(answers: readonly AnswerOut[]): Map<number, AnswerOut> {
  const latest = new Map<number, AnswerOut>();
  for (const answer of answers) {
    const known = latest.get(answer.question_index);
    if (!known || answer.attempt > known.attempt) latest.set(answer.question_index, answer);
  }
  return latest;
}

async function loadDetail(id: string): Promise<{ busy: boolean; sessionId: string }> {
  const [interview, records] = await Promise.all([
    api.json<VideoInterviewOut>(interviewPath(id)),
    api.json<Page<RecordOut> | RecordOut[]>(`${VIDEO_API}/records?interview_id=${encodeURIComponent(id)}`).catch(() => []),
  ]);
  byId("video-title").textContent = interview.title;
  document.title = `${interview.title} · InterviewKit`;
  const who = [interview.candidate_name, interview.candidate_email].filter(Boolean).join(" · ") || "No candidate named";
  byId("video-sub").replaceChildren(`${who} · `, el("span", { class: `badge status-${interview.status}`, "data-testid": "video-status" }, interview.status.replace("_", " ")));
  const scores = new Map((Array.isArray(records) ? records : records.items).map((r) => [r.answer_id, r.score]));
  const latest = latestAnswers(interview.answers ?? []);
  let busy = false;
  byId("video-answers").replaceChildren(
    ...interview.questions.map((q) => {
      const answer = latest.get(q.index);
      if (answer && (answer.status === "queued" || answer.status === "processing")) busy = true;
      const progress = answer?.progress ?? (answer?.status === "analyzed" ? 1 : 0);
      const score = answer ? scores.get(answer.answer_id) : null;
      return el(
        "tr",
        { "data-testid": "video-answer-row", "data-status": answer?.status ?? "none" },
        el("td", { class: "num" }, String(q.index + 1)),
        el("td", {}, q.text, q.keywords?.length ? el("div", { class: "muted" }, `Rubric: ${q.keywords.join(", ")}`) : ""),
        el("td", {}, answer ? `Attempt ${answer.attempt}: ${STATUS_LABEL[answer.status] ?? answer.status}${answer.step && answer.status === "processing" ? ` (${answer.step})` : ""}` : el("span", { class: "muted" }, "Not answered yet"), answer?.error ? el("div", { class: "muted" }, answer.error) : ""),
        el("td", {}, answer ? el("progress", { max: "1", value: String(progress), "aria-label": `Analysis of question ${q.index + 1}`, "data-testid": "video-answer-progress" }) : "", answer ? ` ${percent(progress)}` : ""),
        el("td", { class: "num", "data-testid": "video-answer-score" }, score ? String(Math.round(score.overall)) : "—"),
      );
    }),
  );
  byId("video-refresh").textContent = busy ? "(updating as the analysis runs)" : "";
  return { busy, sessionId: interview.session_id };
}

/**
 * The detail page follows the analysis on the session's live channel: each `video_answer`
 * event (a status or step change) reloads the table. While the channel is not open, it
 * polls every few seconds instead, as long as an answer is still being analysed.
 */
function detailPage(root: HTMLElement): void {
  const id = root.dataset.interviewId ?? "";
  let channel: Channel | null = null;
  let poll: number | undefined;
  let queued = false;
  const refresh = async () => {
    window.clearTimeout(poll);
    try {
      const { busy, sessionId } = await loadDetail(id);
      channel ??= follow(sessionId);
      if (busy && root.dataset.live !== "open") poll = window.setTimeout(() => void refresh(), POLL_MS);
    } catch (error) {
      showError(error);
    }
  };
  const follow = (sessionId: string): Channel => {
    const made = new Channel(sessionId, null, `video-${Math.random().toString(36).slice(2)}`, {
      message: (message) => {
        if (message.type !== "event" || message.event.type !== "video_answer" || queued) return;
        queued = true; // a burst of progress events becomes one reload
        window.setTimeout(() => {
          queued = false;
          void refresh();
        }, 250);
      },
      state: (state) => {
        root.dataset.live = state;
        if (state === "open") return;
        window.clearTimeout(poll);
        poll = window.setTimeout(() => void refresh(), POLL_MS);
      },
      opened: () => void refresh(),
    });
    made.connect();
    return made;
  };
  void refresh();
  byId("invite-make").addEventListener("click", () => {
    void sendJson<InviteOut>(api, interviewPath(id, "/invite"), "POST", { revoke_previous: true })
      .then((invite) => {
        const input = byId<HTMLInputElement>("invite-url");
        input.value = invite.url;
        byId<HTMLButtonElement>("invite-copy").disabled = false;
        byId("invite-expires").textContent = `Works until ${new Date(invite.expires_at).toISOString().slice(0, 16).replace("T", " ")} UTC.`;
        input.select();
      })
      .catch((error: unknown) => showError(error));
  });
  byId("video-delete").addEventListener("click", () => {
    if (!window.confirm("Delete this interview, its answers and their videos? This cannot be undone.")) return;
    void sendJson<undefined>(api, interviewPath(id), "DELETE")
      .then(() => {
        window.location.href = "/staff/video";
      })
      .catch((error: unknown) => showError(error));
  });
}

const detail = document.getElementById("video-detail");
if (detail) detailPage(detail);
else if (document.getElementById("video-list")) listPage();
