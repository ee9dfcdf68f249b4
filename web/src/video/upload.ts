/**
 * Uploading one recorded answer straight to the object store, and resuming it.
 *
 * The server hands out where to put the bytes (`POST …/uploads`): one signed PUT for a
 * small answer, or a multipart upload whose parts each get a signed URL. Every request is
 * retried with backoff on a network or server failure; a part the server already holds is
 * never sent twice, because a resumed upload first asks which parts arrived (`GET
 * …/uploads/{answer_id}`). The recording and the upload's ids are kept in IndexedDB until
 * the answer is completed, so a reload or a crashed tab resumes instead of re-recording.
 */
import type { Api } from "../api";
import { answerPath, sendJson } from "./client";
import { bytesHeld, HttpFailure, missingParts, planParts, withRetry, type RetryOptions } from "./plan";
import type { AnswerOut, UploadOut, UploadState } from "./types";

/** A recorded answer on its way to the server. */
export type Pending = {
  interviewId: string;
  index: number;
  blob: Blob;
  contentType: string;
  durationS: number;
  upload?: UploadOut;
};

export type UploadEvents = {
  progress: (sent: number, total: number) => void;
  retrying: (attempt: number, waitMs: number) => void;
};

const URL_BATCH = 20;
export const RETRY: Omit<RetryOptions, "onRetry"> = {
  attempts: 6,
  baseMs: 500,
  maxMs: 8_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** PUT `body` to a signed URL with upload progress (fetch cannot report it; XHR can). */
export function put(url: string, body: Blob, type: string | null, onProgress: (loaded: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    if (type) xhr.setRequestHeader("Content-Type", type);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new HttpFailure(xhr.status, `upload answered ${xhr.status}`)));
    xhr.onerror = () => reject(new HttpFailure(0, "the upload lost its connection"));
    xhr.onabort = () => reject(new HttpFailure(0, "the upload was cut off"));
    xhr.send(body);
  });
}

/** Failures of our own API become HttpFailure too, so they retry the same way. */
async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const { status, code } = error as { status?: unknown; code?: unknown };
    if (typeof status === "number") throw new HttpFailure(status, (error as Error).message, typeof code === "string" ? code : undefined);
    throw error;
  }
}

/**
 * Send the answer and complete it; resolves with the queued answer. A refusal (4xx other
 * than 408/429) is thrown at once; other failures after {@link RETRY}'s attempts.
 */
export async function uploadAnswer(api: Api, pending: Pending, events: UploadEvents, store: PendingStore | null): Promise<AnswerOut> {
  const retry = { ...RETRY, onRetry: (attempt: number, wait: number) => events.retrying(attempt, wait) };
  const base = answerPath(pending.interviewId, pending.index, "/uploads");
  const total = pending.blob.size;
  if (!pending.upload) {
    pending.upload = await call(() =>
      sendJson<UploadOut>(api, base, "POST", { content_type: pending.contentType, size_bytes: total, duration_s: Math.round(pending.durationS * 100) / 100 }),
    );
    await store?.save(pending);
  }
  const upload = pending.upload;
  const here = `${base}/${encodeURIComponent(upload.answer_id)}`;
  if (upload.mode === "single") {
    const url = upload.url ?? "";
    await withRetry(() => put(url, pending.blob, upload.content_type ?? pending.contentType, (loaded) => events.progress(loaded, total)), retry);
    events.progress(total, total);
  } else {
    const state = await withRetry(() => call(() => sendJson<UploadState>(api, here, "GET")), retry);
    const plan = planParts(total, upload.part_bytes ?? state.part_bytes ?? total);
    const todo = missingParts(plan, state.received);
    let sent = bytesHeld(plan, state.received);
    events.progress(sent, total);
    for (let at = 0; at < todo.length; at += URL_BATCH) {
      const batch = todo.slice(at, at + URL_BATCH);
      const { urls } = await withRetry(() => call(() => sendJson<{ urls: Record<string, string> }>(api, `${here}/parts`, "POST", { numbers: batch.map((p) => p.number) })), retry);
      for (const part of batch) {
        const body = pending.blob.slice(part.start, part.end);
        await withRetry(() => put(urls[String(part.number)], body, null, (loaded) => events.progress(sent + loaded, total)), retry);
        sent += part.end - part.start;
        events.progress(sent, total);
      }
    }
  }
  const done = await withRetry(() => call(() => sendJson<AnswerOut>(api, `${here}/complete`, "POST")), retry);
  await store?.remove(pending.interviewId, pending.index);
  return done;
}

/**
 * Recorded answers not yet completed, in IndexedDB (a Blob is stored as it is, without
 * copying it into memory twice). Without IndexedDB (a private window may refuse it) the
 * answer is kept only in the page's memory.
 */
export class PendingStore {
  private constructor(private readonly db: IDBDatabase) {}

  static open(): Promise<PendingStore | null> {
    return new Promise((resolve) => {
      try {
        const request = indexedDB.open("interviewkit-video", 1);
        request.onupgradeneeded = () => request.result.createObjectStore("pending");
        request.onsuccess = () => resolve(new PendingStore(request.result));
        request.onerror = () => resolve(null);
      } catch {
        resolve(null);
      }
    });
  }

  private run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      const request = work(this.db.transaction("pending", mode).objectStore("pending"));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("IndexedDB failed"));
    });
  }

  save(pending: Pending): Promise<IDBValidKey> {
    return this.run("readwrite", (store) => store.put({ ...pending }, `${pending.interviewId}:${pending.index}`));
  }

  remove(interviewId: string, index: number): Promise<undefined> {
    return this.run("readwrite", (store) => store.delete(`${interviewId}:${index}`));
  }

  async load(interviewId: string, index: number): Promise<Pending | null> {
    const found = (await this.run("readonly", (store) => store.get(`${interviewId}:${index}`))) as Pending | undefined;
    return found && found.blob instanceof Blob ? found : null;
  }
}
