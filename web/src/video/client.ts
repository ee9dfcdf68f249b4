/**
 * The video API for the pages: the candidate's page sends its token as a bearer, the
 * staff pages ride the sign-in cookie with the page's CSRF token (see ../staff/http.ts).
 * Paths are the API's, under `/api/v1/video`.
 */
import { Api } from "../api";
import { StaffApi } from "../staff/http";

export const VIDEO_API = "/api/v1/video";

export function interviewPath(id: string, rest = ""): string {
  return `${VIDEO_API}/interviews/${encodeURIComponent(id)}${rest}`;
}

export function answerPath(id: string, index: number, rest = ""): string {
  return interviewPath(id, `/answers/${index}${rest}`);
}

/** The candidate's client: the token from the invite link. */
export function candidateApi(interviewId: string, token: string): Api {
  return new Api(interviewId, token);
}

/** The interviewer's client: cookie and CSRF token. */
export function staffApi(): Api {
  return new StaffApi("");
}

export async function sendJson<T>(api: Api, path: string, method: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "Content-Type": "application/json" };
  }
  const response = await api.request(path, init);
  return (response.status === 204 ? undefined : await response.json()) as T;
}
