/**
 * The assistant chat: POST …/assistant/messages with `stream: true`, read the
 * server-sent events with fetch + ReadableStream (EventSource cannot POST nor send a
 * header), and render the reply as sanitised Markdown while it streams.
 * Events: `delta {text}`, `refused {text}` (replaces the reply), `error {message,
 * partial}`, `done {…message}`.
 */
import type { Api } from "../api";
import { ApiError } from "../api";
import { $, el } from "../dom";
import { renderMarkdown } from "../markdown";

type Turn = { role: string; content: string };

export class Chat {
  private readonly list = $("#chat-messages");
  private readonly input = $("#chat-input") as HTMLTextAreaElement;
  private readonly sendButton = $("#chat-send") as HTMLButtonElement;
  private readonly hintButton = $("#hint-button") as HTMLButtonElement;
  private busy = false;

  constructor(private readonly api: Api) {
    $("#chat-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.ask(this.input.value);
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        void this.ask(this.input.value);
      }
    });
    this.hintButton.addEventListener("click", () => void this.ask("Can I have a hint?"));
  }

  async load(): Promise<void> {
    try {
      const { messages } = await this.api.json<{ messages: Turn[] }>(`${this.api.base}/assistant/messages`);
      for (const message of messages) this.bubble(message.role, message.content);
    } catch {
      // an empty conversation is fine
    }
    if (!this.list.children.length) {
      this.bubble("assistant", "Hi! I can explain the problem, discuss your approach, or give a **hint** when you are stuck. I will not write the solution for you.");
    }
  }

  private bubble(role: string, content: string): HTMLElement {
    const body = el("div", { class: "bubble-body markdown" });
    if (role === "user") body.textContent = content;
    else body.innerHTML = renderMarkdown(content);
    const node = el("div", { class: `bubble ${role === "user" ? "user" : "assistant"}` }, el("div", { class: "bubble-who" }, role === "user" ? "You" : "Assistant"), body);
    this.list.append(node);
    this.list.scrollTop = this.list.scrollHeight;
    return body;
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.sendButton.disabled = busy;
    this.hintButton.disabled = busy;
    this.list.setAttribute("aria-busy", String(busy));
  }

  async ask(question: string): Promise<void> {
    const content = question.trim();
    if (!content || this.busy) return;
    this.input.value = "";
    this.setBusy(true);
    this.bubble("user", content);
    const body = this.bubble("assistant", "");
    body.classList.add("streaming");
    let text = "";
    try {
      const response = await this.api.request(`${this.api.base}/assistant/messages`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({ content, stream: true }),
      });
      for await (const [name, data] of events(response)) {
        if (name === "delta") text += str(data.text);
        else if (name === "refused") text = str(data.text);
        else if (name === "error") text = `${str(data.partial)}\n\n*${(str(data.message) || "The assistant is unavailable.")}*`;
        body.innerHTML = renderMarkdown(text);
        this.list.scrollTop = this.list.scrollHeight;
      }
    } catch (error) {
      const detail = error instanceof ApiError ? error.message : "the connection failed";
      body.innerHTML = renderMarkdown(`${text}\n\n*The assistant could not answer: ${detail}*`);
    } finally {
      body.classList.remove("streaming");
      this.setBusy(false);
    }
  }
}

/** A string field of an event ("" when absent or not a string). */
function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The server-sent events of a response body, as `[event name, parsed data]`. */
async function* events(response: Response): AsyncGenerator<[string, Record<string, unknown>]> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n/g, "\n");
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (!data.length) continue;
      try {
        yield [name, JSON.parse(data.join("\n")) as Record<string, unknown>];
      } catch {
        // a malformed block: skip it
      }
    }
  }
}
