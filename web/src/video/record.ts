/**
 * The candidate's page (`/video/{id}#token=…`): one question at a time, a thinking-time
 * countdown, then a recording with MediaRecorder that stops itself at the question's
 * longest answer, a review, a new recording while attempts remain, then the upload
 * (./upload.ts) and the analysis' progress, polled from the API.
 *
 * Nothing of the interview is in the page's HTML: it comes from the candidate's API view,
 * which holds no rubric keywords. Elements are made with the DOM, never from HTML strings.
 */
import "./video.css";

import type { Api } from "../api";
import { takeToken } from "../auth";
import { answerPath, candidateApi, interviewPath, sendJson } from "./client";
import { contentType, formatBytes, formatClock, HttpFailure, pickRecordingType, retryable } from "./plan";
import type { AnswerOut, CandidateInterview, CandidateQuestion } from "./types";
import { PendingStore, uploadAnswer, type Pending } from "./upload";

const POLL_MS = 2_000;
const TICK_MS = 250;
const STEP_NAMES: Record<string, string> = {
  probe: "checking the file",
  convert: "converting the video",
  audio: "extracting the audio",
  transcribe: "transcribing",
  text: "measuring the speech",
  video: "measuring the video",
  grade: "grading",
  score: "scoring",
  report: "writing the report",
};

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing`);
  return found as T;
};

type Phase = "idle" | "thinking" | "recording" | "review" | "uploading" | "submitted";

class VideoPage {
  private interview: CandidateInterview | null = null;
  private current = 0;
  private stream: MediaStream | null = null;
  private recorder: MediaRecorder | null = null;
  private recordingType: string | null = null;
  private chunks: Blob[] = [];
  private timer: number | null = null;
  private startedAt = 0;
  private recordedS = 0;
  private recordings = 0;
  private blob: Blob | null = null;
  private pending: Pending | null = null;
  private polling: number | null = null;
  private readonly root = $("video-app");

  constructor(
    private readonly id: string,
    private readonly api: Api,
    private readonly store: PendingStore | null,
  ) {}

  async start(): Promise<void> {
    this.interview = await this.api.json<CandidateInterview>(interviewPath(this.id, "/candidate"));
    $("interview-title").textContent = this.interview.title;
    document.title = `${this.interview.title} · InterviewKit`;
    $("ready").addEventListener("click", () => void this.ready());
    $("record").addEventListener("click", () => this.record());
    $("stop").addEventListener("click", () => this.recorder?.stop());
    $("rerecord").addEventListener("click", () => void this.ready());
    $("submit").addEventListener("click", () => void this.submit());
    $("retry").addEventListener("click", () => void this.submit());
    $("next").addEventListener("click", () => this.show(this.nextOpen(this.current + 1)));
    this.recordingType = typeof MediaRecorder === "undefined" ? null : pickRecordingType((type) => MediaRecorder.isTypeSupported(type));
    if (!this.recordingType) {
      this.say("This browser cannot record video. Open the link in a current Chrome, Edge or Firefox.");
      return;
    }
    this.show(this.nextOpen(0));
  }

  private get question(): CandidateQuestion | null {
    return this.interview?.questions[this.current] ?? null;
  }

  /** The first question from `from` on (wrapping) that has no answer yet; -1 when none. */
  private nextOpen(from: number): number {
    const questions = this.interview?.questions ?? [];
    for (let k = 0; k < questions.length; k++) {
      const i = (from + k) % questions.length;
      if (!answerOf(questions[i])) return i;
    }
    return -1;
  }

  private say(text: string | null): void {
    const message = $("message");
    message.textContent = text ?? "";
    message.hidden = !text;
  }

  private setPhase(phase: Phase, text = ""): void {
    this.root.dataset.state = phase;
    const node = $("phase");
    node.dataset.phase = phase;
    node.textContent = text;
    const visible: Record<string, Phase[]> = {
      ready: ["idle"],
      record: ["thinking"],
      stop: ["recording"],
      rerecord: ["review"],
      submit: ["review"],
    };
    for (const [id, phases] of Object.entries(visible)) $(id).hidden = !phases.includes(phase);
    if (phase === "review") $("rerecord").hidden = this.recordingsLeft() <= 0;
    $("camera").hidden = phase === "review" || phase === "uploading" || phase === "submitted";
    $("review").hidden = !$("camera").hidden;
    this.keepFocus();
  }

  /** A keyboard user's focus must not fall to the page when the button they pressed hides:
   * it moves to the phase's first control (Stop while recording, Submit on review). */
  private keepFocus(): void {
    const focused = document.activeElement as HTMLElement | null;
    if (focused && focused !== document.body && !focused.closest("[hidden]")) return;
    const next = [...document.querySelectorAll<HTMLButtonElement>("#question .controls button, #next")].find((button) => !button.hidden);
    next?.focus();
  }

  private recordingsLeft(): number {
    return (this.question?.attempts_left ?? 0) - this.recordings;
  }

  private renderList(): void {
    const list = $("question-list");
    list.replaceChildren(
      ...(this.interview?.questions ?? []).map((q, i) => {
        const item = document.createElement("li");
        const answer = answerOf(q);
        item.dataset.testid = "question-item";
        item.dataset.status = answer?.status ?? "open";
        item.textContent = `Question ${i + 1}: ${answer ? statusText(answer) : "not answered"}`;
        if (i === this.current) item.setAttribute("aria-current", "step");
        return item;
      }),
    );
    const done = (this.interview?.questions ?? []).filter((q) => answerOf(q)).length;
    $("question-progress").textContent = `${done} of ${this.interview?.questions.length ?? 0} answered`;
  }

  private show(index: number): void {
    this.stopTimer();
    this.stopPolling();
    this.renderList();
    if (index < 0) {
      $("question").hidden = true;
      $("done").hidden = false;
      this.root.dataset.state = "done";
      this.releaseCamera();
      return;
    }
    this.current = index;
    this.recordings = 0;
    this.blob = null;
    this.pending = null;
    const q = this.questionAt(index);
    $("question").hidden = false;
    $("question-number").textContent = String(index + 1);
    $("question-text").textContent = q.text;
    $("question-facts").textContent = `${formatClock(q.thinking_s)} to think, then up to ${formatClock(q.max_answer_s)} to answer.`;
    $("attempts").textContent = `Recordings left for this question: ${q.attempts_left}`;
    $("upload").hidden = true;
    $("analysis").hidden = true;
    $("next").hidden = true;
    $("retry").hidden = true;
    this.renderList();
    this.setPhase("idle");
    void this.resumePending(index);
  }

  private questionAt(index: number): CandidateQuestion {
    const q = this.interview?.questions[index];
    if (!q) throw new Error(`no question ${index}`);
    return q;
  }

  /** An upload a reload or a failure interrupted: carry on with the kept recording. */
  private async resumePending(index: number): Promise<void> {
    const kept = await this.store?.load(this.id, index).catch(() => null);
    if (!kept || index !== this.current) return;
    this.pending = kept;
    this.blob = kept.blob;
    this.say("An upload of this answer was interrupted; it carries on from where it stopped.");
    await this.submit();
  }

  private async camera(): Promise<MediaStream | null> {
    if (this.stream?.active) return this.stream;
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    } catch (error) {
      const name = (error as DOMException).name;
      this.root.dataset.permission = "denied";
      this.say(
        name === "NotAllowedError" || name === "SecurityError"
          ? "The camera and microphone are blocked for this page. Allow them (the camera icon in the address bar), then press the button again."
          : name === "NotFoundError"
            ? "No camera or microphone was found. Connect one, then press the button again."
            : `The camera could not start (${name}). Close other apps that use it, then press the button again.`,
      );
      return null;
    }
    this.root.dataset.permission = "granted";
    this.say(null);
    $<HTMLVideoElement>("camera").srcObject = this.stream;
    return this.stream;
  }

  private releaseCamera(): void {
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
  }

  /** The thinking time runs; recording starts at its end (or earlier on request). */
  private async ready(): Promise<void> {
    if (this.recordingsLeft() <= 0) return;
    if (!(await this.camera())) return;
    const q = this.questionAt(this.current);
    $<HTMLVideoElement>("review").pause();
    this.countdown(q.thinking_s, "thinking", (left) => `Think: ${formatClock(left)} until recording starts`, () => this.record());
  }

  private countdown(seconds: number, phase: Phase, label: (left: number) => string, end: () => void): void {
    this.stopTimer();
    const until = performance.now() + seconds * 1000;
    const tick = () => {
      const left = (until - performance.now()) / 1000;
      if (left <= 0) {
        this.stopTimer();
        end();
        return;
      }
      this.setPhase(phase, label(left));
    };
    tick();
    if (this.root.dataset.state === phase) this.timer = window.setInterval(tick, TICK_MS);
  }

  private stopTimer(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
  }

  private record(): void {
    if (!this.stream || !this.recordingType || this.recorder?.state === "recording") return;
    const q = this.questionAt(this.current);
    this.chunks = [];
    const recorder = new MediaRecorder(this.stream, { mimeType: this.recordingType, videoBitsPerSecond: 1_000_000 });
    recorder.ondataavailable = (event) => {
      if (event.data.size) this.chunks.push(event.data);
    };
    recorder.onstop = () => this.recorded();
    this.recorder = recorder;
    this.recordings++;
    recorder.start(1000);
    this.startedAt = performance.now();
    this.countdown(q.max_answer_s, "recording", (left) => `Recording: ${formatClock(left)} left`, () => recorder.stop());
  }

  private recorded(): void {
    this.stopTimer();
    this.recordedS = (performance.now() - this.startedAt) / 1000;
    this.blob = new Blob(this.chunks, { type: this.recordingType ?? "video/webm" });
    this.pending = null;
    const review = $<HTMLVideoElement>("review");
    if (review.src) URL.revokeObjectURL(review.src);
    review.src = URL.createObjectURL(this.blob);
    $("attempts").textContent = `Recordings left for this question: ${Math.max(0, this.recordingsLeft())}`;
    this.setPhase("review", `Recorded ${formatClock(this.recordedS)} (${formatBytes(this.blob.size)}). Watch it, then submit it or record again.`);
  }

  private async submit(): Promise<void> {
    if (!this.blob) return;
    const index = this.current;
    this.pending ??= { interviewId: this.id, index, blob: this.blob, contentType: contentType(this.recordingType ?? this.blob.type), durationS: this.recordedS };
    await this.store?.save(this.pending).catch(() => undefined);
    this.setPhase("uploading", "Uploading your answer…");
    $("upload").hidden = false;
    $("retry").hidden = true;
    const bar = $<HTMLProgressElement>("upload-progress");
    const text = $("upload-text");
    try {
      const answer = await uploadAnswer(
        this.api,
        this.pending,
        {
          progress: (sent, total) => {
            bar.value = total ? sent / total : 1;
            text.textContent = `${formatBytes(sent)} of ${formatBytes(total)}`;
          },
          retrying: (attempt, wait) => {
            text.textContent = `The connection failed; trying again in ${Math.ceil(wait / 1000)} s (attempt ${attempt + 1}).`;
          },
        },
        this.store,
      );
      this.say(null);
      this.submitted(index, answer);
    } catch (error) {
      this.failed(error);
    }
  }

  /** A refused upload (too large, too long, not a video, no attempts left) cannot pass by
   * retrying: the candidate records again if they may. Anything else keeps the recording
   * for a retry. */
  private failed(error: unknown): void {
    const status = error instanceof HttpFailure ? error.status : 0;
    const refused = !retryable(status);
    if (refused) {
      this.store?.remove(this.id, this.current).catch(() => undefined);
      this.pending = null;
      this.blob = null;
    }
    const code = error instanceof HttpFailure ? error.code : "";
    this.say(
      code === "attempts_exhausted"
        ? "No recordings are left for this question."
        : refused
          ? `The server refused this recording: ${(error as Error).message}.${this.recordingsLeft() > 0 ? " Record it again." : ""}`
          : `The upload stopped: ${(error as Error).message}. Your recording is kept; retry when the connection is back.`,
    );
    this.setPhase("review", "");
    $("submit").hidden = true;
    $("retry").hidden = refused;
    $("rerecord").hidden = this.recordingsLeft() <= 0;
    this.keepFocus();
  }

  private submitted(index: number, answer: AnswerOut): void {
    const q = this.questionAt(index);
    q.answer = answer;
    q.attempts_used += 1;
    q.attempts_left = Math.max(0, q.attempts_left - 1);
    this.pending = null;
    this.setPhase("submitted", "Submitted.");
    $("upload").hidden = true;
    this.showAnalysis(answer);
    $("next").hidden = false;
    $("next").textContent = this.nextOpen(index + 1) < 0 ? "Finish" : "Next question";
    this.keepFocus();
    this.renderList();
    this.poll(index, answer.answer_id);
  }

  private showAnalysis(answer: AnswerOut): void {
    const node = $("analysis");
    node.hidden = false;
    node.dataset.status = answer.status;
    node.textContent = statusText(answer);
  }

  /** The analysis' progress until it is done (the live channel would save the polls). */
  private poll(index: number, answerId: string): void {
    this.stopPolling();
    this.polling = window.setInterval(() => {
      void (async () => {
        try {
          const answer = await sendJson<AnswerOut>(this.api, answerPath(this.id, index), "GET");
          if (answer.answer_id !== answerId) return;
          this.questionAt(index).answer = answer;
          if (index === this.current) this.showAnalysis(answer);
          this.renderList();
          if (answer.status === "analyzed" || answer.status === "failed") this.stopPolling();
        } catch {
          // a missed poll is retried at the next tick
        }
      })();
    }, POLL_MS);
  }

  private stopPolling(): void {
    if (this.polling !== null) window.clearInterval(this.polling);
    this.polling = null;
  }
}

/** The submitted answer that counts for a question (an upload not completed is none). */
function answerOf(q: CandidateQuestion): AnswerOut | { status: string } | null {
  if (q.answer && q.answer.status !== "uploading") return q.answer;
  return q.answer_status && q.answer_status !== "uploading" ? { status: q.answer_status } : null;
}

function statusText(answer: { status: string; step?: string | null; progress?: number | null; error?: string | null }): string {
  switch (answer.status) {
    case "queued":
      return "submitted, waiting for analysis";
    case "processing": {
      const step = answer.step ? (STEP_NAMES[answer.step] ?? answer.step) : "analysing";
      const share = typeof answer.progress === "number" ? ` (${Math.round(answer.progress * 100)}%)` : "";
      return `submitted, ${step}${share}`;
    }
    case "analyzed":
      return "submitted and analysed";
    case "failed":
      return `submitted; the analysis failed${answer.error ? `: ${answer.error}` : ""}`;
    default:
      return answer.status;
  }
}

async function boot(): Promise<void> {
  const root = document.getElementById("video-app");
  const id = root?.dataset.interviewId;
  if (!root || !id) return;
  const token = takeToken(id);
  const message = document.getElementById("message");
  const fail = (text: string) => {
    root.dataset.state = "error";
    if (message) {
      message.textContent = text;
      message.hidden = false;
    }
  };
  if (!token) {
    fail("This link has no access token. Open the full link your interviewer sent you.");
    return;
  }
  const page = new VideoPage(id, candidateApi(id, token), await PendingStore.open());
  try {
    await page.start();
  } catch (error) {
    const status = (error as { status?: number }).status;
    fail(
      status === 401 || status === 403 || status === 404
        ? "This link does not open a video interview: it may have expired or been replaced. Ask your interviewer for a new one."
        : `The interview could not be loaded: ${(error as Error).message}`,
    );
  }
}

void boot();
