/**
 * The REST API as a signed-in interviewer's browser calls it: the `ik_session` cookie goes
 * with every same-origin request by itself, so no API key ever reaches the page; requests
 * carry the page's CSRF token (`<meta name="csrf-token">`), which the server requires on
 * every state-changing call authenticated by that cookie.
 */
import { Api } from "../api";

export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

export class StaffApi extends Api {
  constructor(sessionId: string) {
    super(sessionId, "");
  }

  override headers(extra: Record<string, string> = {}): Record<string, string> {
    return { "X-CSRF-Token": csrfToken(), ...extra };
  }

  override request(path: string, init: RequestInit = {}): Promise<Response> {
    return super.request(path, { credentials: "same-origin", ...init });
  }
}
