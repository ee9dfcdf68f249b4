/**
 * The staff pages' shell: small progressive enhancements of server-rendered pages.
 *
 * Every page works without it (forms post, links link); with it, invite links copy with
 * one click, ending a session asks first, times read as "3 min ago" and count down, and
 * the report prints from a button. Nothing here builds HTML from strings.
 */
import "./staff.css";

const RELATIVE_REFRESH_MS = 30_000;
const COPIED_MS = 1_600;

/** The CSRF token the server put in the page, sent with every state-changing API call. */
export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

/** "in 5 min", "2 h ago": coarse on purpose, the exact time is in the title. */
export function relative(when: Date, now: Date = new Date()): string {
  const seconds = Math.round((when.getTime() - now.getTime()) / 1000);
  const past = seconds < 0;
  const size = Math.abs(seconds);
  let text: string;
  if (size < 45) return "just now";
  if (size < 3600) text = `${Math.round(size / 60)} min`;
  else if (size < 86_400) text = `${Math.round(size / 3600)} h`;
  else if (size < 30 * 86_400) text = `${Math.round(size / 86_400)} d`;
  else return when.toLocaleDateString();
  return past ? `${text} ago` : `in ${text}`;
}

/** "12:05 left" (minutes:seconds, hours when there are any), or "time is up". */
export function countdown(deadline: Date, now: Date = new Date()): string {
  const left = Math.floor((deadline.getTime() - now.getTime()) / 1000);
  if (left <= 0) return "time is up";
  const hours = Math.floor(left / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  const seconds = String(left % 60).padStart(2, "0");
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds} left`
    : `${minutes}:${seconds} left`;
}

function updateTimes(): void {
  const now = new Date();
  for (const node of document.querySelectorAll<HTMLTimeElement>("time[data-relative]")) {
    const when = new Date(node.dateTime);
    if (Number.isNaN(when.getTime())) continue;
    if (!node.title) node.title = when.toLocaleString();
    node.textContent = relative(when, now);
  }
}

function updateCountdowns(): void {
  const now = new Date();
  for (const node of document.querySelectorAll<HTMLElement>("[data-deadline]")) {
    const deadline = new Date(node.dataset.deadline ?? "");
    if (!Number.isNaN(deadline.getTime())) node.textContent = countdown(deadline, now);
  }
}

async function copyText(text: string, source: HTMLInputElement | null): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // no clipboard permission (plain http, an old browser): select it for Ctrl+C
    source?.focus();
    source?.select();
    document.execCommand("copy");
  }
}

function flash(button: HTMLButtonElement, text: string): void {
  const before = button.dataset.label ?? button.textContent ?? "";
  button.dataset.label = before;
  button.textContent = text;
  window.setTimeout(() => {
    button.textContent = before;
  }, COPIED_MS);
}

/** A copy button names its input: ``data-copy="#invite-link"``. */
function wireCopyButtons(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const input = document.querySelector<HTMLInputElement>(button.dataset.copy ?? "");
      if (!input) return;
      void copyText(input.value, input).then(() => flash(button, "Copied"));
    });
  }
}

interface InviteAnswer {
  url: string;
}

/**
 * A list row's "Copy invite": mints a fresh link through the API (the browser's session
 * cookie and the page's CSRF token, never an API key) and copies it. Without the script
 * the same button is a link to the session's page, which shows its invite link.
 */
function wireInviteButtons(): void {
  for (const link of document.querySelectorAll<HTMLAnchorElement>("a[data-invite-session]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const sessionId = link.dataset.inviteSession ?? "";
      void fetch(`/api/v1/sessions/${encodeURIComponent(sessionId)}/invite`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
        body: "{}",
      })
        .then(async (response) => {
          if (!response.ok) throw new Error(String(response.status));
          const answer = (await response.json()) as InviteAnswer;
          await copyText(answer.url, null);
          link.textContent = "Copied";
          window.setTimeout(() => {
            link.textContent = "Copy invite";
          }, COPIED_MS);
        })
        .catch(() => {
          window.location.href = link.href;
        });
    });
  }
}

/** Forms that end something ask first: ``data-confirm="End this session?"``. */
function wireConfirmations(): void {
  for (const form of document.querySelectorAll<HTMLFormElement>("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm ?? "Are you sure?")) event.preventDefault();
    });
  }
}

function wirePrintButtons(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
}

/** Filter selects apply at once; the text search still waits for Enter. */
function wireAutoSubmit(): void {
  for (const select of document.querySelectorAll<HTMLSelectElement>("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form?.requestSubmit());
  }
}

/** The new-session form offers the languages of what was chosen, when it says them. */
function wireLanguageChoices(): void {
  const choice = document.querySelector<HTMLSelectElement>("select[data-offers-languages]");
  const language = document.querySelector<HTMLSelectElement>("select[data-language]");
  if (!choice || !language) return;
  const sync = (): void => {
    const offered = choice.selectedOptions[0]?.dataset.languages?.split(",") ?? [];
    for (const option of language.options) {
      option.disabled = option.value !== "" && offered.length > 0 && !offered.includes(option.value);
    }
    if (language.selectedOptions[0]?.disabled) language.value = "";
  };
  choice.addEventListener("change", sync);
  sync();
}

function boot(): void {
  wireCopyButtons();
  wireInviteButtons();
  wireConfirmations();
  wirePrintButtons();
  wireAutoSubmit();
  wireLanguageChoices();
  updateTimes();
  updateCountdowns();
  window.setInterval(updateTimes, RELATIVE_REFRESH_MS);
  if (document.querySelector("[data-deadline]")) window.setInterval(updateCountdowns, 1000);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
