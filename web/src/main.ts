/** Entry point of the room page: take the token from the invite link, then start. */
import "./room.css";

import { Api, ApiError } from "./api";
import { takeToken } from "./auth";
import { $ } from "./dom";
import { Room } from "./room";

function fail(text: string): void {
  const node = $("#fatal");
  const message = node.querySelector("p");
  if (message) message.textContent = text;
  node.hidden = false;
}

function boot(): void {
  const root = $("#room");
  const sessionId = root.dataset.sessionId ?? "";
  const token = takeToken(sessionId);
  if (!token) {
    fail("This page needs the invite link your interviewer sent you (it ends with #token=…).");
    return;
  }
  // the worklet is built next to this bundle (build.mjs defines its content-hashed name)
  const micWorklet = new URL(MIC_WORKLET_FILE, import.meta.url).href;
  const room = new Room(new Api(sessionId, token), token, micWorklet);
  room.start().catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 401) {
      // candidate tokens stop working when the session ends
      fail(`This interview is over, or this link no longer works (${error.message}). Thank you for your time!`);
      return;
    }
    fail(`The room could not load: ${error instanceof Error ? error.message : String(error)}`);
  });
}

boot();
